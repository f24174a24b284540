// Property tests of the budget state machine: random sequences of reserve / fill / release /
// close / scan / startDay (and startWeek) against caps recomputed here independently from the
// entries. fast-check prints the seed and the shrunk sequence of any failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccountId, ClientOrderId, StrategyId, type Micros } from '../domain';
import {
  breaches,
  budgetToJson,
  close,
  createBudget,
  fill,
  release,
  reserve,
  scan,
  startDay,
  startWeek,
  type BudgetEntry,
  type BudgetLimits,
  type BudgetState,
} from './budget';
import { budgetFromJson } from './budget-json';

const strategies = [StrategyId.of('alpha'), StrategyId.of('beta'), StrategyId.of('operator')] as const;
// Whole percentages, so the test computes caps in integers without the code under test.
const accountPct = { position: 10, daily: 20, weekly: 40 };
const alphaPct = { position: 5, daily: 10, weekly: 15 };
const accountLimits: BudgetLimits = {
  maxPositionPct: 0.1,
  maxDailyPct: 0.2,
  maxWeeklyPct: 0.4,
  maxPositionsPerDay: 6,
  positionsPerWeekWarnAt: 8,
  maxPositionsPerWeek: 16,
};
const alphaLimits: BudgetLimits = {
  maxPositionPct: 0.05,
  maxDailyPct: 0.1,
  maxWeeklyPct: 0.15,
  maxPositionsPerDay: 3,
  positionsPerWeekWarnAt: 3,
  maxPositionsPerWeek: 6,
};

type Op =
  | { kind: 'reserve'; strategy: 0 | 1 | 2; qty: number; priceCents: number; lot: 1 | 10 }
  | { kind: 'fill'; pick: number; pct: number; done: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'close'; pick: number }
  | { kind: 'scan' }
  | { kind: 'startDay'; equityCents: number }
  | { kind: 'startWeek'; equityCents: number };

const equityCents = fc.integer({ min: 5_000_000, max: 12_000_000 });
const weekOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      strategy: fc.constantFrom(0 as const, 1 as const, 2 as const),
      qty: fc.integer({ min: 1, max: 30 }),
      priceCents: fc.integer({ min: 100, max: 15_000 }),
      lot: fc.constantFrom(1 as const, 10 as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      pick: fc.nat(),
      pct: fc.integer({ min: 0, max: 100 }),
      done: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('startDay' as const), equityCents }) },
);
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: weekOp },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('startWeek' as const), equityCents }) },
);

function initial(equity: number): BudgetState {
  return createBudget({
    accountId: AccountId.of('DU123'),
    t: 0,
    equity,
    limits: accountLimits,
    strategyLimits: [{ strategyId: strategies[0], limits: alphaLimits }],
  });
}

const pickFrom = (
  state: BudgetState,
  status: BudgetEntry['status'],
  pick: number,
): BudgetEntry | undefined => {
  const candidates = state.entries.filter((e) => e.status === status);
  return candidates[pick % Math.max(1, candidates.length)];
};

/** One event; a pure function of (state, op, index), so a restored state can replay the same tail. */
function step(state: BudgetState, op: Op, index: number): { state: BudgetState; outcome: unknown } {
  const t = (index + 1) * 60_000;
  switch (op.kind) {
    case 'reserve': {
      const price = op.priceCents / 100;
      const req = {
        id: ClientOrderId.of(`o${index}`),
        strategyId: strategies[op.strategy],
        symbol: `S${index}`,
        qty: op.qty * op.lot,
        price,
        exposurePerUnit: price,
        lot: op.lot,
      };
      const r = reserve(state, req);
      if (r.ok) return { state: r.state, outcome: { ok: true, warnings: r.warnings } };
      checkRefusalIsHonest(state, req, r.refusal.maxAllowedQty);
      return { state, outcome: r };
    }
    case 'fill': {
      const e = pickFrom(state, 'working', op.pick);
      if (e === undefined) return { state, outcome: 'skip' };
      const exposure = Math.floor((e.reservedMicros * op.pct) / 100) as Micros; // never beyond the reservation
      const ev = { id: e.id, strategyId: e.strategyId, symbol: e.symbol, exposure, orderDone: op.done };
      return { state: fill(state, ev), outcome: ev };
    }
    case 'release': {
      const e = pickFrom(state, 'working', op.pick);
      return e === undefined
        ? { state, outcome: 'skip' }
        : { state: release(state, { id: e.id }), outcome: e.id };
    }
    case 'close': {
      const e = pickFrom(state, 'open', op.pick);
      return e === undefined
        ? { state, outcome: 'skip' }
        : { state: close(state, { id: e.id }), outcome: e.id };
    }
    case 'scan':
      return { state: scan(state, { t }), outcome: 'scan' };
    case 'startDay':
      return { state: startDay(state, { t, equity: op.equityCents / 100 }), outcome: 'day' };
    case 'startWeek': {
      const r = startWeek(state, { t, equity: op.equityCents / 100 });
      return { state: r.state, outcome: r };
    }
  }
}

