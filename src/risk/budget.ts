// Exposure budgets as a pure state machine. The engine journals the events that drive it
// (reserve, fill, release, close, scan, startDay, startWeek); replaying them rebuilds the state,
// and the state is plain JSON. It exists because of the 2026-01-02 incident: manual orders
// deployed 79% of the account; here every order, strategy or manual, passes the same budgets.
//
// Scopes: the account, and each strategy that has its own limits. An order must fit both.
// Amounts are integer micros. Caps are rounded down, exposures up, so rounding never lets an
// order past a cap.
//
// Rules, each with a stable code, checked in this order (account first, then the strategy):
//   maxPositionPct       one order's exposure <= pct x equity at the start of the day
//   maxPositionsPerDay   positions opened today (working orders included), hard
//   maxPositionsPerWeek  positions opened this week, hard; a warning from positionsPerWeekWarnAt
//   maxDailyPct          exposure of today's orders (reserved + filled, not yet freed)
//                        <= pct x equity at the start of the day
//   maxWeeklyPct         exposure of the week's orders (reserved + filled, not yet freed)
//                        <= pct x equity at the start of the week
//
// Lifecycle of an order's budget:
//   reserve   at submission: the order's full worst-case exposure is held, so two concurrent
//             orders cannot both squeeze under a cap
//   fill      converts reservation into consumption (a fill beyond its reservation is a fact and
//             is applied; breaches() reports it)
//   release   on reject, cancel or expiry: the unfilled reservation returns at once (it never
//             was exposure)
//   close     the position is flat; its exposure still counts until the next scan
//   scan      the scheduled scan (e.g. 10:30 and 15:55 ET) makes every pending free available
//
// What "unused daily budget carries within the week" means here: the weekly budget is one pool
// that nothing expires from. A day that deploys less than its daily cap leaves the rest in the
// weekly pool for later days; no day ever gets more than its own daily cap. Available today =
// min(daily cap - today's exposure, weekly cap - the week's exposure).
//
// Exposure belongs to the day its order was reserved on, and a freed position returns budget to
// that day (if it is still today) and to the week. Positions opened are never "returned": a
// closed position still counts toward today's and the week's position counts.
//
// The week resets (startWeek, after Friday's close) only when every position is closed and no
// order is working; otherwise it rolls on with all its consumption and counts, and says why.
import type { AccountId, ClientOrderId, EpochMs, Micros, StrategyId } from '../domain';
import { assert, InvariantError, memoByNumbers } from '../domain';
import {
  ceilMicros,
  div,
  floorMicros,
  floorR,
  mul,
  ratioInt,
  ratioOf,
  ratioOfMicros,
  toNumber,
} from './exact';
import { budgetIndex, carryIndex, noTotals, type ScopeTotals } from './budget-index';
import { RiskInputError, requireCount, requirePct, requirePositive } from './errors';
import { pct, plain, usd } from './format';

export type BudgetLimits = {
  readonly maxPositionPct: number;
  readonly maxDailyPct: number;
  readonly maxWeeklyPct: number;
  readonly maxPositionsPerDay: number;
  /** The soft cap: from this many positions in the week, each reservation carries a warning. */
  readonly positionsPerWeekWarnAt: number;
  readonly maxPositionsPerWeek: number;
};

/** The limits the 2026-01-02 incident report set. */
export const incidentBudgetLimits: BudgetLimits = {
  maxPositionPct: 0.1,
  maxDailyPct: 0.2,
  maxWeeklyPct: 0.4,
  maxPositionsPerDay: 2,
  positionsPerWeekWarnAt: 8,
  maxPositionsPerWeek: 10,
};

export type BudgetScope =
  { readonly kind: 'account' } | { readonly kind: 'strategy'; readonly strategyId: StrategyId };

/**
 * working: the order is live (reservedMicros may still be held); open: order done, position held;
 * closed: flat, its exposure waits for the next scan; freed: flat and no longer consuming.
 */
export type EntryStatus = 'working' | 'open' | 'closed' | 'freed';

export type BudgetEntry = {
  readonly id: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly symbol: string;
  /** The trading day (BudgetState.day.index) the order was reserved on. */
  readonly day: number;
  readonly reservedMicros: Micros;
  readonly filledMicros: Micros;
  readonly status: EntryStatus;
};

export type BudgetState = {
  readonly version: 1;
  readonly accountId: AccountId;
  readonly limits: BudgetLimits;
  readonly strategyLimits: readonly { readonly strategyId: StrategyId; readonly limits: BudgetLimits }[];
  readonly day: { readonly index: number; readonly startedAt: EpochMs; readonly equityMicros: Micros };
  readonly week: {
    readonly index: number;
    readonly startedAt: EpochMs;
    readonly equityMicros: Micros;
    readonly rolledOn: { readonly times: number; readonly reason: string } | null;
  };
  readonly lastEventAt: EpochMs;
  readonly lastScanAt: EpochMs | null;
  /** Every order of the week (freed ones too: they count as positions opened); bounded by the caps. */
  readonly entries: readonly BudgetEntry[];
};

