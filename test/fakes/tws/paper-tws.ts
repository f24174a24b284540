// A paper account behind the fake TWS on real time (test/support/paper-venue.ts), as TWS would
// serve a paper account. `keel run` with venue.kind ibkr trades it from another process, through
// @stoqey/ib on 127.0.0.1.
import { wallClock } from '../../../src/app/live-driver';
import { timeZoneOf } from '../../../src/domain';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import { paperVenue, type PaperEquity } from '../../support/paper-venue';
import { FakeTws } from './fake-tws';

export type { PaperEquity } from '../../support/paper-venue';

export type PaperTws = {
  readonly fake: FakeTws;
  readonly sim: SimVenue;
  readonly port: number;
  /** Someone else's position in the account, before keel connects. */
  seedForeign(symbol: string, qty: number, avgPrice: number): void;
  stop(): Promise<void>;
};

const quotePushMs = 200;

export async function paperTws(
  equities: readonly PaperEquity[],
  log?: (line: string) => void,
): Promise<PaperTws> {
  const sim = paperVenue(equities);
  const clock = wallClock(timeZoneOf('America/New_York'));
  const fake = new FakeTws({ sim, now: () => clock.now(), ...(log ? { log } : {}) });
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
