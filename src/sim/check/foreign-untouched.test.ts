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

describe('foreign-untouched (a): venue net = keel + foreign', () => {
  it('a position change that no fill explains is reported once while it lasts, again when it changes', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('10:30').position(xsp.c704, 23);
    const firstSeq = b.lastSeq;
    b.wait(5).position(xsp.c704, 23); // the same difference: not reported again
    b.wait(5).position(xsp.c704, 20);
    const secondSeq = b.lastSeq;
    const result = check(b.build());
    expect(found(result)).toEqual([
      ['foreign-untouched', firstSeq],
      ['foreign-untouched', secondSeq],
    ]);
    expect(result.violations[0]?.message).toBe(
      "venue position of XSP 2026-02-13 704C [842236402] is +23 but keel's fills (0) and the foreign holdings (+24) " +
        'explain +24: something else changed it by -1',
    );
  });

  it('a keel fill the venue position does not show is reported', () => {
    const b = withForeign704();
    openIronCondor(b);
    const close = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close' });
    b.ack(close).fill(close, xsp.p672, { positionLine: false });
    b.raw({ type: 'position', instrument: xsp.p672, qty: -1, avgPrice: 0 });
    expect(found(check(b.build()))).toEqual([['foreign-untouched', b.lastSeq]]);
  });

  it('external fills change the foreign quantity, not keel’s', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('11:30');
    const hand = b.order({ legs: [[xsp.c692, 'BUY']], qty: 3, origin: 'external' });
    b.ack(hand).fill(hand, xsp.c692);
    const sell = b.order({ legs: [[xsp.c704, 'SELL']], qty: 4, origin: 'external' });
    b.ack(sell).fill(sell, xsp.c704);
    const close = b.order({ legs: [[xsp.c692, 'BUY']], intent: 'close' });
    b.ack(close).fill(close, xsp.c692);
    expect(found(check(b.build()))).toEqual([]);
  });
});

describe('foreign-untouched (b): reducing orders target only owned quantity', () => {
  it('a close on the wrong side (buying more of a long) is reported even though it was rejected', () => {
    const b = withForeign704();
    openIronCondor(b);
    const wrong = b.order({ legs: [[xsp.c693, 'BUY']], intent: 'close' });
    b.reject(wrong);
    const result = check(b.build());
    expect(found(result)).toEqual([['foreign-untouched', b.lastSeq - 1]]);
    expect(result.violations[0]?.message).toContain(
      'BUY 1 XSP 2026-02-13 693C [841469881] but group g1 holds +1',
    );
  });

  it('a close larger than what the group owns is reported', () => {
    const b = withForeign704();
    openIronCondor(b);
    const tooBig = b.order({ legs: [[xsp.p671, 'SELL']], qty: 2, intent: 'close' });
    b.reject(tooBig);
    const result = check(b.build());
    expect(found(result)).toEqual([['foreign-untouched', b.lastSeq - 1]]);
    expect(result.violations[0]?.message).toContain(
      'SELL 2 XSP 2026-02-13 671P [841470995] but group g1 owns only +1',
    );
  });

  it('a reduceOnly order counts as reducing whatever the report calls it', () => {
    const b = withForeign704();
    openIronCondor(b);
    const o = b.order({ legs: [[xsp.c704, 'SELL']], qty: 24, intent: 'open', reduceOnly: true });
    b.reject(o);
    expect(found(check(b.build()))).toEqual([['foreign-untouched', b.lastSeq - 1]]);
  });

  it('closing a quantity only another group owns touches what this group does not own', () => {
    const b = withForeign704();
    openIronCondor(b);
    const g2 = b.order({ legs: [[xsp.c691, 'BUY']], group: 'g2' });
    b.ack(g2).fill(g2, xsp.c691);
    const wrongGroup = b.order({ legs: [[xsp.c691, 'SELL']], intent: 'close', group: 'g1' });
    b.reject(wrongGroup);
    expect(found(check(b.build()))).toEqual([['foreign-untouched', b.lastSeq - 1]]);
  });

  it('two groups netting to zero in one instrument: each closes its own side freely', () => {
    const b = withForeign704().at('09:56');
    const c694 = { ...xsp.c693, id: '841469890', strike: 694 };
    const lower = b.order({
      legs: [
        [xsp.c692, 'SELL'],
        [xsp.c693, 'BUY'],
      ],
      group: 'lower',
    });
    b.ack(lower).comboFill(lower, [0.25, 0.19]);
    const upper = b.order({
      legs: [
        [xsp.c693, 'SELL'],
        [c694, 'BUY'],
      ],
      group: 'upper',
    });
    b.ack(upper).comboFill(upper, [0.19, 0.15]); // keel nets to zero in 693C
    b.at('11:00');
    // lower closes shorts first; its SELL 693C takes keel's net from 0 to -1, which is upper's.
    const closeShort = b.order({ legs: [[xsp.c692, 'BUY']], intent: 'close', group: 'lower' });
    b.ack(closeShort).fill(closeShort, xsp.c692);
    const closeLong = b.order({ legs: [[xsp.c693, 'SELL']], intent: 'close', group: 'lower' });
    b.ack(closeLong).fill(closeLong, xsp.c693);
    const input = b.build();
    expect(input.report.groups.map((g) => g.status)).toEqual(['closed', 'open']);
    expect(found(check(input, { converged: true }))).toEqual([]);
  });

  it('bracket children may protect what their parent is still buying', () => {
    const pltr = equity(7, 'PLTR');
    const b = new VenueLogBuilder().at('09:45');
    const parent = b.order({
      legs: [[pltr, 'BUY']],
      qty: 291,
      limitPrice: 170.77,
      group: 'pltr',
      strategy: 'operator',
    });
    const spec = {
      legs: [[pltr, 'SELL']] as const,
      qty: 291,
      intent: 'protect' as const,
      reduceOnly: true,
      group: 'pltr',
      parentVenueOrderId: parent,
    };
    const takeProfit = b.order({ ...spec, limitPrice: 180 });
    const stopLoss = b.order(spec);
    b.ack(parent).ack(takeProfit).ack(stopLoss).wait(1).fill(parent, pltr, { price: 170.77, commission: 1 });
    b.at('10:30').fill(takeProfit, pltr, { price: 180, commission: 1 }).cancel(stopLoss, 'OCA');
    expect(found(check(b.build(), { converged: true }))).toEqual([]);
  });

  it('a protect order with nothing owned and no parent is reported', () => {
    const pltr = equity(7, 'PLTR');
    const b = new VenueLogBuilder().position(pltr, 500, 150).at('09:45');
    const stop = b.order({ legs: [[pltr, 'SELL']], qty: 500, intent: 'protect', group: 'pltr' });
    b.ack(stop);
    const result = check(b.build());
    expect(found(result)).toEqual([['foreign-untouched', 2]]);
    expect(result.violations[0]?.message).toBe(
      `reducing order ${stop} (pltr-1): SELL 500 PLTR [7] but group pltr owns none of it (venue +500, foreign +500)`,
    );
  });
});
