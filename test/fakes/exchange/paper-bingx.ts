// A BingX perpetual-futures account behind the fake BingX on real time: the simulated futures venue
// (position ids distinct from order ids, a position history) scheduled by timers and stamped by the
// wall clock, with a steady market, as the exchange would serve an account. `keel run` with
// venue.kind ccxt trades it from another process, through ccxt's bingx class on 127.0.0.1.
import { fixedOffsetZone } from '../../../src/domain';
import { wallClock } from '../../../src/app/live-driver';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { paperFuturesVenue, type PaperPerpetual } from '../../support/paper-venue';
import { FakeBingx } from './fake-bingx';

export type { PaperPerpetual } from '../../support/paper-venue';

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

export async function paperBingx(
  perpetuals: readonly PaperPerpetual[],
  o: { readonly uid?: string; readonly log?: (line: string) => void } = {},
): Promise<PaperBingx> {
  const clock = wallClock(fixedOffsetZone(0));
  const now = () => clock.now();
  const sim = paperFuturesVenue(perpetuals);
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
