// Implied volatility that never makes a vol up: a price outside the no-arbitrage bounds, or one
// with no time value, is a typed refusal. Inside the bounds the solver always converges:
// third-order Householder steps on a transformed objective, kept inside a bracket that bisection
// shrinks whenever a step would leave it. From a tabulated initial guess one step is nearly always
// enough for full double precision.
//
// The work is done on the normalised out-of-the-money call (Jaeckel's "Let's be rational" frame):
// x = ln(F/K) <= 0, s = vol * sqrt(T), beta = undiscounted OTM price / sqrt(F*K), so that
//   b(s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2),   0 < b < bMax = e^{x/2}.
// An in-the-money option is turned into its OTM twin by put-call parity (a sum, no cancellation
// beyond what the price itself carries), and a put maps to a call by x -> -x.
import { InvariantError } from '../domain/assert';
import type { OptionRight } from '../domain/instrument';
import { assertInputs } from './black-scholes';
import { normCdfOverPdf, normInvApprox } from './normal';

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

/** Householder steps before giving up; convergence normally takes 1 (up to 3 far from the money). */
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
// Steps are fourth order, and their error constant is below 0.2 (measured over the whole domain):
// after a step of 2e-4 s the error is ~0.2 * (2e-4)^4 s, below 1e-15 s.
const STEP_TOLERANCE_REL = 2e-4;
const BRACKET_TOLERANCE_REL = 4 * Number.EPSILON;
const STEP_FACTOR_MAX = 4;

export function impliedVol(input: ImpliedVolInput): ImpliedVolResult {
  const q = input.q ?? 0;
  assertInputs(input.spot, input.strike, input.tYears, 0, input.rate, q);
  if (!Number.isFinite(input.price))
    throw new InvariantError(`option price must be finite, got ${input.price}`);
  const t = input.tYears;
  const discount = Math.exp(-input.rate * t);
  const forward = input.spot * Math.exp((input.rate - q) * t);
  const code = solve(input.price, input.strike, t, Math.sqrt(t), discount, forward, input.right === 'C');
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
  if (!(tYears.length === n && prices.length === n && isCall.length === n))
    throw new InvariantError(`chain arrays must have length ${n}`);
  if (!(out.vol.length >= n)) throw new InvariantError(`vol output must hold ${n} values`);
  assertInputs(spot, 1, 0, 0, rate, q); // spot, rate and q; strike and time are checked per row
  const { vol, status, iterations } = out;
  // Most chains share one expiry: keep the per-expiry terms of the previous option.
  let lastT = NaN;
  let discount = 1;
  let forward = spot;
  let sqrtT = 0;
  for (let i = 0; i < n; i++) {
    const t = tYears[i] as number;
    const k = strikes[i] as number;
    const price = prices[i] as number;
    // the message is built only on failure: formatting numbers costs more than a solve
    if (!(k > 0 && k < Infinity && t >= 0 && t < Infinity && Math.abs(price) < Infinity)) {
      throw new InvariantError(`bad chain row ${i}: K=${k} T=${t} price=${price}`);
    }
    if (t !== lastT) {
      lastT = t;
      discount = Math.exp(-rate * t);
      forward = spot * Math.exp((rate - q) * t);
      sqrtT = Math.sqrt(t);
    }
    const code = solve(price, k, t, sqrtT, discount, forward, isCall[i] === 1);
    vol[i] = code === IV_OK ? solved.vol : NaN;
    if (status !== undefined) status[i] = code;
    if (iterations !== undefined) iterations[i] = code === IV_OK ? solved.iterations : 0;
  }
}

// The solver's result when it returns IV_OK; a module-level slot keeps the chain allocation-free.
const solved = { vol: NaN, iterations: 0 };

function solve(
  price: number,
  strike: number,
  t: number,
  sqrtT: number,
  discount: number,
  forward: number,
  isCall: boolean,
): number {
  const undiscounted = price / discount;
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  // The OTM twin's price is pure time value: for an ITM call the put, and vice versa. A time
  // value within the rounding of price and intrinsic is none: a vol fitted to it would be made up.
  const otmPrice = undiscounted - intrinsic;
  // In the money, the intrinsic F - K carries the rounding of F and K themselves, not of F - K.
  const scale = undiscounted + (intrinsic > 0 ? forward + strike : 0);
  const roundingNoise = 4 * Number.EPSILON * scale;
  if (otmPrice < -roundingNoise) return CODE_BELOW;
  if (undiscounted >= (isCall ? forward : strike)) return CODE_ABOVE;
  if (otmPrice <= roundingNoise || t === 0) return CODE_NO_TIME_VALUE;
  const x = -Math.abs(Math.log(forward / strike));
  const bMax = Math.exp(0.5 * x);
  const beta = otmPrice / Math.sqrt(forward * strike);
  if (beta >= bMax) return CODE_ABOVE;
  // beta carries the rounding of undiscounted - intrinsic; no solver can do better than that
  const betaNoise = (Number.EPSILON * scale) / otmPrice;
  const s = solveFromGuess(beta, x, bMax, betaNoise);
  if (Number.isNaN(s)) return CODE_NO_CONVERGENCE;
  solved.vol = s / sqrtT;
  return IV_OK;
}

