// Alpaca as a conformance harness: the simulated venue of the sim harness (options kind: the suite
// trades its equity, SPY) behind the loopback fake Alpaca, and the alpaca adapter in front of it,
// talking through the real client library over HTTP and a websocket on 127.0.0.1. Every control
// acts on the simulated venue and then settles the wire (the adapter's requests answered, a stream
// round trip), so whatever the venue said has reached the adapter when the suite looks. Venue time
// passes first in a short slice, so that what the adapter does on what it heard (a bracket sibling's
// cancel) reaches the venue within the same advance, as a broker's latency would have it.
import { timeZoneOf } from '../../../src/domain';
import { AlpacaVenue, type AlpacaVenueOptions } from '../../../src/venues/alpaca';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeAlpaca, type FakeAlpacaOptions } from '../../fakes/alpaca';
import type { HarnessControl, VenueHarness } from './harness';
import { simHarness } from './sim-harness';

/** The sim harness's session start (Fri 2026-02-13 10:00 New York); its `advance` moves it exactly. */
const sessionStart = Date.UTC(2026, 1, 13, 15, 0);
const timeZone = timeZoneOf('America/New_York');
/** Venue time the client gets to react in before the rest of an advance runs. */
const reactSliceMs = 100;

const controls: ReadonlySet<HarnessControl> = new Set<HarnessControl>([
  'reject',
  'partialFill',
  'duplicateFill',
  'delayFill',
  'disconnect',
  'sessionEnd',
  'restart',
]);

export type AlpacaHarness = Omit<VenueHarness, 'venue' | 'restart'> & {
  readonly venue: AlpacaVenue;
  restart(): Promise<AlpacaVenue>;
  readonly fake: FakeAlpaca;
  readonly sim: SimVenue;
  /** What the adapter and the fake logged. */
  readonly lines: string[];
  /** Lets the wire settle without venue time passing. */
  settle(): Promise<void>;
};

export type AlpacaHarnessOptions = Omit<FakeAlpacaOptions, 'sim' | 'now'> & {
  readonly adapter?: Partial<Omit<AlpacaVenueOptions, 'config' | 'clock' | 'log'>>;
  /** Read the watched quotes whenever the wire settles (default); off, quotes are read only in setQuote. */
  readonly readQuotes?: boolean;
};

export async function alpacaHarness(options: AlpacaHarnessOptions = {}): Promise<AlpacaHarness> {
  const inner = await simHarness('options');
  const sim = inner.venue as SimVenue;
  let now = sessionStart;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const fake = new FakeAlpaca({ ...options, sim, now: () => now, log });
  await fake.start();
  const clock = { now: () => now, timeZone };
  const client = () =>
    new AlpacaVenue({
      config: { ...fake.urls, feed: 'iex', live: false, keyId: fake.keyId, secret: fake.secret },
      clock,
      log,
      requestsPerMinute: null,
      requestTimeoutMs: 2_000,
      retryBaseMs: 5,
      streamReconnectMs: 5,
      quotePollMs: 0,
      accountPollMs: 0,
      ...options.adapter,
    });
  let venue = client();
  const settle = async () => {
    for (let round = 0; round < 100; round++) {
      await venue.whenLink(fake.isLinkUp);
      await venue.idle();
      await venue.roundTrip();
      if (venue.pendingRequests === 0) break;
    }
    if (options.readQuotes ?? true) await venue.refreshQuotes();
  };
  return {
    get venue() {
      return venue;
    },
    fake,
    sim,
    lines,
    settle,
    // The simulated venue's option chain (XSP), listed by the fake as Alpaca's option contracts.
    products: inner.products,
    positionIds: false,
    controls,
    async advance(ms) {
      await settle();
      const slice = Math.min(ms, reactSliceMs);
      await inner.advance(slice);
      now += slice;
      await settle();
      if (ms > slice) {
        await inner.advance(ms - slice);
        now += ms - slice;
        await settle();
      }
    },
    async setQuote(instrumentId, quote) {
      // The adapter names an equity by its symbol and an option by its OCC symbol; the simulated venue by its own id.
      const atVenue = fake.resolveWire(instrumentId);
      await inner.setQuote(atVenue === null ? instrumentId : atVenue.id, quote);
      venue.watch([instrumentId]);
      await settle();
      await venue.refreshQuotes();
    },
    nextOrder: (fault) => inner.nextOrder(fault),
    async disconnect(downMs) {
      await settle();
      await inner.disconnect(downMs);
      await settle();
    },
    async endSession() {
      await settle();
      await inner.endSession();
      await settle();
    },
    async restart() {
      await settle();
      await venue.close();
      venue = client();
      return venue;
    },
    async close() {
      await venue.close();
      await fake.stop();
    },
  };
}
