// Interactive Brokers as a conformance harness: the simulated venue of the sim harness (options
// kind: an equity, an index option chain, combos) behind the loopback fake TWS, and the ibkr
// adapter in front of it, talking through the real client library on 127.0.0.1. Every control
// acts on the simulated venue and then waits for a round trip on the wire, so whatever the venue
// said has reached the adapter when the suite looks.
import { timeZoneOf } from '../../../src/domain';
import { IbkrVenue } from '../../../src/venues/ibkr';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeTws, type FakeTwsOptions } from '../../fakes/tws';
import type { HarnessControl, VenueHarness } from './harness';
import { simHarness } from './sim-harness';

/** The sim harness's session start (Fri 2026-02-13 10:00 New York); its `advance` moves it exactly. */
const sessionStart = Date.UTC(2026, 1, 13, 15, 0);
const timeZone = timeZoneOf('America/New_York');
const clientId = 7;

const controls: ReadonlySet<HarnessControl> = new Set<HarnessControl>([
  'reject',
  'partialFill',
  'duplicateFill',
  'delayFill',
  'disconnect',
  'sessionEnd',
  'restart',
]);

export type IbkrHarness = Omit<VenueHarness, 'venue' | 'restart'> & {
  readonly venue: IbkrVenue;
  restart(): Promise<IbkrVenue>;
  readonly fake: FakeTws;
  readonly sim: SimVenue;
  /** What the adapter and the fake logged. */
  readonly lines: string[];
  /** Lets the wire settle without venue time passing. */
  settle(): Promise<void>;
};

export type IbkrHarnessOptions = Omit<FakeTwsOptions, 'sim' | 'now'> & {
  readonly lastOrderId?: number | null;
  /** The adapter's venue.delayedData setting. */
  readonly delayedData?: boolean;
};

export async function ibkrHarness(options: IbkrHarnessOptions = {}): Promise<IbkrHarness> {
  const inner = await simHarness('options');
  const sim = inner.venue as SimVenue;
  let now = sessionStart;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const fake = new FakeTws({ ...options, sim, now: () => now, log });
  const port = await fake.start();
  const clock = { now: () => now, timeZone };
  const client = (lastOrderId: number | null) =>
    new IbkrVenue({
      config: {
        host: '127.0.0.1',
        port,
        clientId,
        account: fake.account,
        live: false,
        lastOrderId,
        delayedData: options.delayedData ?? false,
      },
      clock,
      log,
      maxReqPerSec: 100_000,
      marketDataLinesMax: 1_000,
    });
  let venue = client(options.lastOrderId ?? null);
  /** Everything either side has said so far has been heard and handled. */
  const settle = async () => {
    await venue.roundTrip();
    fake.pushQuotes();
    await venue.roundTrip();
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
    positionIds: false,
    controls,
    async advance(ms) {
      await settle(); // orders sent before reach the venue now, as a broker's latency would have it
      await inner.advance(ms);
      now += ms;
      await settle();
    },
    async setQuote(instrumentId, quote) {
      await inner.setQuote(instrumentId, quote);
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
      await settle();
      await inner.endSession();
      await settle();
    },
    async restart() {
      await settle();
      const last = venue.lastOrderIdUsed;
      await venue.close();
      venue = client(last);
      return venue;
    },
    async close() {
      await venue.close();
      await fake.stop();
    },
  };
}
