// `keel sim --through ibkr`: the engine trades the simulated venue through the ibkr adapter and
// the real client library, the fake TWS in between on 127.0.0.1. sync() pushes the changed quotes
// of what the client watches and waits for a round trip (reqCurrentTime -> currentTime): TCP being ordered,
// everything either side sent before it has been handled.
import type { Clock } from '../../../src/domain';
import type { ThroughLink } from '../../../src/sim/run/runner';
import { IbkrVenue } from '../../../src/venues/ibkr';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeTws } from './fake-tws';

/** A loopback fake takes what a real TWS would pace at 50 a second. */
const loopbackRequestsPerSec = 1_000_000;
const loopbackMarketDataLines = 10_000;

export async function ibkrThroughLink(
  sim: SimVenue,
  clock: Clock,
  log: (line: string) => void = () => {},
): Promise<ThroughLink & { readonly fake: FakeTws; readonly venue: IbkrVenue }> {
  const fake = new FakeTws({ sim, now: () => clock.now(), log });
  const port = await fake.start();
  const venue = new IbkrVenue({
    config: { host: '127.0.0.1', port, clientId: 1, account: fake.account, live: false, lastOrderId: null },
    clock,
    log,
    maxReqPerSec: loopbackRequestsPerSec,
    marketDataLinesMax: loopbackMarketDataLines,
    reconnectAttemptsMax: 0,
  });
  return {
    venue,
    fake,
    async sync() {
      // Quotes first (a line asked for since is answered on its request), then one round trip.
      fake.pushQuotes();
      await venue.roundTrip();
    },
    close: () => fake.stop(),
  };
}