export type BudgetRule =
  'maxPositionPct' | 'maxDailyPct' | 'maxWeeklyPct' | 'maxPositionsPerDay' | 'maxPositionsPerWeek';

export type BudgetRefusal = {
  readonly rule: BudgetRule;
  readonly scope: BudgetScope;
  readonly message: string;
  /** The largest exposure any order could have now, across every rule and scope. */
  readonly maxAllowedExposure: Micros;
  /** maxAllowedExposure in the request's units, rounded down to the lot. */
  readonly maxAllowedQty: number;
};

export type BudgetWarning = {
  readonly rule: 'positionsPerWeekWarnAt';
  readonly scope: BudgetScope;
  readonly message: string;
};

export type ReserveRequest = {
  /** The order's client id: one reservation per order. */
  readonly id: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly symbol: string;
  readonly qty: number;
  /** Price per unit, as the trader sees it (for the message). */
  readonly price: number;
  /**
   * Capital at risk per unit, in currency: price x multiplier for equities and futures, the max
   * loss per structure for defined-risk options (see exposure.ts). Use the worst price the order
   * can fill at (its limit), so fills stay within the reservation.
   */
  readonly exposurePerUnit: number;
  readonly lot: number;
  /** "shares" unless given ("contracts", "condors"). */
  readonly unit?: string;
};

export type ReserveResult =
  | { readonly ok: true; readonly state: BudgetState; readonly warnings: readonly BudgetWarning[] }
  | { readonly ok: false; readonly refusal: BudgetRefusal };

export type FillEvent = {
  readonly id: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly symbol: string;
  /** Exposure of this fill (see exposure.ts), not cumulative. */
  readonly exposure: Micros;
  /** The order is complete: any reservation left is returned now. */
  readonly orderDone: boolean;
};

export type StartWeekResult =
  | { readonly reset: true; readonly state: BudgetState }
  | { readonly reset: false; readonly state: BudgetState; readonly reason: string };

const accountScope: BudgetScope = { kind: 'account' };

// ---------------------------------------------------------------------------------------------
// Events

export function createBudget(args: {
  accountId: AccountId;
  t: EpochMs;
  equity: number;
  limits: BudgetLimits;
  strategyLimits?: readonly { strategyId: StrategyId; limits: BudgetLimits }[];
}): BudgetState {
  validateLimits('createBudget', 'limits', args.limits);
  const strategyLimits = args.strategyLimits ?? [];
  strategyLimits.forEach((s) => validateLimits('createBudget', `strategyLimits[${s.strategyId}]`, s.limits));
  const ids = new Set(strategyLimits.map((s) => s.strategyId));
  assert(ids.size === strategyLimits.length, 'createBudget: each strategy may have one set of limits');
  const equityMicros = equityToMicros('createBudget', args.equity);
  return checked({
    version: 1,
    accountId: args.accountId,
    limits: args.limits,
    strategyLimits: strategyLimits.map((s) => ({ strategyId: s.strategyId, limits: s.limits })),
    day: { index: 0, startedAt: args.t, equityMicros },
    week: { index: 0, startedAt: args.t, equityMicros, rolledOn: null },
    lastEventAt: args.t,
    lastScanAt: null,
    entries: [],
  });
}

/** New limits (an edited config) for the current day and week; consumption and counts carry on. */
export function reconfigure(
  state: BudgetState,
  args: {
    limits: BudgetLimits;
    strategyLimits?: readonly { strategyId: StrategyId; limits: BudgetLimits }[];
  },
): BudgetState {
  validateLimits('reconfigure', 'limits', args.limits);
  const strategyLimits = args.strategyLimits ?? [];
  strategyLimits.forEach((s) => validateLimits('reconfigure', `strategyLimits[${s.strategyId}]`, s.limits));
  return checked({
    ...state,
    limits: args.limits,
    strategyLimits: strategyLimits.map((s) => ({ strategyId: s.strategyId, limits: s.limits })),
  });
}

/** Holds the order's exposure against every cap of the account and of its strategy. */
export function reserve(state: BudgetState, req: ReserveRequest): ReserveResult {
  const refused = reserveRefusal(state, req);
  if (refused !== null) return { ok: false, refusal: refused };
  const exposure = exposureMicros(req.qty, req.exposurePerUnit);
  const entry: BudgetEntry = {
    id: req.id,
    strategyId: req.strategyId,
    symbol: req.symbol,
    day: state.day.index,
    reservedMicros: exposure,
    filledMicros: 0 as Micros,
    status: 'working',
  };
  const next = checkedWith({ ...state, entries: [...state.entries, entry] }, entry);
  const warnings = weekWarnings(state, req);
  carryIndex(state, next, null, entry);
  return { ok: true, state: next, warnings };
}

