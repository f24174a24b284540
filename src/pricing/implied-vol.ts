// Implied volatility that never makes a vol up: a price outside the no-arbitrage bounds, or one
// with no time value, is a typed refusal. Inside the bounds the solver always converges:
// third-order Householder steps on a transformed objective, kept inside a bracket that bisection
// shrinks whenever a step would leave it.
//
// The work is done on the normalised out-of-the-money call (Jaeckel's "Let's be rational" frame):
// x = ln(F/K) <= 0, s = vol * sqrt(T), beta = undiscounted OTM price / sqrt(F*K), so that
//   b(s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2),   0 < b < bMax = e^{x/2}.
// An in-the-money option is turned into its OTM twin by put-call parity (a sum, no cancellation
// beyond what the price itself carries), and a put maps to a call by x -> -x.
import { assert } from '../domain/assert';
import type { OptionRight } from '../domain/instrument';
import { assertInputs } from './black-scholes';
import { normCdf, normInvApprox } from './normal';

export type ImpliedVolFailure = 'below-intrinsic' | 'above-upper-bound' | 'no-time-value' | 'no-convergence';

export type ImpliedVolResult =
  | { readonly ok: true; readonly vol: number; readonly iterations: number }
  | { readonly ok: false; readonly reason: ImpliedVolFailure };

export type ImpliedVolInput = {
  /** The option's premium (discounted, as quoted). */
  readonly price: number;
  readonly spot: number;
  readonly strike: number;
  readonly tYears: number;
  readonly rate: number;
  readonly q?: number;
  readonly right: OptionRight;
};

/** Householder steps before giving up; convergence normally takes 2-5. */
export const IV_ITERATIONS_MAX = 64;

/** Status codes of the chain version, index into IV_STATUS. */
export const IV_OK = 0;
export const IV_STATUS = [
  'ok',
  'below-intrinsic',
  'above-upper-bound',
  'no-time-value',
  'no-convergence',
] as const;
export type IvStatus = (typeof IV_STATUS)[number];

const CODE_BELOW = 1;
const CODE_ABOVE = 2;
const CODE_NO_TIME_VALUE = 3;
const CODE_NO_CONVERGENCE = 4;
const STEP_TOLERANCE_REL = 1e-12; // steps are cubic: the next error is ~ (1e-12)^3 of s
const BRACKET_TOLERANCE_REL = 4 * Number.EPSILON;
const STEP_FACTOR_MAX = 4;

export function impliedVol(input: ImpliedVolInput): ImpliedVolResult {
  const q = input.q ?? 0;
  assertInputs(input.spot, input.strike, input.tYears, 0, input.rate, q);
  assert(Number.isFinite(input.price), `option price must be finite, got ${input.price}`);
  const code = solve(input.price, input.spot, input.strike, input.tYears, input.rate, q, input.right === 'C');
  if (code !== IV_OK) return { ok: false, reason: IV_STATUS[code] as ImpliedVolFailure };
  return { ok: true, vol: solved.vol, iterations: solved.iterations };
}

export type IvChainInput = {
  readonly spot: number;
  readonly rate: number;
  readonly q: number;
  readonly strikes: Float64Array;
  readonly tYears: Float64Array;
  readonly prices: Float64Array;
  /** 1 for a call, 0 for a put. */
  readonly isCall: Uint8Array;
};

export type IvChainOutput = {
  /** The implied vol, NaN where there is none. */
  readonly vol: Float64Array;
  /** IV_OK or the failure's index into IV_STATUS. */
  readonly status?: Uint8Array;
  readonly iterations?: Uint8Array;
};

/** impliedVol over a chain, writing into typed arrays (no allocation per option). */
export function impliedVolChain(input: IvChainInput, out: IvChainOutput): void {
  const { spot, rate, q, strikes, tYears, prices, isCall } = input;
  const n = strikes.length;
  assert(
    tYears.length === n && prices.length === n && isCall.length === n,
    `chain arrays must have length ${n}`,
  );
  assert(out.vol.length >= n, `vol output must hold ${n} values`);
  for (let i = 0; i < n; i++) {
    const t = tYears[i] as number;
    const k = strikes[i] as number;
    const price = prices[i] as number;
    assertInputs(spot, k, t, 0, rate, q);
    assert(Number.isFinite(price), `option price must be finite, got ${price} at row ${i}`);
    const code = solve(price, spot, k, t, rate, q, isCall[i] === 1);
    out.vol[i] = code === IV_OK ? solved.vol : NaN;
    if (out.status !== undefined) out.status[i] = code;
    if (out.iterations !== undefined) out.iterations[i] = code === IV_OK ? solved.iterations : 0;
  }
}

// The solver's result when it returns IV_OK; a module-level slot keeps the chain allocation-free.
const solved = { vol: NaN, iterations: 0 };

function solve(
  price: number,
  spot: number,
  strike: number,
  t: number,
  rate: number,
  q: number,
  isCall: boolean,
) {
  const discount = Math.exp(-rate * t);
  const forward = spot * Math.exp((rate - q) * t);
  const undiscounted = price / discount;
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  // The OTM twin's price is pure time value: for an ITM call the put, and vice versa. A time
  // value within the rounding of price and intrinsic is none: a vol fitted to it would be made up.
  const otmPrice = undiscounted - intrinsic;
  const roundingNoise = 4 * Number.EPSILON * (undiscounted + intrinsic);
  if (otmPrice < -roundingNoise) return CODE_BELOW;
  if (undiscounted >= (isCall ? forward : strike)) return CODE_ABOVE;
  if (otmPrice <= roundingNoise || t === 0) return CODE_NO_TIME_VALUE;
  const x = -Math.abs(Math.log(forward / strike));
  const beta = otmPrice / Math.sqrt(forward * strike);
  if (beta >= Math.exp(0.5 * x)) return CODE_ABOVE;
  // beta carries the rounding of undiscounted - intrinsic; no solver can do better than that
  const betaNoise = (Number.EPSILON * (undiscounted + intrinsic)) / otmPrice;
  const s = solveNormalised(beta, x, betaNoise);
  if (Number.isNaN(s)) return CODE_NO_CONVERGENCE;
  solved.vol = s / Math.sqrt(t);
  return IV_OK;
}

