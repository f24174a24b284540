// A BingX perpetual-futures account behind the fake BingX on real time: the simulated futures venue
// (position ids distinct from order ids, a position history) scheduled by timers and stamped by the
// wall clock, with a steady market, as the exchange would serve an account. `keel run` with
// venue.kind ccxt trades it from another process, through ccxt's bingx class on 127.0.0.1.
import { fixedOffsetZone, seededRng } from '../../../src/domain';
import { wallClock } from '../../../src/app/live-driver';
import { SimInstrumentRegistry } from '../../../src/venues/sim/instruments';
import { SimVenue } from '../../../src/venues/sim/sim-venue';
import type { MarketData } from '../../../src/venues/venue';
import { FakeBingx } from './fake-bingx';

export type PaperPerpetual = { readonly symbol: string; readonly bid: number; readonly ask: number };

export type PaperBingx = {
  readonly fake: FakeBingx;
  readonly sim: SimVenue;
  /** What a config's `apiBaseUrl` names to trade this account. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly secret: string;
  /** Someone else's position in the account (the exchange's app, another bot). */
  seedForeign(symbol: string, qty: number, avgPrice: number): void;
  stop(): Promise<void>;
};

/** How often resting orders and triggers meet the market. */
const marketStepMs = 200;
const utc = fixedOffsetZone(0);

export async function paperBingx(
  perpetuals: readonly PaperPerpetual[],
  o: { readonly uid?: string; readonly log?: (line: string) => void } = {},
): Promise<PaperBingx> {
  const clock = wallClock(utc);
  const now = () => clock.now();
  const registry = new SimInstrumentRegistry(
    new Map(perpetuals.map((p) => [p.symbol, { symbol: p.symbol, kind: 'crypto' as const }])),
    'futures',
  );
  const book = new Map(perpetuals.map((p) => [p.symbol, p]));
  const quoteOf = (symbol: string) => {
    const p = book.get(symbol);
    return p
      ? { bid: p.bid, ask: p.ask, mid: Math.round(((p.bid + p.ask) / 2) * 100) / 100, t: now() }
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
      products: 'futures',
      combos: false,
      latencyMs: 20,
      commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 },
      positionIds: 'distinct',
      positionHistory: true,
      midFillChance: 0,
      timeZone: utc,
    },
    registry,
    market,
    { at: (t, _label, fn) => setTimeout(fn, Math.max(0, t - now())), now },
    seededRng(1),
  );
  const fake = new FakeBingx({
    sim,
    now,
    symbols: perpetuals.map((p) => p.symbol),
    ...(o.uid !== undefined ? { uid: o.uid } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  await fake.start();
  const stepper = setInterval(() => sim.onMarketStep(), marketStepMs);
  return {
    fake,
    sim,
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    secret: fake.secret,
    seedForeign(symbol, qty, avgPrice) {
      const r = sim.resolveInstrument({ symbol });
      if (!r.ok) throw new Error(`paper BingX: no ${symbol}: ${r.reason}`);
      sim.seedPosition(r.instrument, qty, avgPrice);
    },
    async stop() {
      clearInterval(stepper);
      await fake.stop();
    },
  };
}
