// `keel sim --through ccxt`: the engine trades the simulated venue through the ccxt adapter and the
// real ccxt library (its bingx class), the fake BingX in between on 127.0.0.1. sync() waits until
// the wire is quiet (settle.ts: every request answered but those waiting on venue time; one poll
// when the venue changed), then reads the watched tickers once per simulated instant.
import type { Clock } from '../../../src/domain';
import type { ThroughLink } from '../../../src/sim/run/runner';
import { CcxtVenue } from '../../../src/venues/ccxt';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { FakeBingx } from './fake-bingx';
import { settleWire } from './settle';

export async function ccxtThroughLink(
  sim: SimVenue,
  clock: Clock,
  log: (line: string) => void = () => {},
): Promise<ThroughLink & { readonly fake: FakeBingx; readonly venue: CcxtVenue }> {
  const fake = new FakeBingx({ sim, now: () => clock.now(), log });
  await fake.start();
  const venue = new CcxtVenue({
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
    // A loopback fake takes what BingX would pace at ccxt's rateLimit.
    enableRateLimit: false,
    retryBaseMs: 5,
  });
  const watch = { seenSeq: -1 };
  let quotesAt = Number.NaN;
  return {
    venue,
    fake,
    async sync() {
      await settleWire(venue, fake, watch);
      if (clock.now() === quotesAt) return;
      quotesAt = clock.now();
      await venue.refreshQuotes();
    },
    close: () => fake.stop(),
  };
}