/**
 * Solves b(s) = beta for x <= 0 and 0 < beta < e^{x/2}. Below the inflection point of b the
 * objective is ln b(s) - ln beta; above it (and past half the upper bound) it is
 * ln(bMax - b(s)) - ln(bMax - beta), computed without cancellation. Both make Householder steps
 * nearly linear where plain b(s) - beta is flat. Returns NaN after IV_ITERATIONS_MAX steps.
 */
function solveNormalised(beta: number, x: number, betaNoise: number): number {
  const bMax = Math.exp(0.5 * x);
  const sInflection = Math.sqrt(-2 * x);
  const bInflection = x < 0 ? normalisedCall(x, sInflection) : 0;
  const upper = beta > 0.5 * bMax && beta > bInflection;
  const target = upper ? Math.log(bMax - beta) : Math.log(beta);
  const targetNoise = upper ? (Number.EPSILON * bMax + beta * betaNoise) / (bMax - beta) : betaNoise;
  let s = upper
    ? upperGuess(beta, bMax, sInflection)
    : lowerGuess(beta, x, beta < bInflection ? sInflection : Infinity);
  let lo = 0;
  let hi = Infinity;
  for (let iteration = 1; iteration <= IV_ITERATIONS_MAX; iteration++) {
    const h = x / s;
    const t = 0.5 * s;
    // b'(s) = n(h + t) e^{x/2}, written so it does not overflow for tiny s
    const dbds = 0.3989422804014327 * Math.exp(-0.5 * (h * h + t * t));
    let f: number;
    let r: number; // f'(s)
    let fNoise: number; // rounding in f: steps below it only chase noise
    if (upper) {
      const w = bMax * normCdf(-h - t) + normCdf(h - t) / bMax;
      f = Math.log(w) - target;
      r = -dbds / w;
      fNoise = 4 * (Number.EPSILON + targetNoise);
      if (f < 0) hi = s;
      else lo = s;
    } else {
      const plus = bMax * normCdf(h + t);
      const minus = normCdf(h - t) / bMax;
      const b = plus - minus;
      f = Math.log(b) - target;
      r = dbds / b;
      // N's relative error in its tail grows like its argument squared
      const tailGrowth = 1 + (t - h) * (t - h);
      fNoise = 4 * ((Number.EPSILON * tailGrowth * (plus + minus)) / b + targetNoise);
      if (f > 0) hi = s;
      else lo = s;
    }
    if (f === 0) return finish(s, iteration);
    // b''/b' and b'''/b' in closed form; then the objective's own ratios f''/f', f'''/f'
    const a2 = (x * x) / (s * s * s) - 0.25 * s;
    const a3 = a2 * a2 - (3 * x * x) / (s * s * s * s) - 0.25;
    const h2 = a2 - r;
    const h3 = a3 - 3 * r * a2 + 2 * r * r;
    const nu = -f / r;
    // From a far guess the third-order terms can overshoot wildly: move at most 4x per step.
    let next = s + (nu * (1 + 0.5 * h2 * nu)) / (1 + nu * (h2 + (h3 * nu) / 6));
    next = Math.min(Math.max(next, s / STEP_FACTOR_MAX), s * STEP_FACTOR_MAX);
    const converged = Math.abs(next - s) <= STEP_TOLERANCE_REL * s || Math.abs(f) <= fNoise;
    if (converged) return finish(next >= lo && next <= hi ? next : s, iteration);
    if (!(next > lo && next < hi)) next = hi === Infinity ? 2 * Math.max(s, lo) : 0.5 * (lo + hi);
    if (hi < Infinity && hi - lo <= BRACKET_TOLERANCE_REL * hi) return finish(0.5 * (lo + hi), iteration);
    s = next;
  }
  return NaN;
}

function finish(s: number, iterations: number): number {
  solved.iterations = iterations;
  return s;
}

/** b(x, s) for x <= 0. */
function normalisedCall(x: number, s: number): number {
  const h = x / s;
  const t = 0.5 * s;
  return Math.exp(0.5 * x) * normCdf(h + t) - Math.exp(-0.5 * x) * normCdf(h - t);
}

/**
 * Two lower bounds of the root: b(s) <= s / sqrt(2 pi) (Brenner-Subrahmanyam, tight at the money),
 * and, below the inflection point, b(s) < e^{-x^2 / (2 s^2)}. Starting left of the root, where
 * ln b is concave, pulls the Householder steps monotonically in.
 */
function lowerGuess(beta: number, x: number, sMax: number): number {
  const atTheMoney = 2.5066282746310002 * beta;
  const deepOtm = x < 0 ? -x / Math.sqrt(-2 * Math.log(beta)) : 0;
  return Math.min(Math.max(atTheMoney, deepOtm), sMax);
}

/** Far above the inflection point bMax - b(s) ~ (e^{x/2} + e^{-x/2}) N(-s/2). */
function upperGuess(beta: number, bMax: number, sInflection: number): number {
  const s = -2 * normInvApprox((bMax - beta) / (bMax + 1 / bMax));
  return Math.max(s, sInflection);
}
