// Black-Scholes-Merton for European options with a continuous dividend yield q. Conventions match
// QuantLib's AnalyticEuropeanEngine: theta is per year of calendar time passing (negative for a
// long option that decays), vega per 1.00 of vol, rho per 1.00 of rate.
import { assert, InvariantError } from '../domain/assert';
import type { OptionRight } from '../domain/instrument';
import { normCdf, normPdf } from './normal';

export type BsInput = {
  readonly spot: number;
  readonly strike: number;
  /** Time to expiry in years (see trading-time.ts for which clock). */
  readonly tYears: number;
  /** Annualised volatility, 0.20 for 20%. */
  readonly vol: number;
  /** Continuously compounded risk-free rate. */
  readonly rate: number;
  /** Continuous dividend yield; 0 when absent. */
  readonly q?: number;
  readonly right: OptionRight;
};

export type Greeks = {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  /** Per year. */
  readonly theta: number;
  /** Per 1.00 of vol. */
  readonly vega: number;
  /** Per 1.00 of rate. */
  readonly rho: number;
};

export const DAYS_PER_YEAR = 365;

/** Theta per calendar day from theta per year (QuantLib's thetaPerDay convention). */
export function thetaPerDay(thetaPerYear: number): number {
  return thetaPerYear / DAYS_PER_YEAR;
}

export function bsPrice(input: BsInput): number {
  return bsGreeks(input).price;
}

/**
 * Price and greeks. At expiry (tYears 0) the value is intrinsic and delta is 0 or +-1 (0 exactly at
 * the strike: the option expires worthless). With zero vol the option is worth its discounted
 * forward intrinsic value. In both degenerate cases gamma (a spike at the strike) is reported as 0.
 */
export function bsGreeks(input: BsInput): Greeks {
  const { spot, strike, tYears: t, vol, rate } = input;
  const q = input.q ?? 0;
  assertInputs(spot, strike, t, vol, rate, q);
  const sign = input.right === 'C' ? 1 : -1;
  if (t === 0) return expired(sign, spot, strike);

  const sqrtT = Math.sqrt(t);
  const stdDev = vol * sqrtT;
  const divDiscount = Math.exp(-q * t);
  const discount = Math.exp(-rate * t);
  const logMoneyness = Math.log(spot / strike) + (rate - q) * t; // ln(F/K)
  let d1: number;
  let d2: number;
  if (stdDev > 0) {
    d1 = logMoneyness / stdDev + 0.5 * stdDev;
    d2 = d1 - stdDev;
  } else {
    // Deterministic forward: in the money, out of it, or exactly at it.
    d1 = logMoneyness > 0 ? Infinity : logMoneyness < 0 ? -Infinity : 0;
    d2 = d1;
  }
  const nd1 = normCdf(sign * d1);
  const nd2 = normCdf(sign * d2);
  const pdf = normPdf(d1);
  const spotPv = spot * divDiscount;
  const strikePv = strike * discount;

  const price = sign * (spotPv * nd1 - strikePv * nd2);
  const vega = spotPv * pdf * sqrtT;
  const gamma = stdDev > 0 ? (divDiscount * pdf) / (spot * stdDev) : 0;
  const decay = stdDev > 0 ? (-spotPv * pdf * vol) / (2 * sqrtT) : 0;
  return {
    price: Math.max(price, 0), // rounding can take a worthless option a hair below zero
    delta: sign * divDiscount * nd1,
    gamma,
    theta: decay + sign * (q * spotPv * nd1 - rate * strikePv * nd2),
    vega,
    rho: sign * strike * t * discount * nd2,
  };
}

function expired(sign: number, spot: number, strike: number): Greeks {
  const intrinsic = Math.max(sign * (spot - strike), 0);
  return {
    price: intrinsic,
    delta: intrinsic > 0 ? sign : 0,
    gamma: 0,
    theta: 0,
    vega: 0,
    rho: 0,
  };
}

export function assertInputs(
  spot: number,
  strike: number,
  t: number,
  vol: number,
  rate: number,
  q: number,
): void {
  // one test on the hot path; the messages (formatting numbers is dear) only when it fails
  const finite =
    Number.isFinite(spot) && Number.isFinite(strike) && Number.isFinite(t) && Number.isFinite(vol);
  if (finite && spot > 0 && strike > 0 && t >= 0 && vol >= 0 && Number.isFinite(rate + q)) return;
  if (!(spot > 0 && Number.isFinite(spot)))
    throw new InvariantError(`spot must be positive and finite, got ${spot}`);
  if (!(strike > 0 && Number.isFinite(strike)))
    throw new InvariantError(`strike must be positive and finite, got ${strike}`);
  if (!(t >= 0 && Number.isFinite(t)))
    throw new InvariantError(`time to expiry must be >= 0 years, got ${t}`);
  if (!(vol >= 0 && Number.isFinite(vol))) throw new InvariantError(`vol must be >= 0, got ${vol}`);
  assert(Number.isFinite(rate) && Number.isFinite(q), `rate and dividend yield must be finite`);
}
