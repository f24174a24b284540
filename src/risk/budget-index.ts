// Running totals of a budget state, so a pre-trade check costs the same against a week of 10
// entries or 12,000. Derived, never journaled: built once from a state's entries, then carried to
// the state the next event makes from it, changed by that event's one entry. Carried, not shared:
// the state it came from builds its own again if it is ever asked (tests branch; the engine doesn't).
import { InvariantError, type ClientOrderId, type StrategyId } from '../domain';
import type { BudgetEntry, BudgetState } from './budget';

/** One scope's sums over its entries (micros and counts), kept current entry by entry. */
export type ScopeTotals = {
  consumedToday: number;
  reservedToday: number;
  consumedWeek: number;
  reservedWeek: number;
  /** Closed positions whose exposure returns at the next scan. */
  pendingFree: number;
  positionsToday: number;
  positionsWeek: number;
};

export type BudgetIndex = {
  /** The day the "today" sums are of: another day's state builds its own. */
  readonly dayIndex: number;
  readonly byId: Map<ClientOrderId, BudgetEntry>;
  readonly account: ScopeTotals;
  readonly strategies: Map<StrategyId, ScopeTotals>;
};

const indexes = new WeakMap<BudgetState, BudgetIndex>();

export function budgetIndex(state: BudgetState): BudgetIndex {
  let index = indexes.get(state);
  if (index === undefined) {
    index = build(state);
    indexes.set(state, index);
  }
  return index;
}

/** Zero sums, for a scope with no entry this week. */
export const noTotals: Readonly<ScopeTotals> = Object.freeze(emptyTotals());

/**
 * Hands `prev`'s index to `next`, which differs from it by one entry: `before` left (or null)
 * and `after` came (or null). Without an index on `prev` nothing is done: `next` builds its own.
 */
export function carryIndex(
  prev: BudgetState,
  next: BudgetState,
  before: BudgetEntry | null,
  after: BudgetEntry | null,
): void {
  const index = indexes.get(prev);
  if (index === undefined || index.dayIndex !== next.day.index) return;
  indexes.delete(prev);
  if (before !== null) {
    if (!(index.byId.get(before.id) === before))
      throw new InvariantError(`budget index: ${before.id} is not the entry it replaces`);
    add(index, before, -1);
    index.byId.delete(before.id);
  }
  if (after !== null) {
    if (!(!index.byId.has(after.id) || before?.id === after.id))
      throw new InvariantError(`budget index: ${after.id} twice`);
    add(index, after, 1);
    index.byId.set(after.id, after);
  }
  indexes.set(next, index);
}

function build(state: BudgetState): BudgetIndex {
  const index: BudgetIndex = {
    dayIndex: state.day.index,
    byId: new Map(),
    account: emptyTotals(),
    strategies: new Map(),
  };
  for (const e of state.entries) {
    add(index, e, 1);
    index.byId.set(e.id, e);
  }
  return index;
}

function add(index: BudgetIndex, e: BudgetEntry, sign: 1 | -1): void {
  let own = index.strategies.get(e.strategyId);
  if (own === undefined) index.strategies.set(e.strategyId, (own = emptyTotals()));
  const today = e.day === index.dayIndex;
  for (const t of [index.account, own]) {
    t.positionsWeek += sign;
    if (today) t.positionsToday += sign;
    if (e.status === 'freed') continue;
    t.consumedWeek += sign * e.filledMicros;
    t.reservedWeek += sign * e.reservedMicros;
    if (today) {
      t.consumedToday += sign * e.filledMicros;
      t.reservedToday += sign * e.reservedMicros;
    }
    if (e.status === 'closed') t.pendingFree += sign * e.filledMicros;
  }
}

function emptyTotals(): ScopeTotals {
  return {
    consumedToday: 0,
    reservedToday: 0,
    consumedWeek: 0,
    reservedWeek: 0,
    pendingFree: 0,
    positionsToday: 0,
    positionsWeek: 0,
  };
}
