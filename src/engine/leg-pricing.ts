// Order pricing: limit at mid, stepped toward the far side as attempts go by, never past the cap.
// The cap is twofold: the aggression never passes the far side of the current quotes, and the
// limit never moves more than `slippageMaxTicks` per contract beyond the operation's first limit
// for the same legs, so a market that runs away is not chased. Market orders only for urgent closes, where the
// settings and the venue allow, once the limit has reached its cap.
import { roundToTick, type InstrumentId, type Side } from '../domain';
import type { QuoteBook } from '../venues/venue';
import type { ExecutionSettings } from './settings';

export type PricingLeg = {
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  readonly ratio: number;
  readonly tick: number;
};

/** Net limit per unit (positive = we pay) at the given aggression, or null without quotes. */
export function limitFor(market: QuoteBook, legs: readonly PricingLeg[], aggression: number): number | null {
  let net = 0;
  for (const leg of legs) {
    const q = market.quote(leg.instrumentId);
    if (!q || !(q.ask > 0)) return null;
    const far = leg.side === 'BUY' ? q.ask : q.bid;
    const price = q.mid + aggression * (far - q.mid);
    net += (leg.side === 'BUY' ? 1 : -1) * leg.ratio * price;
  }
  const tick = legs[0]?.tick ?? 0.01;
  if (legs.length === 1) {
    const leg = legs[0] as PricingLeg;
    // One leg: a plain positive price, rounded toward the far side so mid can trade.
    return roundToTick(Math.abs(net), tick, leg.side === 'BUY' ? 'up' : 'down');
  }
  return roundToTick(net, tick, 'up');
}

export function aggressionFor(attempt: number, start: number, step: number, max: number): number {
  return Math.min(max, start + attempt * step);
}

/**
 * Which way a more aggressive limit moves: up for a single-leg buy and for any combo (its net is
 * a debit: paying more or receiving less), down for a single-leg sell.
 */
export function aggressiveDirection(legs: readonly Pick<PricingLeg, 'side'>[]): 1 | -1 {
  return legs.length === 1 && legs[0]?.side === 'SELL' ? -1 : 1;
}

/** Ticks of the net price the cap allows: per contract, so a 4-leg condor gets 4 times one leg's. */
export function capTicksFor(legs: readonly Pick<PricingLeg, 'ratio'>[], ticksPerContract: number): number {
  return ticksPerContract * legs.reduce((sum, l) => sum + l.ratio, 0);
}

/** The limit, held within `capTicks` ticks beyond the reference in the aggressive direction. */
export function capToSlippage(
  limit: number,
  reference: number,
  capTicks: number,
  tick: number,
  direction: 1 | -1,
): number {
  const bound = roundToTick(reference + direction * capTicks * tick, tick);
  const capped = direction === 1 ? Math.min(limit, bound) : Math.max(limit, bound);
  // A single-leg sell never goes below one tick.
  return direction === -1 ? Math.max(capped, tick) : capped;
}

export type PricePlan =
  { readonly type: 'LMT'; readonly limit: number; readonly atCap: boolean } | { readonly type: 'MKT' };

export type PriceRequest = {
  readonly market: QuoteBook;
  readonly legs: readonly PricingLeg[];
  /** Earlier orders of this operation on these legs that ended unfilled (the chase step). */
  readonly attempt: number;
  readonly urgent: boolean;
  /** An urgent close may go to market: the settings and the venue both allow it. */
  readonly marketAllowed: boolean;
  /** The operation's first limit for the same legs (the slippage reference); null if none yet. */
  readonly firstLimit: number | null;
  /** The previous attempt on the same legs: its limit (null for a market order). */
  readonly previous: { readonly limit: number | null } | null;
  readonly settings: ExecutionSettings;
};

/** How to price the next order on these legs, or null without quotes. */
export function planPrice(r: PriceRequest): PricePlan | null {
  const s = r.settings;
  const start = r.urgent ? s.aggressionStartUrgent : s.aggressionStart;
  if (r.marketAllowed && r.previous !== null && previousAtCap(r, start)) return { type: 'MKT' };
  const aggression = aggressionFor(r.attempt, start, s.aggressionStep, s.aggressionMax);
  const raw = limitFor(r.market, r.legs, aggression);
  if (raw === null) return null;
  const tick = r.legs[0]?.tick ?? 0.01;
  const direction = aggressiveDirection(r.legs);
  const capTicks = capTicksFor(r.legs, s.slippageMaxTicks);
  const limit = capToSlippage(raw, r.firstLimit ?? raw, capTicks, tick, direction);
  return { type: 'LMT', limit, atCap: limit !== raw || aggression >= s.aggressionMax };
}

/** The previous attempt was already as far as a limit may go (far side, or the slippage cap). */
function previousAtCap(r: PriceRequest, start: number): boolean {
  const s = r.settings;
  const previous = r.previous;
  if (previous === null) return false;
  if (previous.limit === null) return true; // already at market
  if (aggressionFor(Math.max(0, r.attempt - 1), start, s.aggressionStep, s.aggressionMax) >= s.aggressionMax)
    return true;
  if (r.firstLimit === null) return false;
  const tick = r.legs[0]?.tick ?? 0.01;
  const direction = aggressiveDirection(r.legs);
  const capTicks = capTicksFor(r.legs, s.slippageMaxTicks);
  const bound = capToSlippage(direction * Infinity, r.firstLimit, capTicks, tick, direction);
  return Math.abs(previous.limit - bound) < tick / 2;
}
