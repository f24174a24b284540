// Where an order fills against the quotes. Pure: the venue decides *whether* it fills now (faults,
// chance of a fill at mid) and this decides *at what prices*, leg by leg, on the tick.
import { roundToTick, type Instrument, type OrderType, type Side } from '../../domain';
import type { Quote } from '../venue';

export type PricedLeg = { instrument: Instrument; side: Side; ratio: number; quote: Quote };

/** Net price per unit of a combo (positive = we pay) at each leg's natural (far) side. */
export function netNatural(legs: readonly PricedLeg[]): number {
  return round2(
    legs.reduce((sum, l) => sum + sign(l.side) * l.ratio * (l.side === 'BUY' ? l.quote.ask : l.quote.bid), 0),
  );
}

export function netMid(legs: readonly PricedLeg[]): number {
  return legs.reduce((sum, l) => sum + sign(l.side) * l.ratio * l.quote.mid, 0);
}

export type FillDecision = { kind: 'natural' } | { kind: 'atLimit' } | { kind: 'none' };

/**
 * Marketable orders fill at the natural side; a limit at or better than mid may fill at its limit
 * (`midFillDraw` < `midFillChance`, drawn by the venue from the seeded rng); others rest.
 */
export function decideFill(
  type: OrderType,
  limit: number | null,
  legs: readonly PricedLeg[],
  midFillDraw: number,
  midFillChance: number,
): FillDecision {
  if (type === 'MKT' || type === 'STP' || type === 'MIT') return { kind: 'natural' };
  if (limit === null) return { kind: 'none' };
  const net = netLimit(limit, legs);
  if (net >= netNatural(legs) - 1e-9) return { kind: 'natural' };
  if (net >= netMid(legs) - 1e-9 && midFillDraw < midFillChance) return { kind: 'atLimit' };
  return { kind: 'none' };
}

/**
 * A single-leg order's limit is a plain positive price (keel's leg pricing, the scenario's
 * orders); as a net price a sell receives it. Read as a debit, a sell limit would fill below
 * its limit at any bid.
 */
function netLimit(limit: number, legs: readonly PricedLeg[]): number {
  return legs.length === 1 && legs[0]?.side === 'SELL' ? -limit : limit;
}

/** Leg prices: every leg at its natural side, or mids adjusted on one leg so the net equals the limit. */
export function legPrices(
  legs: readonly PricedLeg[],
  decision: 'natural' | 'atLimit',
  limit: number | null,
): number[] {
  const natural = legs.map((l) => (l.side === 'BUY' ? l.quote.ask : l.quote.bid));
  if (decision === 'natural' || limit === null) return natural;
  if (legs.length === 1) return [limit];
  const mids = legs.map((l) => roundToTick(l.quote.mid, l.instrument.tick, l.side === 'BUY' ? 'up' : 'down'));
  const net = legs.reduce((s, l, i) => s + sign(l.side) * l.ratio * (mids[i] ?? 0), 0);
  const residual = round2(limit - net);
  // Put the residual on a ratio-1 leg where the price stays non-negative.
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i];
    const mid = mids[i];
    if (!leg || mid === undefined || leg.ratio !== 1) continue;
    const adjusted = round2(mid + sign(leg.side) * residual);
    if (adjusted >= 0) {
      const prices = [...mids];
      prices[i] = adjusted;
      return prices;
    }
  }
  return natural;
}

function sign(side: Side): number {
  return side === 'BUY' ? 1 : -1;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
