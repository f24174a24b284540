import { describe, expect, it } from 'vitest';
import { AccountId, ClientOrderId, InvariantError, StrategyId, type Micros } from '../domain';
import {
  breaches,
  budgetToJson,
  close,
  createBudget,
  fill,
  incidentBudgetLimits,
  release,
  remaining,
  reserve,
  scan,
  startDay,
  startWeek,
  type BudgetLimits,
  type BudgetState,
  type ReserveRequest,
} from './budget';
import { budgetFromJson } from './budget-json';
import { RiskInputError } from './errors';

const operator = StrategyId.of('operator');
const condors = StrategyId.of('ic-0dte');
const $ = (dollars: number) => Math.round(dollars * 1_000_000) as Micros;
const HOUR = 3_600_000;

let nextId = 0;
function order(
  symbol: string,
  qty: number,
  price: number,
  more: Partial<ReserveRequest> = {},
): ReserveRequest {
  nextId++;
  return {
    id: ClientOrderId.of(`o${nextId}`),
    strategyId: operator,
    symbol,
    qty,
    price,
    exposurePerUnit: price,
    lot: 1,
    ...more,
  };
}

function budget(limits: BudgetLimits = incidentBudgetLimits, equity = 105_000): BudgetState {
  return createBudget({ accountId: AccountId.of('DU123'), t: 0, equity, limits });
}

function ok(state: BudgetState, req: ReserveRequest): BudgetState {
  const r = reserve(state, req);
  if (!r.ok) throw new Error(`expected ${req.symbol} to fit: ${r.refusal.message}`);
  return r.state;
}

function refused(state: BudgetState, req: ReserveRequest) {
  const r = reserve(state, req);
  if (r.ok) throw new Error(`expected ${req.symbol} to be refused`);
  return r.refusal;
}

/** Reserve and fill completely at the reserved exposure. */
function open(state: BudgetState, req: ReserveRequest): BudgetState {
  const s = ok(state, req);
  const exposure = $(req.qty * req.exposurePerUnit);
  return fill(s, { id: req.id, strategyId: req.strategyId, symbol: req.symbol, exposure, orderDone: true });
}

// Generous counts isolate the exposure rules in the tests that are about exposure.
const manyPositions: BudgetLimits = {
  ...incidentBudgetLimits,
  maxPositionsPerDay: 10,
  positionsPerWeekWarnAt: 20,
  maxPositionsPerWeek: 20,
};

describe('reserve: the 2026-01-02 incident replayed through the budget', () => {
  it('refuses PLTR 291 @ 170.77 with the per-position rule and the largest allowed order', () => {
    expect(refused(budget(), order('PLTR', 291, 170.77))).toEqual({
      rule: 'maxPositionPct',
      scope: { kind: 'account' },
      message:
        'PLTR 291 @ 170.77 = $49,694 is 47.3% of equity; the per-position cap is 10% ($10,500): at most 61 shares',
      maxAllowedExposure: $(10_500),
      maxAllowedQty: 61,
    });
  });

  it('refuses TSLA 76 @ 443.18: at most 23 shares', () => {
    const r = refused(budget(), order('TSLA', 76, 443.18));
    expect(r.message).toBe(
      'TSLA 76 @ 443.18 = $33,682 is 32.1% of equity; the per-position cap is 10% ($10,500): at most 23 shares',
    );
    expect(r.maxAllowedQty).toBe(23);
  });

  it('accepts 61 PLTR and 23 TSLA ($20,610, 19.6%), then refuses a third position that day', () => {
    let s = ok(budget(), order('PLTR', 61, 170.77));
    s = ok(s, order('TSLA', 23, 443.18));
    expect(remaining(s).account.usage.reservedTodayMicros).toBe($(20_610.11));
    const r = refused(s, order('NVDA', 1, 180));
    expect(r.rule).toBe('maxPositionsPerDay');
    expect(r.message).toBe(
      'NVDA would be position 3 today; the cap is 2 positions a day (the count restarts tomorrow): at most 0 shares',
    );
    expect(r.maxAllowedExposure).toBe(0);
  });
});

