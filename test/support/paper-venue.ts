// A paper account on real time: the simulated venue scheduled by timers and stamped by the wall
// clock, with a steady market of equities, as a broker serves a paper account. Used directly by the
// wall-clock host tests and behind the fake TWS (test/fakes/tws/paper-tws.ts).
import { wallClock } from '../../src/app/live-driver';
import { seededRng, timeZoneOf } from '../../src/domain';
import { SimInstrumentRegistry } from '../../src/venues/sim/instruments';
import { SimVenue } from '../../src/venues/sim/sim-venue';
import type { MarketData } from '../../src/venues/venue';

export type PaperEquity = { readonly symbol: string; readonly bid: number; readonly ask: number };

const newYork = timeZoneOf('America/New_York');

export function paperVenue(equities: readonly PaperEquity[]): SimVenue {
  const clock = wallClock(newYork);
  const now = () => clock.now();
  const registry = new SimInstrumentRegistry(
    new Map(equities.map((e) => [e.symbol, { symbol: e.symbol, kind: 'equity' as const }])),
    'equities',
  );
  const book = new Map(equities.map((e) => [e.symbol, e]));
  const quoteOf = (symbol: string) => {
    const e = book.get(symbol);
    return e
      ? { bid: e.bid, ask: e.ask, mid: Math.round(((e.bid + e.ask) / 2) * 100) / 100, t: now() }
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
    {
      products: 'equities',
      combos: false,
      latencyMs: 20,
      commission: { perContract: 0, perShare: 0.005, rate: 0, minimum: 1 },
      positionIds: 'same',
      positionHistory: false,
      midFillChance: 0,
      timeZone: newYork,
    },
    registry,
    market,
    { at: (t, _label, fn) => setTimeout(fn, Math.max(0, t - now())), now },
    seededRng(1),
  );
}