/**
 * What reserve() would refuse, without building the next state: the pre-trade gate asks this
 * for every open, and only the journaled open takes the reservation.
 */
export function reserveRefusal(state: BudgetState, req: ReserveRequest): BudgetRefusal | null {
  validateRequest(req);
  if (budgetIndex(state).byId.has(req.id))
    throw new InvariantError(`reserve: ${req.id} is already reserved; one reservation per order`);
  const exposure = exposureMicros(req.qty, req.exposurePerUnit);
  // The common answer, yes, with nothing built: the same comparisons as checkScope's, on the
  // running totals. Only a refusal builds the checks that say which rule and by how much.
  if (fitsEveryScope(state, req.strategyId, exposure)) return null;
  const checks = scopesOf(state, req.strategyId).flatMap((scope) => checkScope(state, scope, exposure));
  const maxAllowed = Math.min(...checks.map((c) => c.headroom)) as Micros;
  const violated = checks.find((c) => c.violated);
  // The messages are written only for a refusal: a passing check builds no text.
  if (violated !== undefined) {
    const maxAllowedQty = qtyFor(maxAllowed, req);
    const tightest = checks.reduce((a, b) => (b.headroom < a.headroom ? b : a));
    const unit = req.unit ?? 'shares';
    const tail =
      tightest.rule === violated.rule && sameScope(tightest.scope, violated.scope)
        ? ''
        : ` (tighter: ${scopePrefix(tightest.scope)}${tightest.rule}, ${isCountRule(tightest.rule) ? 'no position left' : `${usd(ratioOfMicros(tightest.headroom as Micros))} left`})`;
    const message = `${scopePrefix(violated.scope)}${checkText(state, violated, req, exposure)}: at most ${plain(ratioOf(maxAllowedQty))} ${unit}${tail}`;
    return {
      rule: violated.rule,
      scope: violated.scope,
      message,
      maxAllowedExposure: maxAllowed,
      maxAllowedQty,
    };
  }
  return null;
}

/** Converts reservation into consumption. Facts are applied even when they break a cap. */
export function fill(state: BudgetState, ev: FillEvent): BudgetState {
  if (!(Number.isSafeInteger(ev.exposure) && ev.exposure >= 0))
    throw new InvariantError(`fill: exposure must be whole micros >= 0, got ${ev.exposure}`);
  const entry = budgetIndex(state).byId.get(ev.id);
  if (entry === undefined) {
    // A fill after the order's reservation was released (a fill after a cancel is real life):
    // the exposure is real, so it is recorded; breaches() shows whether it broke a cap.
    if (ev.exposure === 0) return state;
    const late: BudgetEntry = {
      id: ev.id,
      strategyId: ev.strategyId,
      symbol: ev.symbol,
      day: state.day.index,
      reservedMicros: 0 as Micros,
      filledMicros: ev.exposure,
      status: ev.orderDone ? 'open' : 'working',
    };
    const next = checkedWith({ ...state, entries: [...state.entries, late] }, late);
    carryIndex(state, next, null, late);
    return next;
  }
  if (!(entry.strategyId === ev.strategyId && entry.symbol === ev.symbol))
    throw new InvariantError(
      `fill: ${ev.id} was reserved for ${entry.strategyId} ${entry.symbol}, filled as ${ev.strategyId} ${ev.symbol}`,
    );
  if (entry.status === 'closed' || entry.status === 'freed') {
    throw new InvariantError(
      `fill: ${ev.id} filled after its position was closed; the account is not what keel expects`,
    );
  }
  const filled = (entry.filledMicros + ev.exposure) as Micros;
  const reservedLeft = ev.orderDone ? 0 : Math.max(0, entry.reservedMicros - ev.exposure);
  const done = ev.orderDone || entry.status === 'open';
  return replaceEntry(state, entry, settle(entry, filled, reservedLeft as Micros, done));
}

/** The order is rejected, cancelled or expired: its unfilled reservation returns at once. */
export function release(state: BudgetState, ev: { id: ClientOrderId }): BudgetState {
  const entry = budgetIndex(state).byId.get(ev.id);
  // A venue may report the end of an order twice (reject after cancel): the second is a no-op.
  if (entry === undefined || entry.status !== 'working') return state;
  return replaceEntry(state, entry, settle(entry, entry.filledMicros, 0 as Micros, true));
}

/** The position is flat. Its exposure is freed at the next scan, not now. */
export function close(state: BudgetState, ev: { id: ClientOrderId }): BudgetState {
  const entry = budgetIndex(state).byId.get(ev.id);
  if (entry === undefined) throw new InvariantError(`close: no position ${ev.id} in this week's budget`);
  if (entry.status === 'working') {
    throw new InvariantError(
      `close: ${ev.id} still has a working order; release its reservation before closing`,
    );
  }
  if (entry.status !== 'open') return state; // reported twice
  return replaceEntry(state, entry, { ...entry, status: 'closed' });
}

