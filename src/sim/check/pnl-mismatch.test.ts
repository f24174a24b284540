import { describe, expect, it } from 'vitest';
import { check } from './check';
import {
  equity,
  found,
  openIronCondor,
  VenueLogBuilder,
  withForeign704,
  xsp,
} from '../../../test/support/venue-log-builder';
import type { Report } from '../../engine/report/report-types';

function closedIronCondor(): VenueLogBuilder {
  const b = withForeign704();
  openIronCondor(b);
  b.at('11:00');
  const close = b.order({
    legs: [
      [xsp.p672, 'BUY'],
      [xsp.c692, 'BUY'],
      [xsp.p671, 'SELL'],
      [xsp.c693, 'SELL'],
    ],
    intent: 'close',
  });
  b.ack(close).comboFill(close, [0.1, 0.08, 0.05, 0.03]);
  return b;
}

const firstGroup = (r: Report) => {
  const g = r.groups[0];
  if (g === undefined) throw new Error('no group');
  return g;
};

describe('pnl-mismatch', () => {
  it('a group PnL off by one cent (summary consistent with it) is one violation at its last fill', () => {
    const b = closedIronCondor();
    const lastFillSeq = b.lastSeq - 4; // four position lines follow the last leg's fill
    const input = b.build((r) => {
      firstGroup(r).realizedPnl = 0.81;
      r.summary.realizedPnl = 0.81;
    });
    const result = check(input);
    expect(found(result)).toEqual([['pnl-mismatch', lastFillSeq]]);
    expect(result.violations[0]?.message).toBe(
      'group g1 (ic-0dte): venue fills give realized PnL 0.80 net (6.00 before 5.20 commissions), report says 0.81',
    );
  });

  it("a group's commissions must match the venue's", () => {
    const input = closedIronCondor().build((r) => (firstGroup(r).commissions = 5.85));
    expect(found(check(input))).toEqual([['pnl-mismatch', input.lines.length - 4]]);
  });

  it('summary.realizedPnl is the sum over groups', () => {
    const input = closedIronCondor().build((r) => (r.summary.realizedPnl = 0.79));
    const result = check(input);
    expect(found(result)).toEqual([['pnl-mismatch', null]]);
    expect(result.violations[0]?.message).toBe('summary.realizedPnl 0.79 but the groups sum to 0.80');
  });

  it("summary.executions counts keel's fill lines", () => {
    const input = closedIronCondor().build((r) => (r.summary.executions = 7));
    expect(found(check(input))).toEqual([['pnl-mismatch', null]]);
  });

  it("summary.commissions is what keel's fills paid", () => {
    const input = closedIronCondor().build((r) => (r.summary.commissions = 5.19));
    expect(found(check(input))).toEqual([['pnl-mismatch', null]]);
  });

  it('average cost on a partial close, worked by hand', () => {
    const pltr = equity(7, 'PLTR');
    const b = new VenueLogBuilder().at('09:45');
    const buy = b.order({ legs: [[pltr, 'BUY']], qty: 300, group: 'pltr', strategy: 'operator' });
    b.fill(buy, pltr, { qty: 200, price: 1, commission: 1 }).fill(buy, pltr, {
      qty: 100,
      price: 1.3,
      commission: 1,
    });
    const sell = b.order({ legs: [[pltr, 'SELL']], qty: 200, intent: 'reduce', group: 'pltr' });
    b.fill(sell, pltr, { price: 1.5, commission: 1 });
    const input = b.build();
    // Average cost 1.10; 200 sold at 1.50 realizes 80.00; three commissions of 1.00: net 77.00.
    expect(firstGroup(input.report)).toMatchObject({ status: 'open', realizedPnl: 77, commissions: 3 });
    expect(found(check(input))).toEqual([]);
    const edited = b.build((r) => {
      firstGroup(r).realizedPnl = 80; // gross, commissions forgotten
      r.summary.realizedPnl = 80;
    });
    expect(found(check(edited))).toEqual([['pnl-mismatch', b.lastSeq - 1]]);
  });

  it("each group's share of a settlement settles at the settlement price", () => {
    const b = withForeign704().at('09:56');
    const a = b.order({
      legs: [
        [xsp.c692, 'SELL'],
        [xsp.c693, 'BUY'],
      ],
      group: 'a',
    });
    b.comboFill(a, [0.25, 0.19], { commission: 0 });
    const c = b.order({
      legs: [
        [xsp.c692, 'SELL'],
        [xsp.c693, 'BUY'],
      ],
      qty: 2,
      group: 'c',
    });
    b.comboFill(c, [0.3, 0.2], { commission: 0 });
    b.at('16:00').settle(xsp.c692, 1.2).settle(xsp.c693, 0.2).settle(xsp.c704, 12.2);
    const input = b.build();
    // a: credit 6, settles -120 + 20: -94. c: credit 2 x 10 = 20, settles 2 x -100: -180.
    expect(input.report.groups.map((g) => [g.id, g.status, g.realizedPnl])).toEqual([
      ['a', 'closed', -94],
      ['c', 'closed', -180],
    ]);
    expect(found(check(input, { converged: true }))).toEqual([]);
    const wrong = b.build((r) => {
      firstGroup(r).realizedPnl = 6; // settlement cash left out
      r.summary.realizedPnl = -174;
    });
    expect(found(check(wrong))).toEqual([['pnl-mismatch', b.lastSeq - 3]]);
  });
});
