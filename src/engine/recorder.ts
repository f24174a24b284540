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

type Stored = { seq: number; type: string; v: number; t: number; data: unknown };

/** The storage the recorder needs, read at once (the SQLite journal, the simulator's stores). */
export interface EventStore {
  append(event: { type: string; v: number; t: number; data: unknown }): number;
  read(fromSeq?: number): Iterable<Stored>;
}

/**
 * A store read over a network page by page (the PostgreSQL journal), whose appends are durable only
 * once `flush()` resolves: the host sends no command before the events it follows are durable.
 */
export interface PagedEventStore {
  append(event: { type: string; v: number; t: number; data: unknown }): number;
  pages(fromSeq?: number): AsyncIterable<readonly Stored[]>;
  readonly durableOnAppend: boolean;
  flush(): Promise<void>;
}

/** The projection from a store of either kind. */
export async function replayStore(
  store: EventStore | PagedEventStore,
  timeZone: TimeZone,
): Promise<Projection> {
  if ('read' in store) return replay(store, timeZone);
  const projection = new Projection(timeZone);
  for await (const page of store.pages()) for (const stored of page) applyStored(projection, stored);
  return projection;
}

function applyStored(projection: Projection, stored: Stored): void {
  // Only a failing check builds its message: this runs once per journaled event.
  if (!(stored.type in eventVersions))
    throw new InvariantError(`journal event ${stored.seq} has unknown type '${stored.type}'`);
  // The stored event already has type, t and data; seq and v ride along unread.
  projection.apply(stored as JournalEvent);
}

export class Recorder {
  constructor(
    readonly store: Pick<EventStore, 'append'>,
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
  for (const stored of store.read()) applyStored(projection, stored);
  return projection;
}
