import { describe, expect, it } from 'vitest';
import { check, formatVerdict } from './check';
import { checkConverged } from './converged';
import {
  found,
  ironCondorCloseLegs,
  openIronCondor,
  withForeign704,
  xsp,
} from '../../../test/support/venue-log-builder';

describe('a clean iron condor', () => {
  it('open as a combo and close as a combo: no violation, converged, the PnL the venue says', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('11:00');
    const close = b.order({ legs: ironCondorCloseLegs(), intent: 'close' });
    b.wait(0.05).ack(close).comboFill(close, [0.1, 0.08, 0.05, 0.03]);
    const input = b.build();
    // Worked by hand: credit 16.00, close debit 10.00, 8 x 0.65 commissions: net 0.80.
    expect(input.report.groups[0]).toMatchObject({ status: 'closed', realizedPnl: 0.8, commissions: 5.2 });
    const result = check(input, { converged: true });
    expect(found(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.stats).toEqual({
      lines: input.lines.length,
      keelOrders: 2,
      keelFills: 8,
      externalFills: 0,
    });
    expect(formatVerdict(result)).toBe(
      `checker: 0 violations over ${input.lines.length} venue events (2 keel orders, 8 keel fills, 0 external fills)`,
    );
  });

  it('per-leg fallback in the safe order (open longs first, close shorts first) is clean', () => {
    const b = withForeign704().at('09:56');
    const longsFirst = [
      [xsp.p671, 'BUY'],
      [xsp.c693, 'BUY'],
      [xsp.p672, 'SELL'],
      [xsp.c692, 'SELL'],
    ] as const;
    for (const [instrument, side] of longsFirst) {
      const o = b.order({ legs: [[instrument, side]], intent: 'open' });
      b.ack(o).fill(o, instrument, { price: 0.2 });
    }
    b.at('11:00');
    for (const [instrument, side] of ironCondorCloseLegs()) {
      const o = b.order({ legs: [[instrument, side]], intent: 'close', reduceOnly: true });
      b.ack(o).fill(o, instrument, { price: 0.1 });
    }
    expect(found(check(b.build(), { converged: true }))).toEqual([]);
  });

  it('a combo whose short legs are reported before its longs is one event, not a naked instant', () => {
    const b = withForeign704().at('09:56');
    const shortsListedFirst = [
      [xsp.p672, 'SELL'],
      [xsp.c692, 'SELL'],
      [xsp.p671, 'BUY'],
      [xsp.c693, 'BUY'],
    ] as const;
    const open = b.order({ legs: shortsListedFirst, intent: 'open' });
    b.ack(open).comboFill(open, [0.3, 0.25, 0.2, 0.19]);
    expect(found(check(b.build()))).toEqual([]);
  });

  it('held to expiry: settlement closes the group at the settlement price', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('16:00');
    // Spot 692.50 at expiry: the short 692C settles 0.50 in the money, the rest expire worthless.
    // The long 693C is settled first; one instant's settlements are one event, so no naked instant.
    b.settle(xsp.c693, 0).settle(xsp.c692, 0.5).settle(xsp.p671, 0).settle(xsp.p672, 0).settle(xsp.c704, 0);
    const input = b.build();
    // Credit 16.00, short call settles -50.00, commissions 4 x 0.65: net -36.60.
    expect(input.report.groups[0]).toMatchObject({ status: 'closed', realizedPnl: -36.6, commissions: 2.6 });
    expect(found(check(input, { converged: true }))).toEqual([]);
  });
});

describe('the Feb 13 contamination cascade', () => {
  it('selling the foreign 704C is foreign-untouched; the stale 671P close that flips is no-flip', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('10:08');
    // False stop: the combo close is rejected, the per-leg fallback starts (shorts first).
    const combo = b.order({ legs: ironCondorCloseLegs(), intent: 'close' });
    b.wait(0.05).reject(combo);
    const closeFirst = [
      [xsp.p672, 'BUY'],
      [xsp.c692, 'BUY'],
      [xsp.c693, 'SELL'],
    ] as const;
    for (const [instrument, side] of closeFirst) {
      const o = b.order({ legs: [[instrument, side]], intent: 'close' });
      b.ack(o).fill(o, instrument);
    }
    const staleA = b.order({ legs: [[xsp.p671, 'SELL']], intent: 'close' });
    b.ack(staleA);
    // The fallback grabbed every XSP position, including the foreign 24x 704C.
    const foreign = b.order({ legs: [[xsp.c704, 'SELL']], qty: 24, intent: 'close' });
    const foreignSeq = b.lastSeq;
    b.wait(0.05).reject(foreign);
    // A retry sent while the first 671P close is still pending.
    const staleB = b.order({ legs: [[xsp.p671, 'SELL']], intent: 'close' });
    b.ack(staleB).wait(30).fill(staleA, xsp.p671).fill(staleB, xsp.p671);
    const flipSeq = b.lastSeq - 1; // the fill line, before its position line
    const result = check(b.build());
    expect(found(result)).toEqual([
      ['foreign-untouched', foreignSeq],
      ['no-flip', flipSeq],
      ['defined-risk', flipSeq],
    ]);
    const [touch, flip, naked] = result.violations;
    expect(touch?.message).toContain('SELL 24 XSP 2026-02-13 704C [842236402] but group g1 owns none of it');
    expect(touch?.message).toContain(foreign);
    expect(flip?.message).toContain('takes group g1 from 0 to -1');
    expect(naked?.message).toContain('1 of XSP 2026-02-13 671P [841470995]');
    expect(formatVerdict(result)).toMatch(/^checker: 3 violations over \d+ venue events/);
    expect(formatVerdict(result).split('\n')).toHaveLength(5);
  });
});

