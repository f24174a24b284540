// Allocation across simultaneous signals: the watchlist is the top K at or above the threshold,
// the best M of it execute, and the day's budget is split between them. Each position gets
// min(maxPositionPct, dailyPct / n) but never less than floorPct: when an even split would go
// below the floor, fewer positions execute (at most floor(dailyPct / floorPct)), so the total can
// never exceed the daily cap. Percentages are exact fractions (20% / 3 is 1/15, not 0.0667);
// turned into money they are rounded DOWN to the micro.
import type { Micros } from '../domain';
import { InvariantError } from '../domain';
import type { Ratio } from './exact';
import { div, floorMicros, floorR, le, minR, mul, ratioInt, ratioOf, toNumber } from './exact';
import { RiskInputError, requireCount, requirePct, requirePositive } from './errors';
import { pct } from './format';

export type Signal = { readonly id: string; readonly score: number };

/** An exact fraction: pct 0.2/3 is { num: 1, den: 15 }. */
export type Fraction = { readonly num: number; readonly den: number };

export type AllocationInput = {
  readonly signals: readonly Signal[];
  /** Signals scoring at or above this are eligible (the incident's A+ was >= 70). */
  readonly threshold: number;
  /** K: how many eligible signals the watchlist keeps. */
  readonly watchlistSize: number;
  /** M: at most this many of the watchlist execute. */
  readonly executeMax: number;
  readonly maxPositionPct?: number;
  readonly dailyPct?: number;
  readonly floorPct?: number;
  /** When given, each executed position's budget in money, rounded down. */
  readonly equity?: number;
};

export type RankedSignal = Signal & { readonly rank: number };

export type ExecutedSignal = RankedSignal & {
  readonly pct: Fraction;
  /** pct as a float, for display only. */
  readonly pctApprox: number;
  /** floor(equity x pct) to the micro; present when equity was given. */
  readonly budget?: Micros;
};

export type SkipReason = 'below-threshold' | 'outside-watchlist' | 'beyond-execute-max' | 'below-floor';

export type SkippedSignal = Signal & {
  readonly reason: SkipReason;
  readonly message: string;
  readonly rank?: number;
};

export type Allocation = {
  readonly watchlist: readonly RankedSignal[];
  readonly executed: readonly ExecutedSignal[];
  readonly skipped: readonly SkippedSignal[];
  readonly totalPct: Fraction;
};

export const allocationDefaults = { maxPositionPct: 0.1, dailyPct: 0.2, floorPct: 0.05 } as const;

/** Signals at most per call: a scan produces tens, not thousands. */
export const signalsMax = 10_000;

const fn = 'allocateSignals';

export function allocateSignals(input: AllocationInput): Allocation {
  const maxPosition = input.maxPositionPct ?? allocationDefaults.maxPositionPct;
  const daily = input.dailyPct ?? allocationDefaults.dailyPct;
  const floor = input.floorPct ?? allocationDefaults.floorPct;
  validate(input, maxPosition, daily, floor);

  const ranked = [...input.signals].sort(byScoreThenId);
  const eligible = ranked.filter((s) => s.score >= input.threshold);
  const watchlist = eligible.slice(0, input.watchlistSize).map((s, i) => ({ ...s, rank: i + 1 }));
  const floorCount = Number(floorR(div(ratioOf(daily), ratioOf(floor))));
  const n = Math.min(input.executeMax, watchlist.length, floorCount);
  const each = n === 0 ? ratioInt(0) : minR(ratioOf(maxPosition), div(ratioOf(daily), ratioInt(n)));
  const total = mul(each, ratioInt(n));
  if (!le(total, ratioOf(daily)))
    throw new InvariantError(`${fn}: allocated ${toNumber(total)} exceeds the daily ${daily}`);
  if (!(n === 0 || le(ratioOf(floor), each))) throw new InvariantError(`${fn}: allocation below the floor`);

  const executed = watchlist.slice(0, n).map((s) => executedSignal(s, each, input.equity));
  const context = { daily, floor, floorCount, executeMax: input.executeMax, threshold: input.threshold };
  const skipped = [
    ...watchlist.slice(n).map((s) => skipInWatchlist(s, context)),
    ...eligible
      .slice(input.watchlistSize)
      .map((s, i) => skipOutside(s, input.watchlistSize + i + 1, input.watchlistSize)),
    ...ranked.filter((s) => s.score < input.threshold).map((s) => skipBelow(s, input.threshold)),
  ];
  return { watchlist, executed, skipped, totalPct: fraction(total) };
}

