// The simulated venue's option quotes: Black-Scholes on a skewed smile, a spread that widens with
// vol, prices on the tick. Deterministic: the same inputs always give the same quote.
//
// T is trading time (tradingYearsToExpiry, see src/pricing/trading-time.ts): a scenario's vol 0.21
// is what a trader means by it on the day, and 0DTE 10-delta strikes land where the 2026-02-13
// incident's broker had them.
import { assert, InvariantError } from '../../domain/assert';
import type { OptionRight } from '../../domain/instrument';
import { bsGreeks } from '../../pricing';
import { assertTick, ceilToTick, floorToTick } from './tick';

export type OptionQuoteModel = {
  /** At-the-money implied vol, annualised. */
  readonly atmVol: number;
  /**
   * Vol change per standard deviation of moneyness z = ln(K/F) / (atmVol sqrt(T)), as a fraction
   * of atmVol; positive makes low strikes (OTM puts) richer, as index options trade.
   */
  readonly skew: number;
  /** Smile convexity per z^2, as a fraction of atmVol. */
  readonly curvature: number;
  /** Spread at the reference vol for an option worth nothing, in price units. */
  readonly spreadBase: number;
  /** Spread per unit of option value at the reference vol (0.04: 4% of the price). */
  readonly spreadPct: number;
  /** Tick for prices below tickThreshold. */
  readonly tick: number;
  /** Tick at and above tickThreshold (0.05 for many index options above 3.00). */
  readonly wideTick: number;
  readonly tickThreshold: number;
};

export type QuoteRequest = {
  readonly spot: number;
  readonly strike: number;
  readonly right: OptionRight;
  /** Trading years to expiry. */
  readonly tYears: number;
  readonly rate: number;
};

export type OptionQuote = {
  readonly bid: number;
  readonly ask: number;
  /** The middle of bid and ask: what a trader reads as "mid". */
  readonly mid: number;
  /** The model's own value, before the spread. */
  readonly theo: number;
  readonly iv: number;
  readonly delta: number;
};

/** Spreads scale with iv / this: at 0.40 vol they are twice as wide as at 0.20. */
export const SPREAD_REFERENCE_VOL = 0.2;
/** The smile never leaves [0.5, 3] x atmVol, whatever the wings' quadratic says. */
export const SMILE_FACTOR_MIN = 0.5;
export const SMILE_FACTOR_MAX = 3;
/** VIX's tenor: 30 calendar days. */
export const VOL_INDEX_TENOR_YEARS = 30 / 365;

/**
 * An XSP-like model: cent ticks, a put skew like index options, tight spreads. Skew and curvature
 * are fitted to the 2026-02-13 incident's chain (spot 683.38, ATM 0.21, 09:56 0DTE): 10-delta
 * strikes come out at 670P / 693C against the broker's 671P / 691C (see option-quotes.test.ts).
 */
export function xspQuoteModel(atmVol: number): OptionQuoteModel {
  return {
    atmVol,
    skew: 0.15,
    curvature: 0.005,
    spreadBase: 0.02,
    spreadPct: 0.04,
    tick: 0.01,
    wideTick: 0.01,
    tickThreshold: 3,
  };
}

/** The implied vol the model quotes at this strike. */
export function smileVol(
  model: OptionQuoteModel,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
): number {
  assertModel(model);
  if (tYears <= 0 || model.atmVol === 0) return model.atmVol;
  const forward = spot * Math.exp(rate * tYears);
  const z = Math.log(strike / forward) / (model.atmVol * Math.sqrt(tYears));
  const factor = 1 - model.skew * z + model.curvature * z * z;
  return model.atmVol * Math.min(Math.max(factor, SMILE_FACTOR_MIN), SMILE_FACTOR_MAX);
}

export function quoteOption(model: OptionQuoteModel, request: QuoteRequest): OptionQuote {
  const { spot, strike, right, tYears, rate } = request;
  const iv = smileVol(model, spot, strike, tYears, rate);
  const greeks = bsGreeks({ spot, strike, tYears, vol: iv, rate, right });
  const theo = greeks.price;
  const tick = theo < model.tickThreshold ? model.tick : model.wideTick;
  const spread = Math.max(tick, ((model.spreadBase + model.spreadPct * theo) * iv) / SPREAD_REFERENCE_VOL);
  let bid = Math.max(floorToTick(theo - spread / 2, tick), 0);
  let ask = ceilToTick(theo + spread / 2, tick);
  if (theo < tick / 2) {
    // Worth less than half a tick: nobody pays for it, and the cheapest offer is one tick.
    bid = 0;
    ask = tick;
  }
  if (ask - bid < tick) ask = ceilToTick(bid + tick, tick);
  if (!(bid >= 0 && bid <= theo + tick && ask >= theo && ask > bid))
    throw new InvariantError(`bad quote ${bid}/${ask} for ${theo}`);
  return { bid, ask, mid: (bid + ask) / 2, theo, iv, delta: greeks.delta };
}

/**
 * A VIX-like index: 100 x the variance-swap vol replicated from the smile's out-of-the-money
 * options at the given tenor (the CBOE VIX method with a continuous strike strip). With a flat
 * smile it equals 100 x atmVol; skew and curvature lift it above, as they lift VIX above ATM vol.
 */
export function volIndex(
  model: OptionQuoteModel,
  spot: number,
  tYears = VOL_INDEX_TENOR_YEARS,
  rate = 0,
): number {
  if (!(tYears > 0)) throw new InvariantError(`vol index tenor must be positive, got ${tYears}`);
  if (model.atmVol === 0) return 0;
  const forward = spot * Math.exp(rate * tYears);
  const halfWidth = VOL_INDEX_SDS * SMILE_FACTOR_MAX * model.atmVol * Math.sqrt(tYears);
  const du = (2 * halfWidth) / VOL_INDEX_STEPS;
  let integral = 0; // of Q(K) / K^2 dK over K = F e^u, i.e. of Q(F e^u) / (F e^u) du
  for (let i = 0; i <= VOL_INDEX_STEPS; i++) {
    const u = -halfWidth + i * du;
    const strike = forward * Math.exp(u);
    const vol = smileVol(model, spot, strike, tYears, rate);
    const right = u < 0 ? 'P' : 'C';
    const otm = bsGreeks({ spot, strike, tYears, vol, rate, right }).price;
    // Simpson's rule; the put/call switch at u = 0 falls on a panel edge, so each side is smooth
    const weight = i === 0 || i === VOL_INDEX_STEPS ? 1 : i % 2 === 1 ? 4 : 2;
    integral += (weight * otm * du) / (3 * strike);
  }
  const variance = ((2 * Math.exp(rate * tYears)) / tYears) * integral;
  return 100 * Math.sqrt(variance);
}

const VOL_INDEX_SDS = 8;
const VOL_INDEX_STEPS = 800; // even, and even on each side of u = 0

// A model is checked once, not on every quote of every step.
const checkedModels = new WeakSet<OptionQuoteModel>();

function assertModel(model: OptionQuoteModel): void {
  if (checkedModels.has(model)) return;
  if (!(model.atmVol >= 0 && Number.isFinite(model.atmVol)))
    throw new InvariantError(`atm vol must be >= 0, got ${model.atmVol}`);
  assert(model.spreadBase >= 0 && model.spreadPct >= 0, 'spreads must not be negative');
  assertTick(model.tick);
  assertTick(model.wideTick);
  checkedModels.add(model);
}