describe('the Jan 28 naked short after a partial close', () => {
  it('selling the long call while its short is open is defined-risk, once for the episode', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('11:00');
    const putShort = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close' });
    b.ack(putShort).fill(putShort, xsp.p672);
    const putLong = b.order({ legs: [[xsp.p671, 'SELL']], intent: 'close' });
    b.ack(putLong).fill(putLong, xsp.p671);
    const callShort = b.order({ legs: [[xsp.c692, 'BUY']], intent: 'close' });
    b.reject(callShort); // the close loop carried on after this failure ...
    const callLong = b.order({ legs: [[xsp.c693, 'SELL']], intent: 'close' });
    b.ack(callLong).fill(callLong, xsp.c693, { positionLine: false });
    const nakedSeq = b.lastSeq;
    b.raw({ type: 'position', instrument: xsp.c693, qty: 0, avgPrice: 0 });
    b.wait(60);
    const retry = b.order({ legs: [[xsp.c692, 'BUY']], intent: 'close' });
    b.ack(retry).fill(retry, xsp.c692);
    const result = check(b.build(), { converged: true });
    expect(found(result)).toEqual([['defined-risk', nakedSeq]]);
    expect(result.violations[0]?.message).toBe(
      'short call uncovered: 1 of XSP 2026-02-13 692C [841469864] has no long call at or above its strike ' +
        '(keel holds XSP 2026-02-13 692C [841469864] -1)',
    );
  });

  it('a per-leg open that sells the short before buying its long is defined-risk at the short fill', () => {
    const b = withForeign704().at('09:56');
    const short = b.order({ legs: [[xsp.c692, 'SELL']], intent: 'open' });
    b.ack(short).fill(short, xsp.c692, { price: 0.25 });
    const shortSeq = b.lastSeq - 1;
    const long = b.order({ legs: [[xsp.c693, 'BUY']], intent: 'open' });
    b.ack(long).fill(long, xsp.c693, { price: 0.19 });
    expect(found(check(b.build()))).toEqual([['defined-risk', shortSeq]]);
  });
});

describe('convergence', () => {
  it('an order still working at the end is order-left-working (only when asked)', () => {
    const b = withForeign704();
    openIronCondor(b);
    const tp = b.order({ legs: ironCondorCloseLegs(), intent: 'close', limitPrice: 0.05 });
    const tpSeq = b.lastSeq;
    b.ack(tp);
    const input = b.build();
    expect(found(check(input))).toEqual([]);
    expect(found(checkConverged(input))).toEqual([['order-left-working', tpSeq]]);
    expect(found(check(input, { converged: true }))).toEqual([['order-left-working', tpSeq]]);
  });

  it("a bracket's stop resting over the open position it protects is not a stray order", () => {
    const b = withForeign704();
    const entry = b.order({
      legs: [[xsp.c693, 'BUY']],
      intent: 'open',
      limitPrice: 0.2,
      group: 'b1',
      qty: 2,
    });
    b.ack(entry).fill(entry, xsp.c693);
    const protect = (qty: number, group = 'b1') =>
      b.order({
        legs: [[xsp.c693, 'SELL']],
        intent: 'protect',
        limitPrice: 0.1,
        group,
        qty,
        reduceOnly: true,
        parentVenueOrderId: entry,
      });
    const stop = protect(2);
    b.ack(stop);
    expect(found(checkConverged(b.build()))).toEqual([]);
    // Larger than what it protects, or not reduce-only: a stray order after all.
    const tooBig = protect(3);
    const tooBigSeq = b.lastSeq;
    b.ack(tooBig);
    expect(found(checkConverged(b.build()))).toEqual([['order-left-working', tooBigSeq]]);
  });

  it('a protective order left working after its group closed is a stray order', () => {
    const b = withForeign704();
    const entry = b.order({ legs: [[xsp.c693, 'BUY']], intent: 'open', limitPrice: 0.2, group: 'b2' });
    b.ack(entry).fill(entry, xsp.c693);
    const stop = b.order({
      legs: [[xsp.c693, 'SELL']],
      intent: 'protect',
      limitPrice: 0.1,
      group: 'b2',
      reduceOnly: true,
      parentVenueOrderId: entry,
    });
    const stopSeq = b.lastSeq;
    b.ack(stop);
    const input = b.build((r) => {
      const g = r.groups.find((x) => x.id === 'b2');
      if (g !== undefined) g.status = 'closed';
    });
    expect(found(checkConverged(input))).toContainEqual(['order-left-working', stopSeq]);
  });

  it('orders on instruments that expired count as ended', () => {
    const b = withForeign704();
    openIronCondor(b);
    const tp = b.order({ legs: ironCondorCloseLegs(), intent: 'close', limitPrice: 0.05 });
    b.ack(tp).at('16:00');
    for (const i of [xsp.p671, xsp.p672, xsp.c692, xsp.c693]) b.settle(i, 0);
    expect(found(checkConverged(b.build()))).toEqual([]);
  });

  it('a group the report calls closed must be flat by its own fills', () => {
    const b = withForeign704();
    openIronCondor(b);
    const input = b.build((r) => {
      const g = r.groups[0];
      if (g !== undefined) g.status = 'closed';
    });
    const violations = checkConverged(input);
    expect(found(violations)).toEqual([['closed-group-not-flat', null]]);
    expect(violations[0]?.message).toContain('671P [841470995] +1');
  });
});

describe('scenario', () => {
  it('the report must be for the scenario and seed that ran', () => {
    const input = withForeign704().build();
    expect(found(check({ ...input, scenario: { name: 'feb13-contamination', seed: 7 } }))).toEqual([]);
    expect(found(check({ ...input, scenario: { name: 'feb13-contamination', seed: 8 } }))).toEqual([
      ['scenario-mismatch', null],
    ]);
  });
});