/** maxAllowedQty is the largest order that fits: it is accepted, one more lot is not. */
function checkRefusalIsHonest(state: BudgetState, req: Parameters<typeof reserve>[1], maxQty: number): void {
  if (maxQty > 0) expect(reserve(state, { ...req, qty: maxQty }).ok).toBe(true);
  expect(reserve(state, { ...req, qty: maxQty + req.lot }).ok).toBe(false);
}

const capOf = (equityMicros: number, pct: number) => Math.floor((equityMicros * pct) / 100);

/** The caps, recomputed from the entries without the code under test. */
function checkCaps(state: BudgetState): void {
  const scopes = [
    { entries: state.entries, pct: accountPct, limits: accountLimits },
    {
      entries: state.entries.filter((e) => e.strategyId === strategies[0]),
      pct: alphaPct,
      limits: alphaLimits,
    },
  ];
  for (const { entries, pct, limits } of scopes) {
    const live = entries.filter((e) => e.status !== 'freed');
    const today = live.filter((e) => e.day === state.day.index);
    const sum = (es: readonly BudgetEntry[]) => es.reduce((a, e) => a + e.filledMicros + e.reservedMicros, 0);
    expect(sum(today)).toBeLessThanOrEqual(capOf(state.day.equityMicros, pct.daily));
    expect(sum(live)).toBeLessThanOrEqual(capOf(state.week.equityMicros, pct.weekly));
    expect(entries.filter((e) => e.day === state.day.index).length).toBeLessThanOrEqual(
      limits.maxPositionsPerDay,
    );
    expect(entries.length).toBeLessThanOrEqual(limits.maxPositionsPerWeek);
  }
  expect(breaches(state)).toEqual([]);
}

function checkNewReservation(before: BudgetState, after: BudgetState): void {
  const added = after.entries.filter((e) => !before.entries.some((b) => b.id === e.id));
  for (const e of added) {
    expect(e.reservedMicros).toBeLessThanOrEqual(capOf(before.day.equityMicros, accountPct.position));
    if (e.strategyId === strategies[0])
      expect(e.reservedMicros).toBeLessThanOrEqual(capOf(before.day.equityMicros, alphaPct.position));
  }
}

const run = (ops: readonly Op[], from: BudgetState, offset = 0) => {
  let state = from;
  const outcomes: unknown[] = [];
  ops.forEach((op, i) => {
    const r = step(state, op, offset + i);
    state = r.state;
    outcomes.push(r.outcome);
  });
  return { state, outcomes };
};

describe('budget: properties', () => {
  it('for any sequence of events within a week, no exposure, position or count cap is ever exceeded', () => {
    fc.assert(
      fc.property(equityCents, fc.array(weekOp, { maxLength: 80, size: 'max' }), (equity, ops) => {
        let state = initial(equity / 100);
        ops.forEach((op, i) => {
          const next = step(state, op, i).state;
          if (op.kind === 'reserve') checkNewReservation(state, next);
          state = next;
          checkCaps(state);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('serialising and restoring at any point gives an equal state that behaves identically', () => {
    fc.assert(
      fc.property(
        equityCents,
        fc.array(anyOp, { maxLength: 80, size: 'max' }),
        fc.nat(),
        (equity, ops, cut) => {
          const k = ops.length === 0 ? 0 : cut % (ops.length + 1);
          const head = run(ops.slice(0, k), initial(equity / 100));
          const restored = budgetFromJson(budgetToJson(head.state));
          expect(restored).toEqual(head.state);
          const original = run(ops.slice(k), head.state, k);
          const replayed = run(ops.slice(k), restored, k);
          expect(replayed.outcomes).toEqual(original.outcomes);
          expect(replayed.state).toEqual(original.state);
          expect(budgetToJson(replayed.state)).toBe(budgetToJson(original.state));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the week resets only when nothing is open or working, and otherwise changes nothing but its note', () => {
    fc.assert(
      fc.property(
        equityCents,
        fc.array(weekOp, { maxLength: 60, size: 'max' }),
        equityCents,
        (equity, ops, nextEquity) => {
          const { state } = run(ops, initial(equity / 100));
          const r = startWeek(state, { t: 10_000_000, equity: nextEquity / 100 });
          const busy = state.entries.filter((e) => e.status === 'open' || e.status === 'working');
          expect(r.reset).toBe(busy.length === 0);
          if (r.reset) {
            expect(r.state.entries).toEqual([]);
            expect(r.state.week.index).toBe(state.week.index + 1);
          } else {
            expect(r.state.entries).toEqual(state.entries);
            expect(r.state.week).toEqual({ ...state.week, rolledOn: { times: 1, reason: r.reason } });
            for (const e of busy) expect(r.reason).toContain(e.symbol);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