const LN_SQRT_2PI = 0.9189385332046728;
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Solves b(s) = beta for x <= 0 and 0 < beta < bMax = e^{x/2}, from the guess s. Below half the
 * upper bound the objective is ln b(s) - ln beta; above it ln(bMax - b(s)) - ln(bMax - beta). Both
 * make Householder steps nearly linear where plain b(s) - beta is flat. Neither needs N or an
 * exponential: with E = n(h + t) e^{x/2} = b'(s) and Y = N / n (a rational, through erfcx),
 *   b = E (Y(h + t) - Y(h - t)),   bMax - b = E (Y(-h - t) + Y(h - t)),
 *   ln E = -(h^2 + t^2) / 2 - ln sqrt(2 pi),
 * so a step costs two rationals and a log, and nothing under- or overflows in the tails.
 * Returns NaN after IV_ITERATIONS_MAX steps.
 */
function solveNormalised(
  beta: number,
  x: number,
  bMax: number,
  lnTarget: number,
  upper: boolean,
  betaNoise: number,
  guess: number,
): number {
  const target = lnTarget + LN_SQRT_2PI;
  const targetNoise = upper ? (Number.EPSILON * bMax + beta * betaNoise) / (bMax - beta) : betaNoise;
  let s = guess;
  let lo = 0;
  let hi = Infinity;
  for (let iteration = 1; iteration <= IV_ITERATIONS_MAX; iteration++) {
    const h = x / s;
    const t = 0.5 * s;
    const yMinus = normCdfOverPdf(h - t);
    const yPlus = normCdfOverPdf(upper ? -h - t : h + t);
    const ySum = upper ? yPlus + yMinus : yPlus - yMinus;
    const halfSquares = 0.5 * (h * h + t * t);
    const f = Math.log(ySum) - halfSquares - target;
    const r = upper ? -1 / ySum : 1 / ySum; // f'(s)
    // rounding in f (the difference of the Ys, the squares, the target): steps below it chase noise
    const fNoise = 4 * (Number.EPSILON * ((yPlus + yMinus) / ySum + halfSquares + 1) + targetNoise);
    // NaN (the Ys' difference lost to rounding, or Infinity - Infinity) only happens at tiny s
    if (upper ? !(f <= 0) : !(f >= 0)) lo = s;
    else hi = s;
    if (f === 0) return finish(s, iteration);
    // b''/b' and b'''/b' in closed form; then the objective's own ratios f''/f', f'''/f'
    const a2 = (h * h) / s - 0.5 * t;
    const a3 = a2 * a2 - (3 * h * h) / (s * s) - 0.25;
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

/** The normalised solve from the best available guess; the table needs it to build itself. */
function solveFromGuess(beta: number, x: number, bMax: number, betaNoise: number): number {
  const upper = beta > 0.5 * bMax;
  const lnTarget = upper ? Math.log(bMax - beta) : Math.log(beta);
  let guess = upper ? upperGuess(beta, bMax, x) : tableGuess(beta, x, lnTarget);
  if (!(guess > 0)) guess = lowerGuess(beta, x, bMax, lnTarget);
  return solveNormalised(beta, x, bMax, lnTarget, upper, betaNoise, guess);
}

/**
 * Two lower bounds of the root: b(s) <= s / sqrt(2 pi) (Brenner-Subrahmanyam, tight at the money),
 * and, below the inflection point s_c = sqrt(2|x|), b(s) < e^{-x^2 / (2 s^2)}. Starting left of the
 * root, where ln b is concave, pulls the Householder steps monotonically in. Used where the table
 * does not reach (|ln(F/K)| beyond about 1.5).
 */
function lowerGuess(beta: number, x: number, bMax: number, lnBeta: number): number {
  const atTheMoney = 2.5066282746310002 * beta;
  if (x === 0) return atTheMoney;
  const sInflection = Math.sqrt(-2 * x);
  // b at the inflection point, where h + t = 0: bMax (1/2 - Y(-s_c) / sqrt(2 pi))
  const bInflection = bMax * (0.5 - INV_SQRT_2PI * normCdfOverPdf(-sInflection));
  const deepOtm = -x / Math.sqrt(-2 * lnBeta);
  const s = Math.max(atTheMoney, deepOtm);
  return beta < bInflection ? Math.min(s, sInflection) : s;
}

/** Far above the inflection point bMax - b(s) ~ (e^{x/2} + e^{-x/2}) N(-s/2). */
function upperGuess(beta: number, bMax: number, x: number): number {
  const s = -2 * normInvApprox((bMax - beta) / (bMax + 1 / bMax));
  return Math.max(s, Math.sqrt(-2 * x));
}

// The lower-branch guess: s tabulated over (m, tau), with m = |x| + beta and
// tau = 1 / sqrt(1 - 2 ln(beta / m)) in [0, 1], read by bicubic (Catmull-Rom) interpolation.
// s / (m tau) is smooth there: near the money and for small s and x alike b(s) is nearly
// homogeneous, s(k |x|, k beta) ~ k s(|x|, beta), and deep out of the money s ~ m tau. A 32 x 32
// grid guesses to ~1e-4 relative, so one fourth-order step lands at full precision.
const TABLE_P = 32; // m nodes
const TABLE_Q = 32; // tau nodes; tau = 1/32 is beta / m = e^{-511}, near the bottom of a double
const TABLE_M_SCALE = 0.5;
const TABLE_M_MAX = 1.5;
const TABLE_U_PER_P = TABLE_P / (TABLE_M_MAX / (TABLE_M_MAX + TABLE_M_SCALE));
const TABLE_ROW = TABLE_Q + 3; // one ghost node each side, so reads never clamp
const TABLE_M_SMALLEST = 1e-7; // stands for m -> 0, where s / (m tau) depends on tau alone
let table: Float64Array | undefined;

function tableGuess(beta: number, x: number, lnBeta: number): number {
  const m = beta - x;
  if (!(m <= TABLE_M_MAX)) return NaN;
  const cells = table ?? buildTable();
  const tau = 1 / Math.sqrt(1 - 2 * (lnBeta - Math.log(m)));
  const u = (m / (m + TABLE_M_SCALE)) * TABLE_U_PER_P;
  const v = tau * TABLE_Q;
  const i = Math.min(Math.floor(u), TABLE_P - 1);
  const j = Math.min(Math.floor(v), TABLE_Q - 1);
  const fu = u - i;
  const fv = v - j;
  const k = i * TABLE_ROW + j; // node (i - 1, j - 1), counting the ghosts
  const r0 = tableRow(cells, k, fv);
  const r1 = tableRow(cells, k + TABLE_ROW, fv);
  const r2 = tableRow(cells, k + 2 * TABLE_ROW, fv);
  const r3 = tableRow(cells, k + 3 * TABLE_ROW, fv);
  return catmullRom(r0, r1, r2, r3, fu) * m * tau;
}

/** Interpolates along tau between the 2nd and 3rd of four nodes from cells[k]. */
function tableRow(cells: Float64Array, k: number, f: number): number {
  return catmullRom(
    cells[k] as number,
    cells[k + 1] as number,
    cells[k + 2] as number,
    cells[k + 3] as number,
    f,
  );
}

function catmullRom(a: number, b: number, c: number, d: number, f: number): number {
  return b + 0.5 * f * (c - a + f * (2 * a - 5 * b + 4 * c - d + f * (3 * (b - c) + d - a)));
}

/** Solves the grid's nodes exactly (with the fallback guesses), once, on first use: ~1,000 solves. */
function buildTable(): Float64Array {
  const cells = new Float64Array((TABLE_P + 3) * TABLE_ROW);
  const at = (i: number, j: number) => (i + 1) * TABLE_ROW + j + 1;
  const mMaxP = TABLE_P / TABLE_U_PER_P;
  for (let i = 0; i <= TABLE_P; i++) {
    const p = (i / TABLE_P) * mMaxP;
    const m = i === 0 ? TABLE_M_SMALLEST : (TABLE_M_SCALE * p) / (1 - p);
    cells[at(i, 0)] = 1; // deep out of the money s -> m tau
    for (let j = 1; j <= TABLE_Q; j++) {
      const tau = j / TABLE_Q;
      const w = Math.exp(0.5 * (1 - 1 / (tau * tau))); // beta / m
      const x = -(1 - w) * m;
      const bMax = Math.exp(0.5 * x);
      // nodes past the upper bound only shape cells outside the lower branch: any value will do
      const beta = Math.min(w * m, 0.98 * bMax);
      const upper = beta > 0.5 * bMax;
      const lnTarget = upper ? Math.log(bMax - beta) : Math.log(beta);
      const guess = upper ? upperGuess(beta, bMax, x) : lowerGuess(beta, x, bMax, lnTarget);
      cells[at(i, j)] = solveNormalised(beta, x, bMax, lnTarget, upper, 0, guess) / (m * tau);
    }
  }
  // ghosts: cubic extrapolation, so the edge cells interpolate as smoothly as the inner ones
  const ghost = (a: number, b: number, c: number) => 3 * a - 3 * b + c;
  for (let i = 0; i <= TABLE_P; i++) {
    cells[at(i, -1)] = ghost(cells[at(i, 0)] as number, cells[at(i, 1)] as number, cells[at(i, 2)] as number);
    cells[at(i, TABLE_Q + 1)] = ghost(
      cells[at(i, TABLE_Q)] as number,
      cells[at(i, TABLE_Q - 1)] as number,
      cells[at(i, TABLE_Q - 2)] as number,
    );
  }
  for (let j = -1; j <= TABLE_Q + 1; j++) {
    cells[at(-1, j)] = ghost(cells[at(0, j)] as number, cells[at(1, j)] as number, cells[at(2, j)] as number);
    cells[at(TABLE_P + 1, j)] = ghost(
      cells[at(TABLE_P, j)] as number,
      cells[at(TABLE_P - 1, j)] as number,
      cells[at(TABLE_P - 2, j)] as number,
    );
  }
  table = cells;
  return cells;
}
