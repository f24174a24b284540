// `keel sim --through alpaca`: the engine trades the simulated venue through the alpaca adapter and
// the real client library, the fake Alpaca in between on 127.0.0.1 (HTTP and a websocket). sync()
// waits until the adapter's requests have their answers and one stream round trip is done (the
// websocket being ordered, every trade update sent before has been handled), then reads the
// watched quotes, once per simulated instant.
import type { Clock } from '../../../src/domain';
import type { ThroughLink } from '../../../src/sim/run/runner';
import { AlpacaVenue } from '../../../src/venues/alpaca';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeAlpaca } from './fake-alpaca';

/** Settling rounds before sync() gives up waiting for the adapter to go quiet. */
const settleRoundsMax = 100;

export async function alpacaThroughLink(
  sim: SimVenue,
  clock: Clock,
  log: (line: string) => void = () => {},
): Promise<ThroughLink & { readonly fake: FakeAlpaca; readonly venue: AlpacaVenue }> {
  const fake = new FakeAlpaca({ sim, now: () => clock.now(), log });
  await fake.start();
  const venue = new AlpacaVenue({
    config: { ...fake.urls, feed: 'iex', live: false, keyId: fake.keyId, secret: fake.secret },
    clock,
    log,
    // A loopback fake takes what Alpaca would throttle at 200 a minute.
    requestsPerMinute: null,
    retryBaseMs: 5,
    streamReconnectMs: 5,
    quotePollMs: 0,
    // The account is read at connect; no timer of the wall clock in a simulated run.
    accountPollMs: 0,
  });
  let quotesReadAt: number | null = null;
  return {
    venue,
    fake,
    async sync() {
      for (let round = 0; round < settleRoundsMax; round++) {
        await venue.whenLink(fake.isLinkUp);
        await venue.idle();
        await venue.roundTrip();
        if (venue.pendingRequests === 0) break;
      }
      // The simulated market moves only as time does: one quotes read per instant.
      if (clock.now() === quotesReadAt) return;
      quotesReadAt = clock.now();
      await venue.refreshQuotes();
    },
    close: () => fake.stop(),
  };
}