describe('reserve: reservations make concurrent orders safe', () => {
  it('two working orders hold the whole daily budget before either fills', () => {
    let s = ok(budget(manyPositions), order('AAA', 100, 105)); // $10,500
    s = ok(s, order('BBB', 100, 105)); // $10,500: the daily 20% is now fully reserved
    const r = refused(s, order('CCC', 1, 1));
    expect(r.rule).toBe('maxDailyPct');
    expect(r.message).toBe(
      "CCC 1 @ 1 = $1 would bring today's exposure to $21,001 (20% of equity); the daily cap is 20% ($21,000), $0 left today: at most 0 shares",
    );
  });

  it('the largest allowed order fits and one more lot does not', () => {
    const s = ok(budget(manyPositions), order('AAA', 100, 105));
    const r = refused(s, order('BBB', 800, 17.5, { lot: 100 })); // $14,000: over the 10% cap
    expect(r).toMatchObject({ rule: 'maxPositionPct', maxAllowedExposure: $(10_500), maxAllowedQty: 600 });
    expect(reserve(s, order('BBB', 600, 17.5, { lot: 100 })).ok).toBe(true);
    expect(reserve(s, order('BBB', 700, 17.5, { lot: 100 })).ok).toBe(false);
  });

  it('a rejected or cancelled order returns its reservation at once, without waiting for a scan', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 100, 105);
    s = ok(s, a);
    s = ok(s, order('BBB', 100, 105));
    s = release(s, { id: a.id });
    expect(remaining(s).account.dailyLeftMicros).toBe($(10_500));
    expect(remaining(s).account.usage.positionsToday).toBe(1); // nothing opened: the count returns too
    s = ok(s, order('CCC', 100, 105));
    expect(release(s, { id: a.id })).toBe(s); // a second report of the same end is a no-op
  });

  it('a fill at a better price consumes only what it filled and returns the rest', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 100, 105);
    s = ok(s, a);
    s = fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(10_400), orderDone: true });
    const acct = remaining(s).account;
    expect(acct.usage).toMatchObject({ consumedTodayMicros: $(10_400), reservedTodayMicros: 0 });
    expect(acct.dailyLeftMicros).toBe($(10_600));
  });

  it('partial fill then cancel: the filled part is a position, the rest is released', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 100, 105);
    s = ok(s, a);
    s = fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(4_200), orderDone: false });
    expect(remaining(s).account.usage).toMatchObject({
      consumedTodayMicros: $(4_200),
      reservedTodayMicros: $(6_300),
    });
    s = release(s, { id: a.id });
    expect(remaining(s).account.usage).toMatchObject({
      consumedTodayMicros: $(4_200),
      reservedTodayMicros: 0,
    });
    expect(s.entries[0]?.status).toBe('open');
  });
});

describe('close and scan: freed budget is available only at the next scheduled scan', () => {
  it('a position closed at 10:15 frees its budget at the 10:30 scan, not before', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 100, 105);
    s = open(s, a);
    s = open(s, order('BBB', 100, 105));
    s = close(s, { id: a.id });
    expect(remaining(s).account.usage.pendingFreeMicros).toBe($(10_500));
    expect(refused(s, order('CCC', 10, 105)).rule).toBe('maxDailyPct');
    s = scan(s, { t: HOUR });
    expect(remaining(s).account.usage.pendingFreeMicros).toBe(0);
    s = ok(s, order('CCC', 100, 105));
    expect(remaining(s).account.usage.positionsToday).toBe(3); // a closed position still counts as opened
  });

  it('closing twice is a no-op; closing an unknown or still-working order is an invariant error', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 10, 100);
    s = ok(s, a);
    expect(() => close(s, { id: a.id })).toThrow(/release its reservation before closing/);
    expect(() => close(s, { id: ClientOrderId.of('nope') })).toThrow(InvariantError);
    s = fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(1_000), orderDone: true });
    s = close(s, { id: a.id });
    expect(close(s, { id: a.id })).toBe(s);
  });

  it('a fill after the position was closed is an invariant error: the account is not what keel expects', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 10, 100);
    s = close(open(s, a), { id: a.id });
    expect(() =>
      fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(1), orderDone: true }),
    ).toThrow(InvariantError);
  });
});