/** A fraction of equity in money, rounded down to the micro: 1/15 of $100,000 is $6,666.666666. */
export function budgetOf(pctOfEquity: Fraction, equity: number): Micros {
  requirePositive('budgetOf', 'equity', equity, 'pass the account equity in currency units');
  return floorMicros(mul(ratioOf(equity), div(ratioInt(pctOfEquity.num), ratioInt(pctOfEquity.den))));
}

function byScoreThenId(a: Signal, b: Signal): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; // code-unit order: the same on every machine
}

function executedSignal(s: RankedSignal, each: Ratio, equity: number | undefined): ExecutedSignal {
  const base = { ...s, pct: fraction(each), pctApprox: toNumber(each) };
  return equity === undefined ? base : { ...base, budget: budgetOf(fraction(each), equity) };
}

type SkipContext = {
  daily: number;
  floor: number;
  floorCount: number;
  executeMax: number;
  threshold: number;
};

function skipInWatchlist(s: RankedSignal, c: SkipContext): SkippedSignal {
  if (s.rank > c.executeMax) {
    return {
      ...s,
      reason: 'beyond-execute-max',
      message: `${s.id} ranks ${s.rank} in the watchlist; only the best ${c.executeMax} execute`,
    };
  }
  const daily = pct(ratioOf(c.daily));
  const floor = pct(ratioOf(c.floor));
  return {
    ...s,
    reason: 'below-floor',
    message: `${s.id} ranks ${s.rank}: splitting the ${daily} daily budget ${s.rank} ways would go below the ${floor} floor; at most ${c.floorCount} positions execute`,
  };
}

function skipOutside(s: Signal, rank: number, k: number): SkippedSignal {
  return {
    ...s,
    rank,
    reason: 'outside-watchlist',
    message: `${s.id} ranks ${rank} among eligible signals; the watchlist keeps the top ${k}`,
  };
}

function skipBelow(s: Signal, threshold: number): SkippedSignal {
  return {
    ...s,
    reason: 'below-threshold',
    message: `${s.id} scores ${s.score}, below the threshold ${threshold}`,
  };
}

function fraction(r: Ratio): Fraction {
  return { num: Number(r.n), den: Number(r.d) };
}

function validate(input: AllocationInput, maxPosition: number, daily: number, floor: number): void {
  requirePct(fn, 'maxPositionPct', maxPosition);
  requirePct(fn, 'dailyPct', daily);
  requirePct(fn, 'floorPct', floor);
  if (floor > maxPosition || floor > daily) {
    throw new RiskInputError({
      fn,
      field: 'floorPct',
      value: floor,
      problem: `must not exceed maxPositionPct (${maxPosition}) or dailyPct (${daily})`,
      fix: 'lower the floor; a floor above the per-position cap would leave no valid allocation',
    });
  }
  requireCount(fn, 'watchlistSize', input.watchlistSize);
  requireCount(fn, 'executeMax', input.executeMax);
  if (!Number.isFinite(input.threshold)) {
    throw new RiskInputError({
      fn,
      field: 'threshold',
      value: input.threshold,
      problem: 'must be finite',
      fix: 'pass a score such as 70',
    });
  }
  if (input.signals.length > signalsMax) {
    throw new RiskInputError({
      fn,
      field: 'signals',
      value: input.signals.length,
      problem: `must hold at most ${signalsMax}`,
      fix: 'pre-filter the scan',
    });
  }
  const seen = new Set<string>();
  for (const s of input.signals) {
    if (!Number.isFinite(s.score)) {
      throw new RiskInputError({
        fn,
        field: `signals[${s.id}].score`,
        value: s.score,
        problem: 'must be finite',
        fix: 'score every signal',
      });
    }
    if (seen.has(s.id)) {
      throw new RiskInputError({
        fn,
        field: 'signals',
        value: s.id,
        problem: 'holds a duplicate id',
        fix: 'send one signal per id',
      });
    }
    seen.add(s.id);
  }
}
