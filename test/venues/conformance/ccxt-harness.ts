// BingX through ccxt as a conformance harness: the simulated venue of the sim harness (futures
// kind: one perpetual, positions with ids of their own, a position history) behind the loopback
// fake BingX, and the ccxt adapter in front of it, talking through the real ccxt library over HTTP
// on 127.0.0.1. Every control acts on the simulated venue and then settles the wire (settle.ts),
// so whatever the venue said has reached the adapter when the suite looks. BingX perpetuals trade
// around the clock: there is no session end (DAY is sent as GTC), so that control is not offered.
import { timeZoneOf } from '../../../src/domain';
import { CcxtVenue, type CcxtVenueOptions } from '../../../src/venues/ccxt';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeBingx, type FakeBingxOptions } from '../../fakes/exchange';
import { settleWire } from '../../fakes/exchange/settle';
import type { HarnessControl, VenueHarness } from './harness';
import { simHarness } from './sim-harness';

/** The sim harness's session start (Fri 2026-02-13 10:00 New York); its `advance` moves it exactly. */
const sessionStart = Date.UTC(2026, 1, 13, 15, 0);
const timeZone = timeZoneOf('America/New_York');

const controls: ReadonlySet<HarnessControl> = new Set<HarnessControl>([
  'reject',
  'partialFill',
  'duplicateFill',
  'delayFill',
  'disconnect',
  'restart',
]);

export type CcxtHarness = Omit<VenueHarness, 'venue' | 'restart'> & {
  readonly venue: CcxtVenue;
  restart(): Promise<CcxtVenue>;
  readonly fake: FakeBingx;
  readonly sim: SimVenue;
  /** What the adapter and the fake logged. */
  readonly lines: string[];
  /** Lets the wire settle without venue time passing. */
  settle(): Promise<void>;
};

export type CcxtHarnessOptions = Omit<FakeBingxOptions, 'sim' | 'now'> & {
  readonly adapter?: Partial<Omit<CcxtVenueOptions, 'config' | 'clock' | 'log'>>;
  /**
   * Whether settling polls the account when the venue changed (default true). Off, what the venue
   * says reaches the adapter by the websocket (or its own fallback polling) alone.
   */
  readonly settlePolls?: boolean;
};

export async function ccxtHarness(options: CcxtHarnessOptions = {}): Promise<CcxtHarness> {
  const inner = await simHarness('futures');
  const sim = inner.venue as SimVenue;
  let now = sessionStart;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const { settlePolls, adapter, ...fakeOptions } = options;
  const fake = new FakeBingx({ symbols: ['BTC-USDT'], ...fakeOptions, sim, now: () => now, log });
  await fake.start();
  const clock = { now: () => now, timeZone };
  const client = () =>
    new CcxtVenue({
      config: {
        exchange: 'bingx',
        marketType: 'swap',
        marginMode: 'cross',
        positionMode: 'oneWay',
        sandbox: false,
        live: false,
        apiKey: fake.apiKey,
        secret: fake.secret,
        apiBaseUrl: fake.baseUrl,
      },
      clock,
      log,
      pollMs: 0,
      enableRateLimit: false,
      requestTimeoutMs: 2_000,
      retryBaseMs: 5,
      streamBackoffMs: 50,
      ...adapter,
    });
  let venue = client();
  const watch = { seenSeq: -1 };
  const settle = async () => {
    await settleWire(venue, fake, watch, { poll: settlePolls ?? true });
    await venue.refreshQuotes();
  };
  return {
    get venue() {
      return venue;
    },
    fake,
    sim,
    lines,
    settle,
    products: inner.products,
    positionIds: true,
    controls,
    async advance(ms) {
      await settle();
      await inner.advance(ms);
      now += ms;
      await settle();
    },
    async setQuote(instrumentId, quote) {
      // The adapter names a perpetual by BingX's symbol; the simulated venue by its own id.
      const atVenue = sim.resolveInstrument({ symbol: instrumentId });
      await inner.setQuote(atVenue.ok ? atVenue.instrument.id : instrumentId, quote);
      venue.watch([instrumentId]);
      await settle();
    },
    nextOrder: (fault) => inner.nextOrder(fault),
    async disconnect(downMs) {
      await settle();
      await inner.disconnect(downMs);
      await settle();
    },
    async endSession() {
      throw new Error('BingX perpetuals have no session end');
    },
    async restart() {
      await settle();
      await venue.close();
      venue = client();
      watch.seenSeq = -1;
      return venue;
    },
    async close() {
      await venue.close();
      await fake.stop();
    },
  };
}