describe('weekly pool: unused daily budget carries within the week', () => {
  const week: BudgetLimits = { ...incidentBudgetLimits, maxPositionsPerDay: 4 };

  it('unused Monday budget stays in the weekly pool: Tuesday may deploy its own 20%, never 40%', () => {
    let s = budget(week); // Monday: nothing opened
    s = startDay(s, { t: 24 * HOUR, equity: 105_000 }); // Tuesday
    s = open(s, order('AAA', 100, 105));
    s = open(s, order('BBB', 100, 105));
    const r = refused(s, order('CCC', 1, 100));
    expect(r.rule).toBe('maxDailyPct'); // the weekly pool still has $21,000; the daily cap binds
    expect(remaining(s).account.weeklyLeftMicros).toBe($(21_000));
  });

  it('the daily cap applies on top of the weekly remaining: Wednesday uses the carried budget, Thursday finds none', () => {
    let s = budget(week);
    s = startDay(s, { t: 24 * HOUR, equity: 105_000 });
    s = open(s, order('AAA', 100, 105));
    s = open(s, order('BBB', 100, 105));
    s = startDay(s, { t: 48 * HOUR, equity: 105_000 });
    s = open(s, order('CCC', 100, 105));
    s = open(s, order('DDD', 100, 105));
    s = startDay(s, { t: 72 * HOUR, equity: 105_000 });
    const r = refused(s, order('EEE', 1, 100));
    expect(r.rule).toBe('maxWeeklyPct');
    expect(r.message).toBe(
      "EEE 1 @ 100 = $100 would bring this week's exposure to $42,100 (40.1% of the week's starting equity); " +
        'the weekly cap is 40% ($42,000), $0 left this week: at most 0 shares',
    );
    expect(remaining(s).account.dailyLeftMicros).toBe($(21_000)); // today's cap is untouched: only the pool is empty
  });

  it('a day that leaves budget unused does not enlarge the next day: the daily cap never grows', () => {
    let s = budget(week);
    s = open(s, order('AAA', 50, 105)); // Monday uses $5,250 of $21,000
    s = startDay(s, { t: 24 * HOUR, equity: 105_000 });
    expect(remaining(s).account.dailyLeftMicros).toBe($(21_000));
    expect(remaining(s).account.weeklyLeftMicros).toBe($(42_000 - 5_250));
  });

  it("budget freed from an earlier day's position returns to the weekly pool, not to today's cap", () => {
    let s = budget(week);
    const monday = order('AAA', 100, 105);
    s = open(s, monday);
    s = open(s, order('BBB', 100, 105));
    s = startDay(s, { t: 24 * HOUR, equity: 105_000 });
    s = open(s, order('CCC', 100, 105));
    s = open(s, order('DDD', 100, 105)); // week at 40%
    s = scan(close(s, { id: monday.id }), { t: 25 * HOUR });
    const acct = remaining(s).account;
    expect(acct.weeklyLeftMicros).toBe($(10_500));
    expect(acct.dailyLeftMicros).toBe(0);
    expect(refused(s, order('EEE', 1, 100)).rule).toBe('maxDailyPct');
  });

  it('the daily and position caps follow the equity at the start of each day', () => {
    let s = startDay(budget(week), { t: 24 * HOUR, equity: 50_000 });
    const r = refused(s, order('AAA', 100, 51));
    expect(r.maxAllowedExposure).toBe($(5_000));
    expect(r.maxAllowedQty).toBe(98);
    s = ok(s, order('AAA', 98, 51));
    expect(remaining(s).account.caps).toEqual({
      positionMicros: $(5_000),
      dailyMicros: $(10_000),
      weeklyMicros: $(42_000),
    });
  });
});

describe('positions per day (hard) and per week (soft warning, then hard)', () => {
  it('warns from the 8th position of the week and refuses the 11th', () => {
    const limits: BudgetLimits = { ...incidentBudgetLimits, maxPositionPct: 0.01, maxPositionsPerDay: 2 };
    let s = budget(limits);
    const warnings: string[] = [];
    for (let i = 1; i <= 10; i++) {
      if (i % 2 === 1 && i > 1) s = startDay(s, { t: i * HOUR, equity: 105_000 });
      const r = reserve(s, order(`S${i}`, 1, 100));
      if (!r.ok) throw new Error(r.refusal.message);
      s = r.state;
      warnings.push(...r.warnings.map((w) => w.message));
    }
    expect(warnings).toEqual([
      'S8 is position 8 this week: warning from 8, hard cap 10',
      'S9 is position 9 this week: warning from 8, hard cap 10',
      'S10 is position 10 this week: warning from 8, hard cap 10',
    ]);
    s = startDay(s, { t: 20 * HOUR, equity: 105_000 });
    const r = refused(s, order('S11', 1, 100));
    expect(r.rule).toBe('maxPositionsPerWeek');
    expect(remaining(s).account).toMatchObject({ positionsWeekLeft: 0, nextOrderMaxMicros: 0 });
    expect(remaining(s).account.warning).toBe(
      '10 positions this week: past the warning level 8, hard cap 10',
    );
  });
});

