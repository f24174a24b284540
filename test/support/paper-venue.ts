// A paper account on real time: the simulated venue scheduled by timers and stamped by the wall
// clock, with a steady market, as a broker serves a paper account. Equities (the wall-clock host
// tests, behind the fake TWS and the fake Alpaca) or perpetuals (behind the fake BingX).
import { wallClock } from '../../src/app/live-driver';
import { fixedOffsetZone, seededRng, timeZoneOf, type TimeZone } from '../../src/domain';
import { SimInstrumentRegistry } from '../../src/venues/sim/instruments';
import { SimVenue, type SimVenueConfig } from '../../src/venues/sim/sim-venue';
import type { MarketData } from '../../src/venues/venue';

/** One instrument's steady quote. */
export type PaperEquity = { readonly symbol: string; readonly bid: number; readonly ask: number };
export type PaperPerpetual = PaperEquity;

export function paperVenue(equities: readonly PaperEquity[]): SimVenue {
  const zone = timeZoneOf('America/New_York');
  return wallClockVenue(equities, 'equity', zone, {
    products: 'equities',
    combos: false,
    latencyMs: 20,
    commission: { perContract: 0, perShare: 0.005, rate: 0, minimum: 1 },
    positionIds: 'same',
    positionHistory: false,
    midFillChance: 0,
    timeZone: zone,
  });
}

/** A perpetual-futures account: position ids of their own and a position history (BingX). */
export function paperFuturesVenue(perpetuals: readonly PaperPerpetual[]): SimVenue {
  const utc = fixedOffsetZone(0);
  return wallClockVenue(perpetuals, 'crypto', utc, {
    products: 'futures',
    combos: false,
    latencyMs: 20,
    commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 },
    positionIds: 'distinct',
    positionHistory: true,
    midFillChance: 0,
    timeZone: utc,
  });
}

function wallClockVenue(
  quotes: readonly PaperEquity[],
  kind: 'equity' | 'crypto',
  zone: TimeZone,
  config: SimVenueConfig,
): SimVenue {
  const clock = wallClock(zone);
  const now = () => clock.now();
  const registry = new SimInstrumentRegistry(
    new Map(quotes.map((q) => [q.symbol, { symbol: q.symbol, kind }])),
    config.products,
  );
  const book = new Map(quotes.map((q) => [q.symbol, q]));
  const quoteOf = (symbol: string) => {
    const q = book.get(symbol);
    return q
      ? { bid: q.bid, ask: q.ask, mid: Math.round(((q.bid + q.ask) / 2) * 100) / 100, t: now() }
      : null;
  };
  const market: MarketData = {
    spot: (symbol) => quoteOf(symbol)?.mid ?? null,
    quote: (id) => {
      const i = registry.get(id);
      return i ? quoteOf(i.symbol) : null;
    },
    optionChain: () => [],
  };
  return new SimVenue(
    config,
    registry,
    market,
    { at: (t, _label, fn) => setTimeout(fn, Math.max(0, t - now())), now },
    seededRng(1),
  );
}