/** The scheduled scan: budget freed by closes since the last scan becomes available. */
export function scan(state: BudgetState, ev: { t: EpochMs }): BudgetState {
  assertForward(state, ev.t, 'scan');
  const entries = state.entries.map((e) => (e.status === 'closed' ? { ...e, status: 'freed' as const } : e));
  return checked({ ...state, entries, lastEventAt: ev.t, lastScanAt: ev.t });
}

/** A new trading day: today's exposure and counts start at zero; the week's pool carries on. */
export function startDay(state: BudgetState, ev: { t: EpochMs; equity: number }): BudgetState {
  assertForward(state, ev.t, 'startDay');
  const day = {
    index: state.day.index + 1,
    startedAt: ev.t,
    equityMicros: equityToMicros('startDay', ev.equity),
  };
  return checked({ ...state, day, lastEventAt: ev.t });
}

/** After Friday's close: a new week only if nothing is open or working; else the week rolls on. */
export function startWeek(state: BudgetState, ev: { t: EpochMs; equity: number }): StartWeekResult {
  assertForward(state, ev.t, 'startWeek');
  const equityMicros = equityToMicros('startWeek', ev.equity);
  const open = state.entries.filter((e) => e.status === 'open');
  const working = state.entries.filter((e) => e.status === 'working');
  if (open.length > 0 || working.length > 0) {
    const reason =
      `week not reset: ${open.length} position(s) open${list(open)} and ${working.length} order(s) working${list(working)}; ` +
      `the week's exposure and position counts roll on until every position is closed`;
    const rolledOn = { times: (state.week.rolledOn?.times ?? 0) + 1, reason };
    return {
      reset: false,
      state: checked({ ...state, week: { ...state.week, rolledOn }, lastEventAt: ev.t }),
      reason,
    };
  }
  const week = { index: state.week.index + 1, startedAt: ev.t, equityMicros, rolledOn: null };
  return { reset: true, state: checked({ ...state, week, entries: [], lastEventAt: ev.t }) };
}

// ---------------------------------------------------------------------------------------------
// Queries

export type ScopeUsage = {
  readonly consumedTodayMicros: Micros;
  readonly reservedTodayMicros: Micros;
  readonly consumedWeekMicros: Micros;
  readonly reservedWeekMicros: Micros;
  /** Closed positions whose exposure returns at the next scan. */
  readonly pendingFreeMicros: Micros;
  readonly positionsToday: number;
  readonly positionsWeek: number;
};

export type ScopeCaps = {
  readonly positionMicros: Micros;
  readonly dailyMicros: Micros;
  readonly weeklyMicros: Micros;
};

export type ScopeRemaining = {
  readonly scope: BudgetScope;
  readonly caps: ScopeCaps;
  readonly usage: ScopeUsage;
  readonly dailyLeftMicros: Micros;
  readonly weeklyLeftMicros: Micros;
  /** The largest order this scope would accept now (0 when a position count is exhausted). */
  readonly nextOrderMaxMicros: Micros;
  readonly positionsTodayLeft: number;
  readonly positionsWeekLeft: number;
  readonly warning: string | null;
};

export type BudgetRemaining = {
  readonly account: ScopeRemaining;
  readonly strategies: readonly ScopeRemaining[];
  readonly weekRolledOn: string | null;
};

export function remaining(state: BudgetState): BudgetRemaining {
  const ofScope = (scope: BudgetScope): ScopeRemaining => {
    const limits = limitsOf(state, scope);
    const caps = capsOf(state, limits);
    const usage = usageOf(state, scope);
    const dailyLeft = Math.max(0, caps.dailyMicros - usage.consumedTodayMicros - usage.reservedTodayMicros);
    const weeklyLeft = Math.max(0, caps.weeklyMicros - usage.consumedWeekMicros - usage.reservedWeekMicros);
    const todayLeft = Math.max(0, limits.maxPositionsPerDay - usage.positionsToday);
    const weekLeft = Math.max(0, limits.maxPositionsPerWeek - usage.positionsWeek);
    const countsLeft = todayLeft > 0 && weekLeft > 0;
    return {
      scope,
      caps,
      usage,
      dailyLeftMicros: dailyLeft as Micros,
      weeklyLeftMicros: weeklyLeft as Micros,
      nextOrderMaxMicros: (countsLeft ? Math.min(caps.positionMicros, dailyLeft, weeklyLeft) : 0) as Micros,
      positionsTodayLeft: todayLeft,
      positionsWeekLeft: weekLeft,
      warning:
        usage.positionsWeek >= limits.positionsPerWeekWarnAt
          ? `${usage.positionsWeek} positions this week: past the warning level ${limits.positionsPerWeekWarnAt}, hard cap ${limits.maxPositionsPerWeek}`
          : null,
    };
  };
  return {
    account: ofScope(accountScope),
    strategies: state.strategyLimits.map((s) => ofScope({ kind: 'strategy', strategyId: s.strategyId })),
    weekRolledOn: state.week.rolledOn?.reason ?? null,
  };
}