describe('per-strategy budgets on top of the account', () => {
  const strategyLimits: BudgetLimits = {
    maxPositionPct: 0.02,
    maxDailyPct: 0.04,
    maxWeeklyPct: 0.1,
    maxPositionsPerDay: 4,
    positionsPerWeekWarnAt: 8,
    maxPositionsPerWeek: 10,
  };
  const both = () =>
    createBudget({
      accountId: AccountId.of('DU123'),
      t: 0,
      equity: 105_000,
      limits: manyPositions,
      strategyLimits: [{ strategyId: condors, limits: strategyLimits }],
    });
  const condor = (qty: number) =>
    order('SPX-IC', qty, 1.2, { strategyId: condors, exposurePerUnit: 380, unit: 'condors' });

  it("a strategy's order must fit the strategy's caps as well as the account's", () => {
    let s = ok(both(), condor(5)); // $1,900
    s = ok(s, condor(5));
    const r = refused(s, condor(5));
    expect(r).toMatchObject({
      rule: 'maxDailyPct',
      scope: { kind: 'strategy', strategyId: 'ic-0dte' },
      maxAllowedQty: 1,
    });
    expect(r.message).toBe(
      "strategy ic-0dte: SPX-IC 5 @ 1.2 = $1,900 would bring today's exposure to $5,700 (5.4% of equity); " +
        'the daily cap is 4% ($4,200), $400 left today: at most 1 condors',
    );
    expect(remaining(s).strategies[0]?.dailyLeftMicros).toBe($(400));
  });

  it('other strategies are held only by the account budget, which counts every strategy', () => {
    let s = ok(both(), condor(5));
    s = ok(s, order('AAA', 100, 105));
    expect(remaining(s).account.usage.reservedTodayMicros).toBe($(1_900 + 10_500));
    expect(remaining(s).strategies[0]?.usage.reservedTodayMicros).toBe($(1_900));
  });

  it('names the tighter limit when another rule allows less than the violated one', () => {
    let s = ok(both(), condor(5));
    s = ok(s, condor(5)); // strategy daily left: $400
    const r = refused(s, condor(10)); // $3,800 breaks the strategy's 2% position cap ($2,100)
    expect(r.rule).toBe('maxPositionPct');
    expect(r.message).toBe(
      'strategy ic-0dte: SPX-IC 10 @ 1.2 = $3,800 is 3.6% of equity; the per-position cap is 2% ($2,100): ' +
        'at most 1 condors (tighter: strategy ic-0dte: maxDailyPct, $400 left)',
    );
  });
});

describe('startWeek: the week resets after Friday only when every position is closed', () => {
  it('resets when flat: consumption, counts and equity start again', () => {
    let s = budget();
    const a = order('AAA', 50, 100);
    s = close(open(s, a), { id: a.id }); // closed, frees pending: still flat
    const r = startWeek(s, { t: 5 * 24 * HOUR, equity: 110_000 });
    expect(r.reset).toBe(true);
    expect(r.state.entries).toEqual([]);
    expect(r.state.week).toEqual({
      index: 1,
      startedAt: 5 * 24 * HOUR,
      equityMicros: $(110_000),
      rolledOn: null,
    });
    expect(remaining(r.state).account.caps.weeklyMicros).toBe($(44_000));
  });

  it('rolls on and says why when a position is open or an order is working', () => {
    let s = budget();
    s = open(s, order('PLTR', 61, 170.77));
    const working = order('TSLA', 23, 443.18);
    s = ok(s, working);
    const r = startWeek(s, { t: 5 * 24 * HOUR, equity: 110_000 });
    expect(r.reset).toBe(false);
    if (r.reset) return;
    expect(r.reason).toBe(
      'week not reset: 1 position(s) open (PLTR o' +
        String(nextId - 1) +
        ') and 1 order(s) working (TSLA o' +
        String(nextId) +
        "); the week's exposure and position counts roll on until every position is closed",
    );
    expect(r.state.entries).toEqual(s.entries);
    expect(r.state.week).toMatchObject({
      index: 0,
      equityMicros: $(105_000),
      rolledOn: { times: 1, reason: r.reason },
    });
    expect(remaining(r.state).weekRolledOn).toBe(r.reason);
    const again = startWeek(r.state, { t: 12 * 24 * HOUR, equity: 110_000 });
    expect(again.state.week.rolledOn?.times).toBe(2);
  });
});

