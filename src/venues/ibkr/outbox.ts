// Events leave the adapter in the order TWS said them, and a fill leaves only when it is whole:
// its commission report in, and for a combo every leg of the execution. A slot holds the place of
// a fill still waiting; what arrives behind it (the position it moved) waits too. A combo's legs
// are then pushed to the listener in one synchronous run, so the host acts on all of them at once.
import type { VenueEvent } from '../venue';

type Slot = { events: VenueEvent[]; ready: boolean };

export type Reserved = { resolve(events: readonly VenueEvent[]): void; readonly pending: () => boolean };

/** Bound on events held behind an unfinished fill (beyond it the wait times out anyway). */
const heldEventsMax = 100_000;

export class Outbox {
  private readonly slots: Slot[] = [];

  constructor(private readonly deliver: (e: VenueEvent) => void) {}

  push(event: VenueEvent): void {
    if (this.slots.length === 0) return this.deliver(event);
    if (this.slots.length >= heldEventsMax)
      throw new Error('ibkr: too many events held behind an unfinished fill');
    this.slots.push({ events: [event], ready: true });
  }

  reserve(): Reserved {
    const slot: Slot = { events: [], ready: false };
    this.slots.push(slot);
    return {
      resolve: (events) => {
        if (slot.ready) return;
        slot.events = [...events];
        slot.ready = true;
        this.drain();
      },
      pending: () => !slot.ready,
    };
  }

  get held(): number {
    return this.slots.length;
  }

  clear(): void {
    this.slots.length = 0;
  }

  private drain(): void {
    while (this.slots[0]?.ready) {
      const slot = this.slots.shift();
      for (const e of slot?.events ?? []) this.deliver(e);
    }
  }
}
