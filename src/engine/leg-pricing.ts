// Order pricing: limit at mid, stepped toward the far side as attempts go by, never past the cap.
import { roundToTick, type InstrumentId, type Side } from '../domain';
import type { MarketData } from '../venues/venue';

export type PricingLeg = {
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  readonly ratio: number;
  readonly tick: number;
};

/** Net limit per unit (positive = we pay) at the given aggression, or null without quotes. */
export function limitFor(market: MarketData, legs: readonly PricingLeg[], aggression: number): number | null {
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
