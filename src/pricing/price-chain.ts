// Black-Scholes over a whole option chain in typed arrays: one pass, no allocation per option.
// The math is the same as bsGreeks (same formulas, same order of operations), so a chain and a
// single option give bit-identical numbers; only the loop structure is tuned for speed.
import { assert, InvariantError } from '../domain/assert';
import { normCdf } from './normal';

export type ChainInput = {
  readonly spot: number;
  readonly rate: number;
  /** Continuous dividend yield. */
  readonly q: number;
  readonly strikes: Float64Array;
  readonly tYears: Float64Array;
  readonly vols: Float64Array;
  /** 1 for a call, 0 for a put. */
  readonly isCall: Uint8Array;
};

/** Where to write results; only the arrays given are computed (price is always). */
export type ChainOutput = {
  readonly price: Float64Array;
  readonly delta?: Float64Array;
  readonly gamma?: Float64Array;
  /** Per year. */
  readonly theta?: Float64Array;
  /** Per 1.00 of vol. */
  readonly vega?: Float64Array;
  /** Per 1.00 of rate. */
  readonly rho?: Float64Array;
};

const INV_SQRT_2PI = 0.3989422804014327;

export function priceChain(input: ChainInput, out: ChainOutput): void {
  const { spot, rate, q, strikes, tYears, vols, isCall } = input;
  const n = strikes.length;
  assertChainShape(input, out);
  if (!(spot > 0 && Number.isFinite(spot)))
    throw new InvariantError(`spot must be positive and finite, got ${spot}`);
  assert(Number.isFinite(rate) && Number.isFinite(q), 'rate and dividend yield must be finite');
  const { price, delta, gamma, theta, vega, rho } = out;
  const needPdf = gamma !== undefined || theta !== undefined || vega !== undefined;
  // The common request (price, maybe delta, no expired or zero-vol rows) takes a lean loop.
  if (!needPdf && rho === undefined && priceDeltaLoop(input, price, delta)) return;

  // Most chains share one expiry: keep the per-expiry terms of the previous option.
  let lastT = NaN;
  let sqrtT = 0;
  let divDiscount = 1;
  let discount = 1;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const k = strikes[i] as number;
    const t = tYears[i] as number;
    const vol = vols[i] as number;
    const sign = isCall[i] === 1 ? 1 : -1;
    if (!(k > 0 && t >= 0 && vol >= 0)) assert(false, `bad chain row ${i}: K=${k} T=${t} vol=${vol}`);
    if (t !== lastT) {
      lastT = t;
      sqrtT = Math.sqrt(t);
      divDiscount = Math.exp(-q * t);
      discount = Math.exp(-rate * t);
      carry = (rate - q) * t;
    }
    if (t === 0) {
      writeExpired(out, i, sign, spot, k);
      continue;
    }
    const stdDev = vol * sqrtT;
    const logMoneyness = Math.log(spot / k) + carry;
    let d1: number;
    let d2: number;
    if (stdDev > 0) {
      d1 = logMoneyness / stdDev + 0.5 * stdDev;
      d2 = d1 - stdDev;
    } else {
      d1 = logMoneyness > 0 ? Infinity : logMoneyness < 0 ? -Infinity : 0;
      d2 = d1;
    }
    const nd1 = normCdf(sign * d1);
    const nd2 = normCdf(sign * d2);
    const spotPv = spot * divDiscount;
    const strikePv = k * discount;
    const p = sign * (spotPv * nd1 - strikePv * nd2);
    price[i] = p > 0 ? p : 0;
    if (delta !== undefined) delta[i] = sign * divDiscount * nd1;
    if (rho !== undefined) rho[i] = sign * k * t * discount * nd2;
    if (!needPdf) continue;
    const pdf = INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1);
    if (vega !== undefined) vega[i] = spotPv * pdf * sqrtT;
    if (gamma !== undefined) gamma[i] = stdDev > 0 ? (divDiscount * pdf) / (spot * stdDev) : 0;
    if (theta !== undefined) {
      const decay = stdDev > 0 ? (-spotPv * pdf * vol) / (2 * sqrtT) : 0;
      theta[i] = decay + sign * (q * spotPv * nd1 - rate * strikePv * nd2);
    }
  }
}

/**
 * The hot path: price and optionally delta, with the same math as the general loop. Returns false
 * as soon as it meets an expired or zero-vol row, which the general loop then handles (it
 * recomputes every row, identically).
 */
function priceDeltaLoop(input: ChainInput, price: Float64Array, delta: Float64Array | undefined): boolean {
  const { spot, rate, q, strikes, tYears, vols, isCall } = input;
  const n = strikes.length;
  let lastT = NaN;
  let divDiscount = 1;
  let spotPv = spot;
  let discount = 1;
  let sqrtT = 0;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const k = strikes[i] as number;
    const t = tYears[i] as number;
    const vol = vols[i] as number;
    const sign = isCall[i] === 1 ? 1 : -1;
    if (!(k > 0 && t >= 0 && vol >= 0)) assert(false, `bad chain row ${i}: K=${k} T=${t} vol=${vol}`);
    if (t !== lastT) {
      lastT = t;
      sqrtT = Math.sqrt(t);
      divDiscount = Math.exp(-q * t);
      spotPv = spot * divDiscount;
      discount = Math.exp(-rate * t);
      carry = (rate - q) * t;
    }
    const stdDev = vol * sqrtT;
    if (!(stdDev > 0)) return false;
    const d1 = (Math.log(spot / k) + carry) / stdDev + 0.5 * stdDev;
    const nd1 = normCdf(sign * d1);
    const nd2 = normCdf(sign * (d1 - stdDev));
    const p = sign * (spotPv * nd1 - k * discount * nd2);
    price[i] = p > 0 ? p : 0;
    if (delta !== undefined) delta[i] = sign * divDiscount * nd1;
  }
  return true;
}

function writeExpired(out: ChainOutput, i: number, sign: number, spot: number, strike: number): void {
  const intrinsic = Math.max(sign * (spot - strike), 0);
  out.price[i] = intrinsic;
  if (out.delta !== undefined) out.delta[i] = intrinsic > 0 ? sign : 0;
  if (out.gamma !== undefined) out.gamma[i] = 0;
  if (out.theta !== undefined) out.theta[i] = 0;
  if (out.vega !== undefined) out.vega[i] = 0;
  if (out.rho !== undefined) out.rho[i] = 0;
}

function assertChainShape(input: ChainInput, out: ChainOutput): void {
  const n = input.strikes.length;
  if (!(input.tYears.length === n && input.vols.length === n && input.isCall.length === n))
    throw new InvariantError(`chain input arrays must all have length ${n}`);
  for (const arr of [out.price, out.delta, out.gamma, out.theta, out.vega, out.rho]) {
    if (!(arr === undefined || arr.length >= n))
      throw new InvariantError(`chain output arrays must hold ${n} values`);
  }
}