describe('facts beyond the reservation are applied and reported as breaches', () => {
  it('a fill larger than its reservation (slippage on a market order)', () => {
    let s = budget(manyPositions);
    const a = order('AAA', 100, 105);
    s = ok(s, a);
    s = ok(s, order('BBB', 100, 105));
    expect(breaches(s)).toEqual([]);
    s = fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(10_600), orderDone: true });
    expect(breaches(s).map((b) => b.rule)).toEqual(['maxDailyPct', 'maxPositionPct']);
  });

  it('a fill after the order was released is recorded (a fill after a cancel is real life)', () => {
    let s = budget();
    const a = order('AAA', 10, 100);
    s = release(ok(s, a), { id: a.id });
    expect(s.entries).toEqual([]);
    s = fill(s, { id: a.id, strategyId: operator, symbol: 'AAA', exposure: $(1_000), orderDone: true });
    expect(s.entries).toMatchObject([{ id: a.id, status: 'open', filledMicros: $(1_000) }]);
    expect(remaining(s).account.usage.positionsToday).toBe(1);
  });

  it('a fill that does not match its reservation is an invariant error', () => {
    const a = order('AAA', 10, 100);
    const s = ok(budget(), a);
    expect(() =>
      fill(s, { id: a.id, strategyId: condors, symbol: 'AAA', exposure: $(1), orderDone: false }),
    ).toThrow(InvariantError);
  });
});

describe('inputs', () => {
  it.each([
    { field: 'qty', req: () => order('AAA', 150, 10, { lot: 100 }) },
    { field: 'qty', req: () => order('AAA', 0, 10) },
    { field: 'price', req: () => order('AAA', 1, -10) },
    { field: 'exposurePerUnit', req: () => order('AAA', 1, 10, { exposurePerUnit: 0 }) },
  ])('refuses a request with a bad $field', ({ field, req }) => {
    expect(() => reserve(budget(), req())).toThrow(RiskInputError);
    expect(() => reserve(budget(), req())).toThrow(`reserve: ${field}`);
  });

  it('refuses limits that make no sense', () => {
    expect(() => budget({ ...incidentBudgetLimits, maxDailyPct: 20 })).toThrow('limits.maxDailyPct');
    expect(() => budget({ ...incidentBudgetLimits, positionsPerWeekWarnAt: 12 })).toThrow(
      'positionsPerWeekWarnAt',
    );
  });

  it('refuses the same order reserved twice and time going backwards', () => {
    const a = order('AAA', 1, 10);
    const s = ok(budget(), a);
    expect(() => reserve(s, a)).toThrow(InvariantError);
    const later = scan(s, { t: 10 * HOUR });
    expect(() => startDay(later, { t: HOUR, equity: 1 })).toThrow(/backwards/);
  });
});

describe('serialisation', () => {
  it('round-trips through JSON to an equal state', () => {
    let s = budget();
    s = open(s, order('PLTR', 61, 170.77));
    s = ok(s, order('TSLA', 23, 443.18));
    const restored = budgetFromJson(budgetToJson(s));
    expect(restored).toEqual(s);
    expect(budgetToJson(restored)).toBe(budgetToJson(s));
  });

  it.each([
    { name: 'not JSON', mutate: () => '{' },
    { name: 'an unknown version', mutate: (j: Record<string, unknown>) => ({ ...j, version: 2 }) },
    {
      name: 'negative reserved micros',
      mutate: (j: Record<string, unknown>) => withEntry(j, { reservedMicros: -1 }),
    },
    {
      name: 'fractional micros',
      mutate: (j: Record<string, unknown>) => withEntry(j, { reservedMicros: 1.5 }),
    },
    { name: 'an unknown status', mutate: (j: Record<string, unknown>) => withEntry(j, { status: 'lost' }) },
    { name: 'a malformed id', mutate: (j: Record<string, unknown>) => withEntry(j, { id: '' }) },
    { name: 'an entry from a future day', mutate: (j: Record<string, unknown>) => withEntry(j, { day: 9 }) },
    {
      name: 'an open entry with a reservation',
      mutate: (j: Record<string, unknown>) => withEntry(j, { status: 'open', reservedMicros: 5 }),
    },
    {
      name: 'bad limits',
      mutate: (j: Record<string, unknown>) => ({
        ...j,
        limits: { ...incidentBudgetLimits, maxWeeklyPct: 4 },
      }),
    },
  ])('refuses a state with $name', ({ mutate }) => {
    const json = JSON.parse(budgetToJson(ok(budget(), order('AAA', 1, 10)))) as Record<string, unknown>;
    const mutated = mutate(json);
    const text = typeof mutated === 'string' ? mutated : JSON.stringify(mutated);
    expect(() => budgetFromJson(text)).toThrow();
  });
});

function withEntry(j: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const entries = j['entries'] as Record<string, unknown>[];
  return { ...j, entries: [{ ...entries[0], ...patch }] };
}
