// An underlying's price on the simulated clock. Pure and deterministic: the same spec, seed, start
// and sequence of advanceTo calls give the same prices on any machine. The path keeps its exact
// (unrounded) state and reports it rounded to the tick, so rounding never compounds.
import { assert, InvariantError } from '../../domain/assert';
import type { Rng } from '../../domain/rng';
import type { EpochMs } from '../../domain/time';
import type { PriceBars } from './price-file';
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
    }
  /**
   * Through each bar of a price file: open at the bar's start, its high and low, its close at the
   * bar's end (held through a gap to the next bar). `bridge`: the high and low at seeded instants
   * on the step grid, a Brownian bridge between them kept inside the bar's range; `linear`: the
   * extremes at a third and two thirds of the bar, straight lines between. A bar that closes at or
   * above its open visits its low first.
   */
  | {
      readonly kind: 'bars';
      readonly spot: number;
      readonly bars: PriceBars;
      readonly interpolation: BarInterpolation;
      readonly stepMs: number;
    };

export type BarInterpolation = 'bridge' | 'linear';

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
  if (!(spec.spot > 0 && Number.isFinite(spec.spot)))
    throw new InvariantError(`spot must be positive, got ${spec.spot}`);
  if (!Number.isFinite(startMs)) throw new InvariantError(`start must be finite epoch ms, got ${startMs}`);
  assertTick(tick);
  const exactAt = exactPrice(spec, rng, startMs);
  let timeMs = startMs;
  let price = Math.max(roundToTick(spec.spot, tick), tick);
  return {
    advanceTo(tMs) {
      if (!(tMs >= timeMs)) throw new InvariantError(`price path must not go backwards: ${tMs} < ${timeMs}`);
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
    case 'bars':
      return throughBars(spec, rng, startMs);
  }
}

type Anchor = { readonly t: number; readonly price: number; readonly bar: number; readonly hold: boolean };

/**
 * The bars' anchors in time order, made one bar at a time as the path reaches it (each bar draws
 * its two instants whether or not a step falls in it, so the draws do not depend on the steps).
 * From one anchor to the next the price follows a Brownian bridge (or a line) inside the bar's
 * range, or holds (from a bar's close to the next bar's open: the market is closed).
 */
function throughBars(spec: Extract<PricePathSpec, { kind: 'bars' }>, rng: Rng, startMs: EpochMs) {
  const { bars, interpolation, stepMs } = spec;
  assert(bars.t.length > 0 && bars.barMs > 0 && stepMs > 0, 'a price file path needs bars and a step');
  const instants = rng.fork('bar-instants');
  const noise = rng.fork('bar-noise');
  // A bridge's spread: its middle over a whole bar is a quarter of the bar's range away from the line.
  const varianceFor = (bar: number) =>
    ((bars.high[bar] as number) - (bars.low[bar] as number)) ** 2 / (4 * bars.barMs);
  const anchors: Anchor[] = [];
  let nextBar = 0;
  const addBar = () => {
    const i = nextBar++;
    const t0 = bars.t[i] as number;
    const open = bars.open[i] as number;
    const close = bars.close[i] as number;
    const [f1, f2] = extremeFractions(bars.barMs, stepMs, interpolation, instants.next(), instants.next());
    const [first, second] = close >= open ? [bars.low[i], bars.high[i]] : [bars.high[i], bars.low[i]];
    anchors.push(
      { t: t0, price: open, bar: i, hold: false },
      { t: t0 + f1 * bars.barMs, price: first as number, bar: i, hold: false },
      { t: t0 + f2 * bars.barMs, price: second as number, bar: i, hold: false },
      { t: t0 + bars.barMs, price: close, bar: i, hold: true },
    );
  };
  /** Anchors reach beyond t, or every bar is made (after the last: flat at its close). */
  const fill = (t: number) => {
    while (nextBar < bars.t.length && (anchors.at(-1)?.t ?? -Infinity) <= t) addBar();
  };
  // Before the first bar the price holds (the loader refuses a clock that starts there).
  let prev = { t: startMs as number, price: spec.spot, hold: true };
  const pass = (t: number) => {
    for (let a = anchors[0]; a !== undefined && a.t <= t; a = anchors[0]) {
      anchors.shift();
      prev = { t: a.t, price: a.price, hold: a.hold };
    }
  };
  fill(startMs);
  pass(startMs);
  prev = { t: startMs, price: spec.spot, hold: prev.hold };
  return (tMs: EpochMs): number => {
    fill(tMs);
    pass(tMs);
    const next = anchors[0];
    if (tMs === prev.t || next === undefined || prev.hold) return prev.price;
    const w = (tMs - prev.t) / (next.t - prev.t);
    let price = prev.price + (next.price - prev.price) * w;
    if (interpolation === 'bridge') {
      const variance = (varianceFor(next.bar) * (tMs - prev.t) * (next.t - tMs)) / (next.t - prev.t);
      price += Math.sqrt(variance) * noise.normal();
      price = Math.min(Math.max(price, bars.low[next.bar] as number), bars.high[next.bar] as number);
    }
    prev = { t: tMs, price, hold: false };
    return price;
  };
}

/**
 * Where in its bar (0..1) the first and second extreme fall: on the step grid when the bar holds
 * three steps or more, so a step sees the high and the low; linear at a third and two thirds.
 */
function extremeFractions(
  barMs: number,
  stepMs: number,
  interpolation: BarInterpolation,
  u1: number,
  u2: number,
): [number, number] {
  const steps = Math.floor(barMs / stepMs);
  if (steps < 3) {
    if (interpolation === 'linear' || u1 === u2) return [1 / 3, 2 / 3];
    return u1 < u2 ? [u1, u2] : [u2, u1];
  }
  let k1: number;
  let k2: number;
  if (interpolation === 'linear') {
    k1 = Math.max(1, Math.round(steps / 3));
    k2 = Math.min(steps - 1, Math.max(k1 + 1, Math.round((2 * steps) / 3)));
  } else {
    // Two distinct steps of 1..steps-1, each pair as likely.
    k1 = 1 + Math.floor(u1 * (steps - 1));
    k2 = 1 + Math.floor(u2 * (steps - 2));
    if (k2 >= k1) k2++;
    if (k2 < k1) [k1, k2] = [k2, k1];
  }
  return [(k1 * stepMs) / barMs, (k2 * stepMs) / barMs];
}

function gbm(spec: Extract<PricePathSpec, { kind: 'gbm' }>, rng: Rng, startMs: EpochMs) {
  const { vol, drift, jumps } = spec;
  if (!(vol >= 0 && Number.isFinite(vol) && Number.isFinite(drift)))
    throw new InvariantError(`bad gbm vol ${vol} / drift ${drift}`);
  if (jumps !== undefined) {
    if (!(jumps.perDay >= 0 && jumps.stdPct >= 0))
      throw new InvariantError(`bad jump spec ${JSON.stringify(jumps)}`);
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
    if (!(count < JUMPS_PER_STEP_MAX))
      throw new InvariantError(`more than ${JUMPS_PER_STEP_MAX} jumps in one step`);
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
    if (!(p > 0 && Number.isFinite(p)))
      throw new InvariantError(`path point price must be positive, got ${p}`);
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
