// A paper account behind the fake TWS on real time: the simulated venue scheduled by timers and
// stamped by the wall clock, with a steady market, as TWS would serve a paper account. `keel run`
// with venue.kind ibkr trades it from another process, through @stoqey/ib on 127.0.0.1.
import { seededRng, timeZoneOf } from '../../../src/domain';
import { wallClock } from '../../../src/app/live-driver';
import { SimInstrumentRegistry } from '../../../src/venues/sim/instruments';
import { SimVenue } from '../../../src/venues/sim/sim-venue';
import type { MarketData } from '../../../src/venues/venue';
import { FakeTws } from './fake-tws';

export type PaperEquity = { readonly symbol: string; readonly bid: number; readonly ask: number };

export type PaperTws = {
  readonly fake: FakeTws;
  readonly sim: SimVenue;
  readonly port: number;
  /** Someone else's position in the account, before keel connects. */
  seedForeign(symbol: string, qty: number, avgPrice: number): void;
  stop(): Promise<void>;
};

const newYork = timeZoneOf('America/New_York');
const quotePushMs = 200;

export async function paperTws(
  equities: readonly PaperEquity[],
  log?: (line: string) => void,
): Promise<PaperTws> {
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
  const sim = new SimVenue(
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
  const fake = new FakeTws({ sim, now, ...(log ? { log } : {}) });
  const port = await fake.start();
  // TWS streams quotes; here a timer sends each watching client what changed.
  const ticker = setInterval(() => fake.pushQuotes(), quotePushMs);
  return {
    fake,
    sim,
    port,
    seedForeign(symbol, qty, avgPrice) {
      const r = sim.resolveInstrument({ symbol });
      if (!r.ok) throw new Error(`paper TWS: no ${symbol}: ${r.reason}`);
      sim.seedPosition(r.instrument, qty, avgPrice);
    },
    async stop() {
      clearInterval(ticker);
      await fake.stop();
    },
  };
}
