// An underlying's price on the simulated clock. Pure and deterministic: the same spec, seed, start
// and sequence of advanceTo calls give the same prices on any machine. The path keeps its exact
// (unrounded) state and reports it rounded to the tick, so rounding never compounds.
import { assert } from '../../domain/assert';
import type { Rng } from '../../domain/rng';
import type { EpochMs } from '../../domain/time';
import { assertTick, roundToTick } from './tick';

/** Poisson jumps on top of the diffusion; sizes are normal, in percent of the price. */
export type JumpSpec = { readonly perDay: number; readonly meanPct: number; readonly stdPct: number };

export type PricePathSpec =
  /** Geometric Brownian motion; vol and drift annualised over 365-day calendar time. */
  | {
      readonly kind: 'gbm';
      readonly spot: number;
      readonly vol: number;
      readonly drift: number;
      readonly jumps?: JumpSpec;
    }
  | { readonly kind: 'flat'; readonly spot: number }
  /** Linear from (start, spot) through each [epochMs, price] after the start; flat after the last. */
  | {
      readonly kind: 'points';
      readonly spot: number;
      readonly points: readonly (readonly [EpochMs, number])[];
    };

export interface PricePath {
  /** Moves the path to tMs (never backwards) and returns the price there, on the tick. */
  advanceTo(tMs: EpochMs): number;
  readonly timeMs: EpochMs;
  /** The price at timeMs, on the tick. */
  readonly price: number;
}

export const DEFAULT_TICK = 0.01;
/** Jumps in one step beyond this mean the spec or the step is absurd; it is a crash, not a loop. */
export const JUMPS_PER_STEP_MAX = 1000;
/** A jump can take at most this much off the price; a -100% jump would end the path at 0. */
const JUMP_PCT_MIN = -99;
const MS_PER_YEAR = 365 * 24 * 3600 * 1000;
const MS_PER_DAY = 24 * 3600 * 1000;

export function createPricePath(
  spec: PricePathSpec,
  rng: Rng,
  startMs: EpochMs,
  tick = DEFAULT_TICK,
): PricePath {
  assert(spec.spot > 0 && Number.isFinite(spec.spot), `spot must be positive, got ${spec.spot}`);
  assert(Number.isFinite(startMs), `start must be finite epoch ms, got ${startMs}`);
  assertTick(tick);
  const exactAt = exactPrice(spec, rng, startMs);
  let timeMs = startMs;
  let price = Math.max(roundToTick(spec.spot, tick), tick);
  return {
    advanceTo(tMs) {
      assert(tMs >= timeMs, `price path must not go backwards: ${tMs} < ${timeMs}`);
      if (tMs === timeMs) return price;
      timeMs = tMs;
      // A path that rounds to 0 would be a free instrument; the smallest price is one tick.
      price = Math.max(roundToTick(exactAt(tMs), tick), tick);
      return price;
    },
    get timeMs() {
      return timeMs;
    },
    get price() {
      return price;
    },
  };
}

/** The exact (unrounded) price as a function of monotone time. */
function exactPrice(spec: PricePathSpec, rng: Rng, startMs: EpochMs): (tMs: EpochMs) => number {
  switch (spec.kind) {
    case 'flat':
      return () => spec.spot;
    case 'gbm':
      return gbm(spec, rng, startMs);
    case 'points':
      return interpolate(spec.spot, spec.points, startMs);
  }
}

function gbm(spec: Extract<PricePathSpec, { kind: 'gbm' }>, rng: Rng, startMs: EpochMs) {
  const { vol, drift, jumps } = spec;
  assert(vol >= 0 && Number.isFinite(vol) && Number.isFinite(drift), `bad gbm vol ${vol} / drift ${drift}`);
  if (jumps !== undefined) {
    assert(jumps.perDay >= 0 && jumps.stdPct >= 0, `bad jump spec ${JSON.stringify(jumps)}`);
  }
  // Separate streams: turning jumps on does not change the diffusion's draws.
  const diffusion = rng.fork('diffusion');
  const jumpRng = rng.fork('jumps');
  let logPrice = Math.log(spec.spot);
  let lastMs = startMs;
  return (tMs: EpochMs): number => {
    const dt = (tMs - lastMs) / MS_PER_YEAR;
    lastMs = tMs;
    // Exact log-normal step, whatever dt is.
    logPrice += (drift - 0.5 * vol * vol) * dt + vol * Math.sqrt(dt) * diffusion.normal();
    if (jumps !== undefined) logPrice += jumpLog(jumps, (dt * MS_PER_YEAR) / MS_PER_DAY, jumpRng);
    return Math.exp(logPrice);
  };
}

/** Sum of the log-jumps over dtDays: a Poisson count (Knuth) of normal percentage moves. */
function jumpLog(jumps: JumpSpec, dtDays: number, rng: Rng): number {
  const threshold = Math.exp(-jumps.perDay * dtDays);
  let total = 0;
  let product = rng.next();
  for (let count = 0; product > threshold; count++) {
    assert(count < JUMPS_PER_STEP_MAX, `more than ${JUMPS_PER_STEP_MAX} jumps in one step`);
    const pct = Math.max(jumps.meanPct + jumps.stdPct * rng.normal(), JUMP_PCT_MIN);
    total += Math.log1p(pct / 100);
    product *= rng.next();
  }
  return total;
}

function interpolate(spot: number, points: readonly (readonly [EpochMs, number])[], startMs: EpochMs) {
  const times = [startMs];
  const prices = [spot];
  let previous = -Infinity;
  for (const [t, p] of points) {
    assert(p > 0 && Number.isFinite(p), `path point price must be positive, got ${p}`);
    assert(t > previous && Number.isFinite(t), `path points must be in strictly increasing time`);
    previous = t;
    if (t <= startMs) continue; // before the start the spot rules
    times.push(t);
    prices.push(p);
  }
  let segment = 0; // times only move forward, so the segment only moves forward
  return (tMs: EpochMs): number => {
    while (segment < times.length - 1 && (times[segment + 1] as number) <= tMs) segment++;
    const t0 = times[segment] as number;
    const p0 = prices[segment] as number;
    if (segment === times.length - 1) return p0;
    const t1 = times[segment + 1] as number;
    const p1 = prices[segment + 1] as number;
    return p0 + ((p1 - p0) * (tMs - t0)) / (t1 - t0);
  };
}
