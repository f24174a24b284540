// Waiting until the wire is quiet: every piece of the adapter's work has its answer, except the
// requests the fake holds until venue time passes (an order the venue has not yet accepted, a
// cancel it has not yet done). When the venue changed since the adapter last looked, the adapter
// polls once and the wait goes on: then everything the venue said has reached keel.
import type { CcxtVenue } from '../../../src/venues/ccxt';
import type { FakeBingx } from './fake-bingx';

/** Bound on the waits of one settle (each wait ends when a piece of work ends or a request is held). */
const settleRoundsMax = 100_000;

export type WireWatch = { seenSeq: number };

/**
 * `poll: false` waits for the work under way only: what the venue said then reaches the adapter by
 * the websocket alone (the tests of the stream).
 */
export async function settleWire(
  venue: CcxtVenue,
  fake: FakeBingx,
  watch: WireWatch,
  o: { readonly poll: boolean } = { poll: true },
): Promise<void> {
  for (let round = 0; round < settleRoundsMax; round++) {
    if (venue.tasksInFlight <= fake.held) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (venue.tasksInFlight > fake.held) continue;
      if (fake.seq === watch.seenSeq || !o.poll) return;
      watch.seenSeq = fake.seq;
      void venue.poll();
      continue;
    }
    await Promise.race([venue.nextTaskEnd(), fake.nextHold()]);
  }
  throw new Error(`the ccxt wire did not settle after ${settleRoundsMax} waits`);
}
