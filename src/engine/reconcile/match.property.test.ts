// Matching by characteristics, checked over random candidates: the result never depends on the
// order candidates come in, a candidate on another instrument, side or quantity never matches,
// two fitting candidates match nothing, and a match's confidence stays in [confidenceMin, 1].
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientOrderId, GroupId, InstrumentId } from '../../domain';
import {
  confidenceMin,
  matchClosedPosition,
  matchExecution,
  priceTolerancePct,
  timeWindowMs,
  type GroupCandidate,
  type OrderCandidate,
} from './match';

const btc = InstrumentId.of('841000001');
const eth = InstrumentId.of('841000002');
const lot = 0.0001;

const candidate = fc.record({
  n: fc.integer({ min: 1, max: 50 }),
  instrumentId: fc.constantFrom(btc, eth),
  side: fc.constantFrom('LONG' as const, 'SHORT' as const),
  qty: fc.constantFrom(0.0846, 0.1, 0.0845),
  priceOff: fc.double({ min: -0.004, max: 0.004, noNaN: true }),
  timeOff: fc.integer({ min: -2 * timeWindowMs, max: 2 * timeWindowMs }),
});

const record = {
  instrumentId: btc,
  side: 'LONG' as const,
  qty: 0.0846,
  avgPrice: 100_000,
  openedAt: 1_000_000_000,
};

type CandidateSpec = {
  n: number;
  instrumentId: typeof btc;
  side: 'LONG' | 'SHORT';
  qty: number;
  priceOff: number;
  timeOff: number;
};

function toGroup(c: CandidateSpec): GroupCandidate {
  return {
    groupId: GroupId.of(`g-${c.n}`),
    instrumentId: c.instrumentId,
    side: c.side,
    qty: c.qty,
    avgPrice: record.avgPrice * (1 + c.priceOff),
    openedAt: record.openedAt + c.timeOff,
  };
}

describe('matching a closed position by characteristics', () => {
  it('does not depend on the order of the candidates', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { selector: (c) => c.n, maxLength: 6 }),
        fc.integer(),
        (cs, seed) => {
          const groups = cs.map(toGroup);
          const shuffled = [...groups].sort(
            (a, b) =>
              ((a.groupId.length * seed) % 7) - ((b.groupId.length * seed) % 7) ||
              (a.groupId < b.groupId ? 1 : -1),
          );
          expect(matchClosedPosition(shuffled, record, lot)).toEqual(
            matchClosedPosition(groups, record, lot),
          );
        },
      ),
    );
  });

  it('matches only the same instrument, side and quantity, within price and time, with a bounded confidence', () => {
    fc.assert(
      fc.property(candidate, (c) => {
        const m = matchClosedPosition([toGroup(c)], record, lot);
        const fits =
          c.instrumentId === btc &&
          c.side === 'LONG' &&
          c.qty === 0.0846 &&
          Math.abs(c.timeOff) <= timeWindowMs &&
          Math.abs(record.avgPrice - record.avgPrice * (1 + c.priceOff)) /
            (record.avgPrice * (1 + c.priceOff)) <=
            priceTolerancePct;
        if (m.kind === 'match') {
          expect(fits).toBe(true);
          expect(m.confidence).toBeGreaterThanOrEqual(confidenceMin);
          expect(m.confidence).toBeLessThanOrEqual(1);
        } else expect(m.kind).toBe(fits ? 'match' : 'none');
      }),
    );
  });

  it('is ambiguous, never a guess, when two groups fit', () => {
    const a = toGroup({ n: 1, instrumentId: btc, side: 'LONG', qty: 0.0846, priceOff: 0, timeOff: 0 });
    const b = { ...a, groupId: GroupId.of('g-2') };
    expect(matchClosedPosition([a, b], record, lot)).toEqual({ kind: 'ambiguous', ids: ['g-1', 'g-2'] });
  });
});

describe('matching an execution without ids', () => {
  const order = (n: number, o: Partial<OrderCandidate>): OrderCandidate => ({
    clientOrderId: ClientOrderId.of(`g-o${n}`),
    instrumentId: btc,
    side: 'SELL',
    remainingQty: 0.0846,
    type: 'LMT',
    limitPrice: 100_000,
    triggerPrice: null,
    createdAt: 0,
    ...o,
  });
  const x = { instrumentId: btc, side: 'SELL' as const, qty: 0.0846, price: 100_000, t: 10 };

  it('never matches a sell below its limit, more than remains, or before the order existed', () => {
    expect(matchExecution([order(1, { limitPrice: 100_000.5 })], x, 0.1).kind).toBe('none');
    expect(matchExecution([order(1, { remainingQty: 0.08 })], x, 0.1).kind).toBe('none');
    expect(matchExecution([order(1, { createdAt: 11 })], x, 0.1).kind).toBe('none');
    expect(matchExecution([order(1, {})], x, 0.1)).toMatchObject({
      kind: 'match',
      id: 'g-o1',
      confidence: 0.9,
    });
  });

  it('tells a stop from a take-profit by which side of its trigger the price is', () => {
    const stop = order(1, { type: 'STP', limitPrice: null, triggerPrice: 101_000 });
    const target = order(2, { type: 'MIT', limitPrice: null, triggerPrice: 99_000 });
    expect(matchExecution([stop, target], { ...x, price: 100_000 }, 0.1).kind).toBe('ambiguous');
    expect(matchExecution([stop, target], { ...x, price: 102_000 }, 0.1)).toMatchObject({ id: 'g-o2' });
    expect(matchExecution([stop, target], { ...x, price: 98_000 }, 0.1)).toMatchObject({ id: 'g-o1' });
  });
});
