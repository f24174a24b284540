// Write-ahead: every fact is appended to the journal (durable) and only then applied to the
// projection. Replay after a restart applies the same events through the same code.
import { InvariantError, type Clock, type TimeZone } from '../domain';
import {
  eventVersions,
  type JournalEvent,
  type JournalEventData,
  type JournalEventType,
} from '../ledger/events';
import { Projection } from '../ledger/projection';

/** The storage the recorder needs (src/ledger/journal implements it with SQLite). */
export interface EventStore {
  append(event: { type: string; v: number; t: number; data: unknown }): number;
  read(fromSeq?: number): Iterable<{ seq: number; type: string; v: number; t: number; data: unknown }>;
}

export class Recorder {
  constructor(
    readonly store: EventStore,
    readonly projection: Projection,
    private readonly clock: Clock,
  ) {}

  record<K extends JournalEventType>(type: K, data: JournalEventData[K]): void {
    const t = Math.max(this.clock.now(), this.projection.lastT);
    const event = { type, t, data } as JournalEvent;
    this.store.append({ type, v: eventVersions[type], t, data });
    this.projection.apply(event);
  }
}

/** Rebuilds the projection from every event in the store, in order. */
export function replay(store: EventStore, timeZone: TimeZone): Projection {
  const projection = new Projection(timeZone);
  for (const stored of store.read()) {
    // Only a failing check builds its message: this loop runs once per journaled event.
    if (!(stored.type in eventVersions))
      throw new InvariantError(`journal event ${stored.seq} has unknown type '${stored.type}'`);
    // The stored event already has type, t and data; seq and v ride along unread.
    projection.apply(stored as JournalEvent);
  }
  return projection;
}