export type Breach = {
  readonly scope: BudgetScope;
  readonly rule: BudgetRule;
  readonly used: number;
  readonly cap: number;
  readonly message: string;
};

/**
 * Caps exceeded by facts: a fill beyond its reservation or after a release. reserve() never
 * creates one; the circuit breaker acts on them.
 */
export function breaches(state: BudgetState): Breach[] {
  const found: Breach[] = [];
  for (const scope of allScopes(state)) {
    const limits = limitsOf(state, scope);
    const caps = capsOf(state, limits);
    const u = usageOf(state, scope);
    const add = (rule: BudgetRule, used: number, cap: number, what: string) => {
      if (used > cap)
        found.push({
          scope,
          rule,
          used,
          cap,
          message: `${scopePrefix(scope)}${what} ${used} exceeds the cap ${cap}`,
        });
    };
    add(
      'maxDailyPct',
      u.consumedTodayMicros + u.reservedTodayMicros,
      caps.dailyMicros,
      "today's exposure (micros)",
    );
    add(
      'maxWeeklyPct',
      u.consumedWeekMicros + u.reservedWeekMicros,
      caps.weeklyMicros,
      "the week's exposure (micros)",
    );
    add('maxPositionsPerDay', u.positionsToday, limits.maxPositionsPerDay, 'positions today');
    add('maxPositionsPerWeek', u.positionsWeek, limits.maxPositionsPerWeek, 'positions this week');
    for (const e of entriesOf(state, scope)) {
      if (e.day === state.day.index)
        add(
          'maxPositionPct',
          e.filledMicros + e.reservedMicros,
          caps.positionMicros,
          `${e.id} exposure (micros)`,
        );
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Serialisation: the state is plain JSON; restoring checks its shape and invariants.

export function budgetToJson(state: BudgetState): string {
  return JSON.stringify(checked(state));
}

// budgetFromJson lives in budget-json.ts (it validates untrusted text).

// ---------------------------------------------------------------------------------------------
// Internals

type Check = {
  readonly rule: BudgetRule;
  readonly scope: BudgetScope;
  readonly violated: boolean;
  readonly headroom: number;
};

function checkScope(state: BudgetState, scope: BudgetScope, exposure: Micros): Check[] {
  const limits = limitsOf(state, scope);
  const caps = capsOf(state, limits);
  const u = usageOf(state, scope);
  const today = u.consumedTodayMicros + u.reservedTodayMicros;
  const week = u.consumedWeekMicros + u.reservedWeekMicros;
  const dayCountOk = u.positionsToday + 1 <= limits.maxPositionsPerDay;
  const weekCountOk = u.positionsWeek + 1 <= limits.maxPositionsPerWeek;
  return [
    {
      rule: 'maxPositionPct',
      scope,
      violated: exposure > caps.positionMicros,
      headroom: caps.positionMicros,
    },
    { rule: 'maxPositionsPerDay', scope, violated: !dayCountOk, headroom: dayCountOk ? Infinity : 0 },
    { rule: 'maxPositionsPerWeek', scope, violated: !weekCountOk, headroom: weekCountOk ? Infinity : 0 },
    {
      rule: 'maxDailyPct',
      scope,
      violated: today + exposure > caps.dailyMicros,
      headroom: Math.max(0, caps.dailyMicros - today),
    },
    {
      rule: 'maxWeeklyPct',
      scope,
      violated: week + exposure > caps.weeklyMicros,
      headroom: Math.max(0, caps.weeklyMicros - week),
    },
  ];
}

/** What a refusing check says: written only for a refusal, so a passing check builds no text. */
function checkText(state: BudgetState, check: Check, req: ReserveRequest, exposure: Micros): string {
  const limits = limitsOf(state, check.scope);
  const caps = capsOf(state, limits);
  const u = usageOf(state, check.scope);
  const order = `${req.symbol} ${plain(ratioOf(req.qty))} @ ${plain(ratioOf(req.price))} = ${usd(ratioOfMicros(exposure))}`;
  const dayEquity = ratioOfMicros(state.day.equityMicros);
  const weekEquity = ratioOfMicros(state.week.equityMicros);
  const share = (m: number, equity: typeof dayEquity) => pct(div(ratioOfMicros(m as Micros), equity), 1);
  const capText = (p: number, m: Micros) => `${pct(ratioOf(p))} (${usd(ratioOfMicros(m))})`;
  const left = usd(ratioOfMicros(check.headroom as Micros));
  switch (check.rule) {
    case 'maxPositionPct':
      return `${order} is ${share(exposure, dayEquity)} of equity; the per-position cap is ${capText(limits.maxPositionPct, caps.positionMicros)}`;
    case 'maxPositionsPerDay':
      return `${req.symbol} would be position ${u.positionsToday + 1} today; the cap is ${limits.maxPositionsPerDay} positions a day (the count restarts tomorrow)`;
    case 'maxPositionsPerWeek':
      return `${req.symbol} would be position ${u.positionsWeek + 1} this week; the hard cap is ${limits.maxPositionsPerWeek} positions a week (the count restarts when the week resets)`;
    case 'maxDailyPct': {
      const today = u.consumedTodayMicros + u.reservedTodayMicros + exposure;
      return (
        `${order} would bring today's exposure to ${usd(ratioOfMicros(today as Micros))} ` +
        `(${share(today, dayEquity)} of equity); the daily cap is ${capText(limits.maxDailyPct, caps.dailyMicros)}, ` +
        `${left} left today`
      );
    }
    case 'maxWeeklyPct': {
      const week = u.consumedWeekMicros + u.reservedWeekMicros + exposure;
      return (
        `${order} would bring this week's exposure to ${usd(ratioOfMicros(week as Micros))} ` +
        `(${share(week, weekEquity)} of the week's starting equity); the weekly cap is ` +
        `${capText(limits.maxWeeklyPct, caps.weeklyMicros)}, ${left} left this week`
      );
    }
  }
}

function weekWarnings(state: BudgetState, req: ReserveRequest): BudgetWarning[] {
  return scopesOf(state, req.strategyId).flatMap((scope) => {
    const limits = limitsOf(state, scope);
    const nth = usageOf(state, scope).positionsWeek + 1;
    if (nth < limits.positionsPerWeekWarnAt) return [];
    const message =
      `${scopePrefix(scope)}${req.symbol} is position ${nth} this week: warning from ${limits.positionsPerWeekWarnAt}, ` +
      `hard cap ${limits.maxPositionsPerWeek}`;
    return [{ rule: 'positionsPerWeekWarnAt' as const, scope, message }];
  });
}

function settle(
  entry: BudgetEntry,
  filled: Micros,
  reserved: Micros,
  orderDone: boolean,
): BudgetEntry | null {
  if (!orderDone) return { ...entry, filledMicros: filled, reservedMicros: reserved };
  // An order done with nothing filled opened no position: it leaves no trace in the budget.
  return filled > 0 ? { ...entry, filledMicros: filled, reservedMicros: 0 as Micros, status: 'open' } : null;
}

function replaceEntry(state: BudgetState, entry: BudgetEntry, next: BudgetEntry | null): BudgetState {
  const at = state.entries.indexOf(entry);
  if (!(at >= 0)) throw new InvariantError(`budget: ${entry.id} is not in this state's entries`);
  const entries = state.entries.slice();
  if (next === null) entries.splice(at, 1);
  else entries[at] = next;
  const state2 =
    next === null ? checkedWith({ ...state, entries }, null) : checkedWith({ ...state, entries }, next);
  carryIndex(state, state2, entry, next);
  return state2;
}

/** A scope's sums from the state's running totals: no scan of the week's entries. */
function usageOf(state: BudgetState, scope: BudgetScope): ScopeUsage {
  const index = budgetIndex(state);
  const t = scope.kind === 'account' ? index.account : (index.strategies.get(scope.strategyId) ?? noTotals);
  return {
    consumedTodayMicros: t.consumedToday as Micros,
    reservedTodayMicros: t.reservedToday as Micros,
    consumedWeekMicros: t.consumedWeek as Micros,
    reservedWeekMicros: t.reservedWeek as Micros,
    pendingFreeMicros: t.pendingFree as Micros,
    positionsToday: t.positionsToday,
    positionsWeek: t.positionsWeek,
  };
}

function entriesOf(state: BudgetState, scope: BudgetScope): readonly BudgetEntry[] {
  return scope.kind === 'account'
    ? state.entries
    : state.entries.filter((e) => e.strategyId === scope.strategyId);
}

// The caps change only with the limits or the day's or week's starting equity.
const capsMemo = new WeakMap<BudgetLimits, { day: Micros; week: Micros; caps: ScopeCaps }>();

function capsOf(state: BudgetState, limits: BudgetLimits): ScopeCaps {
  const m = capsMemo.get(limits);
  if (m !== undefined && m.day === state.day.equityMicros && m.week === state.week.equityMicros)
    return m.caps;
  const caps = computeCaps(state, limits);
  capsMemo.set(limits, { day: state.day.equityMicros, week: state.week.equityMicros, caps });
  return caps;
}

function computeCaps(state: BudgetState, limits: BudgetLimits): ScopeCaps {
  const day = ratioOfMicros(state.day.equityMicros);
  const week = ratioOfMicros(state.week.equityMicros);
  return {
    positionMicros: floorMicros(mul(day, ratioOf(limits.maxPositionPct))),
    dailyMicros: floorMicros(mul(day, ratioOf(limits.maxDailyPct))),
    weeklyMicros: floorMicros(mul(week, ratioOf(limits.maxWeeklyPct))),
  };
}

function limitsOf(state: BudgetState, scope: BudgetScope): BudgetLimits {
  if (scope.kind === 'account') return state.limits;
  const found = state.strategyLimits.find((s) => s.strategyId === scope.strategyId);
  if (found === undefined) throw new InvariantError(`no limits for strategy ${scope.strategyId}`);
  return found.limits;
}

/** The account always; the strategy too when it has its own limits. */
function scopesOf(state: BudgetState, strategyId: StrategyId): BudgetScope[] {
  const own = state.strategyLimits.some((s) => s.strategyId === strategyId);
  return own ? [accountScope, { kind: 'strategy', strategyId }] : [accountScope];
}

function allScopes(state: BudgetState): BudgetScope[] {
  return [
    accountScope,
    ...state.strategyLimits.map((s) => ({ kind: 'strategy' as const, strategyId: s.strategyId })),
  ];
}

function isCountRule(rule: BudgetRule): boolean {
  return rule === 'maxPositionsPerDay' || rule === 'maxPositionsPerWeek';
}

function sameScope(a: BudgetScope, b: BudgetScope): boolean {
  return (
    a.kind === b.kind && (a.kind === 'account' || (b.kind === 'strategy' && a.strategyId === b.strategyId))
  );
}

function scopePrefix(scope: BudgetScope): string {
  return scope.kind === 'account' ? '' : `strategy ${scope.strategyId}: `;
}

function qtyFor(exposure: Micros, req: ReserveRequest): number {
  const lots = floorR(div(ratioOfMicros(exposure), mul(ratioOf(req.exposurePerUnit), ratioOf(req.lot))));
  return toNumber(mul(ratioInt(lots), ratioOf(req.lot)));
}

function list(entries: readonly BudgetEntry[]): string {
  return entries.length === 0 ? '' : ` (${entries.map((e) => `${e.symbol} ${e.id}`).join(', ')})`;
}

function assertForward(state: BudgetState, t: EpochMs, what: string): void {
  if (!Number.isSafeInteger(t)) throw new InvariantError(`${what}: t must be epoch milliseconds, got ${t}`);
  if (!(t >= state.lastEventAt))
    throw new InvariantError(`${what}: time must not go backwards (${t} < ${state.lastEventAt})`);
}

function equityToMicros(fn: string, equity: number): Micros {
  requirePositive(
    fn,
    'equity',
    equity,
    'pass the account equity in currency units; with no equity nothing may be opened',
  );
  return floorMicros(ratioOf(equity)); // equity rounds down: caps computed from it never grow
}

export function validateLimits(fn: string, field: string, l: BudgetLimits): void {
  requirePct(fn, `${field}.maxPositionPct`, l.maxPositionPct);
  requirePct(fn, `${field}.maxDailyPct`, l.maxDailyPct);
  requirePct(fn, `${field}.maxWeeklyPct`, l.maxWeeklyPct);
  requireCount(fn, `${field}.maxPositionsPerDay`, l.maxPositionsPerDay);
  requireCount(fn, `${field}.positionsPerWeekWarnAt`, l.positionsPerWeekWarnAt);
  requireCount(fn, `${field}.maxPositionsPerWeek`, l.maxPositionsPerWeek);
  if (l.positionsPerWeekWarnAt > l.maxPositionsPerWeek) {
    throw new RiskInputError({
      fn,
      field: `${field}.positionsPerWeekWarnAt`,
      value: l.positionsPerWeekWarnAt,
      problem: `must not exceed maxPositionsPerWeek (${l.maxPositionsPerWeek})`,
      fix: 'warn before the hard cap, e.g. warn at 8 with a cap of 10',
    });
  }
}

function validateRequest(req: ReserveRequest): void {
  const fn = 'reserve';
  requirePositive(fn, 'qty', req.qty, 'pass the order quantity');
  requirePositive(fn, 'price', req.price, 'pass the order price per unit');
  requirePositive(
    fn,
    'exposurePerUnit',
    req.exposurePerUnit,
    'pass the capital at risk per unit (see exposure.ts)',
  );
  requirePositive(fn, 'lot', req.lot, "pass the instrument's quantity step");
  if (!onLot(req.qty, req.lot)) {
    throw new RiskInputError({
      fn,
      field: 'qty',
      value: req.qty,
      problem: `is not a multiple of the lot ${req.lot}`,
      fix: 'round the quantity down to the lot',
    });
  }
  if (exposureMicros(req.qty, req.exposurePerUnit) <= 0) {
    throw new RiskInputError({
      fn,
      field: 'exposurePerUnit',
      value: req.exposurePerUnit,
      problem: 'gives no exposure',
      fix: 'pass the capital at risk per unit',
    });
  }
}

/** Whether every cap of the account and of the strategy (when it has its own) takes the exposure. */
function fitsEveryScope(state: BudgetState, strategyId: StrategyId, exposure: Micros): boolean {
  const index = budgetIndex(state);
  if (!fitsScope(state, state.limits, index.account, exposure)) return false;
  for (const s of state.strategyLimits)
    if (
      s.strategyId === strategyId &&
      !fitsScope(state, s.limits, index.strategies.get(strategyId) ?? noTotals, exposure)
    )
      return false;
  return true;
}

function fitsScope(
  state: BudgetState,
  limits: BudgetLimits,
  u: Readonly<ScopeTotals>,
  exposure: Micros,
): boolean {
  const caps = capsOf(state, limits);
  return (
    exposure <= caps.positionMicros &&
    u.positionsToday + 1 <= limits.maxPositionsPerDay &&
    u.positionsWeek + 1 <= limits.maxPositionsPerWeek &&
    u.consumedToday + u.reservedToday + exposure <= caps.dailyMicros &&
    u.consumedWeek + u.reservedWeek + exposure <= caps.weeklyMicros
  );
}

// Exact products, rounded up to the micro, and lot checks, memoised per pair of numbers: a
// strategy asks about the same quantity and price many times.
const exposureMicros = memoByNumbers(4096, (qty, perUnit): Micros =>
  ceilMicros(mul(ratioOf(qty), ratioOf(perUnit))),
);
const onLot = memoByNumbers(4096, (qty, lot) => div(ratioOf(qty), ratioOf(lot)).d === 1n);

/** Structural invariants, asserted after every event and on restore. */
export function assertBudgetInvariants(state: BudgetState): void {
  assertHeader(state);
  const ids = new Set<string>();
  // Runs on every whole-state event and on replay: a message is built only for an entry that fails.
  for (const e of state.entries) {
    if (!entryHolds(e, state.day.index) || ids.has(e.id)) entryFailure(e, state.day.index, ids);
    ids.add(e.id);
  }
}

function assertHeader(state: BudgetState): void {
  if (state.version !== 1) throw new InvariantError(`budget: unknown version ${String(state.version)}`);
  assert(state.day.equityMicros > 0 && state.week.equityMicros > 0, 'budget: equity must be positive');
  assert(Number.isSafeInteger(state.day.index) && state.day.index >= 0, 'budget: day index');
  assert(
    state.day.startedAt <= state.lastEventAt && state.week.startedAt <= state.lastEventAt,
    'budget: event times',
  );
}

function entryHolds(e: BudgetEntry, dayIndex: number): boolean {
  return (
    Number.isSafeInteger(e.reservedMicros) &&
    e.reservedMicros >= 0 &&
    Number.isSafeInteger(e.filledMicros) &&
    e.filledMicros >= 0 &&
    Number.isSafeInteger(e.day) &&
    e.day >= 0 &&
    e.day <= dayIndex &&
    (e.status === 'working'
      ? e.reservedMicros > 0 || e.filledMicros > 0
      : e.reservedMicros === 0 && e.filledMicros > 0)
  );
}

function entryFailure(e: BudgetEntry, dayIndex: number, ids: ReadonlySet<string>): never {
  if (ids.has(e.id)) throw new InvariantError(`budget: entry ${e.id} appears twice`);
  if (!(Number.isSafeInteger(e.reservedMicros) && e.reservedMicros >= 0))
    throw new InvariantError(`budget: ${e.id} reserved must be micros >= 0`);
  if (!(Number.isSafeInteger(e.filledMicros) && e.filledMicros >= 0))
    throw new InvariantError(`budget: ${e.id} filled must be micros >= 0`);
  if (!(Number.isSafeInteger(e.day) && e.day >= 0 && e.day <= dayIndex))
    throw new InvariantError(`budget: ${e.id} day ${e.day} is not a past day`);
  if (e.status === 'working')
    if (!(e.reservedMicros > 0 || e.filledMicros > 0))
      throw new InvariantError(`budget: working ${e.id} holds nothing`);
  throw new InvariantError(`budget: ${e.status} ${e.id} must hold filled exposure only`);
}

function checked(state: BudgetState): BudgetState {
  assertBudgetInvariants(state);
  return state;
}

/**
 * After an event that changed one entry (or removed one): the state's header and that entry.
 * The others held before and did not change; ids stay unique because reserve refuses a known id
 * and the others keep theirs.
 */
function checkedWith(state: BudgetState, changed: BudgetEntry | null): BudgetState {
  assertHeader(state);
  if (changed !== null && !entryHolds(changed, state.day.index))
    entryFailure(changed, state.day.index, new Set());
  return state;
}
