// Write-ahead: every fact is appended to the journal (durable) and only then applied to the
// projection. Replay after a restart applies the same events through the same code.
import { InvariantError, type Clock, type TimeZone } from '../domain';
import {
  eventVersions,
  type JournalEvent,
  type JournalEventData,
  type JournalEventType,
} from '../ledger/events';
import type { CheckpointStore } from '../ledger/journal';
import {
  checkpointOf,
  headerProblem,
  Projection,
  restoreProjection,
  type CheckpointHeader,
} from '../ledger/projection';

type Stored = { seq: number; type: string; v: number; t: number; data: unknown };

/** The storage the recorder needs, read at once (the SQLite journal, the simulator's stores). */
export interface EventStore {
  append(event: { type: string; v: number; t: number; data: unknown }): number;
  read(fromSeq?: number): Iterable<Stored>;
  /** Where projection checkpoints are kept, if anywhere (the journals keep them). */
  readonly checkpoints?: CheckpointStore | undefined;
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
  readonly checkpoints?: CheckpointStore | undefined;
}

/** The projection from a store of either kind, every event folded (no checkpoint). */
export async function replayStore(
  store: EventStore | PagedEventStore,
  timeZone: TimeZone,
): Promise<Projection> {
  if ('read' in store) return replay(store, timeZone);
  const projection = new Projection(timeZone);
  for await (const page of store.pages()) for (const stored of page) applyStored(projection, stored);
  return projection;
}

/** How a start rebuilt its projection: from which checkpoint (if any) and how many events after it. */
export type StartUpReplay = {
  readonly projection: Projection;
  /** The seq of the checkpoint it started from; null: every event was folded. */
  readonly checkpointSeq: number | null;
  /** Events folded after the checkpoint (or all of them). */
  readonly replayed: number;
  /** The type of the journal's last event (null for an empty journal). */
  readonly lastType: string | null;
};

/**
 * The projection a start needs: the store's newest checkpoint, checked, plus the events after it;
 * else every event. A checkpoint is never trusted: one that fails a check (format, fold, zone,
 * checksum, shape, or the event it claims to follow) is ignored with a log line saying why, and
 * the journal is replayed in full.
 */
export async function replayFromCheckpoint(
  store: EventStore | PagedEventStore,
  timeZone: TimeZone,
  log: (line: string) => void,
): Promise<StartUpReplay> {
  const cps = store.checkpoints;
  if (cps !== undefined) {
    let restored: { projection: Projection; type: string } | null = null;
    let ignored: { seq: number | null; why: string } | null = null;
    let seq: number | null = null;
    try {
      const cp = await cps.latestCheckpoint();
      seq = cp?.seq ?? null;
      if (cp !== null) {
        const header = parseHeader(cp.header);
        const problem = header === null ? 'its header is not JSON' : headerProblem(header, timeZone);
        if (problem !== null || header === null) ignored = { seq: cp.seq, why: problem ?? 'no header' };
        else if (header.seq !== cp.seq)
          ignored = { seq: cp.seq, why: `its header names event ${header.seq}` };
        else
          restored = {
            projection: restoreProjection({ header, data: cp.data }, timeZone),
            type: header.type,
          };
      }
    } catch (e) {
      ignored = { seq, why: e instanceof Error ? e.message : String(e) };
    }
    if (restored !== null) {
      const tail = await foldTail(store, restored.projection, restored.type);
      if (tail.ok) {
        log(
          `journal: projection from the checkpoint of event ${tail.replay.checkpointSeq}, ${tail.replay.replayed} events after it`,
        );
        return tail.replay;
      }
      ignored = { seq: restored.projection.eventsApplied, why: tail.why };
    }
    if (ignored !== null)
      log(
        `journal checkpoint${ignored.seq === null ? '' : ` of event ${ignored.seq}`} ignored: ${ignored.why}; replaying the whole journal`,
      );
  }
  return foldAll(store, timeZone);
}

/** The stored header's JSON, its fields still unchecked (headerProblem checks them). */
function parseHeader(text: string): CheckpointHeader | null {
  try {
    const h: unknown = JSON.parse(text);
    return typeof h === 'object' && h !== null ? (h as CheckpointHeader) : null;
  } catch {
    return null;
  }
}

/**
 * The events after a checkpoint, from its own last event: that event must be the one the
 * checkpoint says it folded (same seq, time and type), or the checkpoint is of another history.
 */
async function foldTail(
  store: EventStore | PagedEventStore,
  projection: Projection,
  type: string,
): Promise<{ ok: true; replay: StartUpReplay } | { ok: false; why: string }> {
  const seq = projection.eventsApplied;
  let first: Stored | null = null;
  let replayed = 0;
  let lastType = type;
  const apply = (stored: Stored): string | null => {
    if (first === null) {
      first = stored;
      if (stored.seq !== seq || stored.t !== projection.lastT || stored.type !== type)
        return `the journal's event ${stored.seq} is ${stored.type} at ${stored.t}, the checkpoint followed ${type} at ${projection.lastT}`;
      return null;
    }
    applyStored(projection, stored);
    replayed++;
    lastType = stored.type;
    return null;
  };
  if ('read' in store) {
    for (const stored of store.read(seq)) {
      const problem = apply(stored);
      if (problem !== null) return { ok: false, why: problem };
    }
  } else {
    for await (const page of store.pages(seq))
      for (const stored of page) {
        const problem = apply(stored);
        if (problem !== null) return { ok: false, why: problem };
      }
  }
  if (first === null) return { ok: false, why: `the journal has no event ${seq}` };
  return { ok: true, replay: { projection, checkpointSeq: seq, replayed, lastType } };
}

async function foldAll(store: EventStore | PagedEventStore, timeZone: TimeZone): Promise<StartUpReplay> {
  const projection = new Projection(timeZone);
  let lastType: string | null = null;
  if ('read' in store) {
    for (const stored of store.read()) {
      applyStored(projection, stored);
      lastType = stored.type;
    }
  } else {
    for await (const page of store.pages())
      for (const stored of page) {
        applyStored(projection, stored);
        lastType = stored.type;
      }
  }
  return { projection, checkpointSeq: null, replayed: projection.eventsApplied, lastType };
}

function applyStored(projection: Projection, stored: Stored): void {
  // Only a failing check builds its message: this runs once per journaled event.
  if (!(stored.type in eventVersions))
    throw new InvariantError(`journal event ${stored.seq} has unknown type '${stored.type}'`);
  // The stored event already has type, t and data; seq and v ride along unread.
  projection.apply(stored as JournalEvent);
}

/** When the recorder journals a checkpoint of its projection, and where. */
export type CheckpointPolicy = {
  /**
   * Once per this many events; 0: never. Due at each multiple of it, a checkpoint waits for a
   * moment without working orders (writing one stops the engine for as long as serialising the
   * projection takes), but not past the next multiple.
   */
  readonly every: number;
  readonly store: CheckpointStore;
  /** Says why a checkpoint could not be written (trading goes on: a checkpoint is a cache). */
  readonly log: (line: string) => void;
};

export class Recorder {
  /** The event count at which the next checkpoint is taken (Infinity: none). */
  private nextCheckpointAt = Infinity;

  constructor(
    readonly store: Pick<EventStore, 'append'>,
    readonly projection: Projection,
    private readonly clock: Clock,
    private readonly checkpoints: CheckpointPolicy | null = null,
  ) {
    if (checkpoints !== null && checkpoints.every > 0)
      this.nextCheckpointAt =
        (Math.floor(projection.eventsApplied / checkpoints.every) + 1) * checkpoints.every;
  }

  record<K extends JournalEventType>(type: K, data: JournalEventData[K]): void {
    const t = Math.max(this.clock.now(), this.projection.lastT);
    const event = { type, t, data } as JournalEvent;
    this.store.append({ type, v: eventVersions[type], t, data });
    this.projection.apply(event);
    if (this.projection.eventsApplied >= this.nextCheckpointAt) this.checkpointDue(type);
  }

  /** A quiet moment (no working order), or the next multiple of `every` reached: write it now. */
  private checkpointDue(lastType: string): void {
    const every = this.checkpoints?.every ?? 0;
    const p = this.projection;
    if (p.eventsApplied < this.nextCheckpointAt + every && p.orders.hasLive()) return;
    this.checkpoint(lastType);
  }

  /**
   * Journals a checkpoint of the projection as of its last event (of type `lastType`), beside the
   * events. A checkpoint that cannot be made or written is logged and skipped: start-up then
   * replays from the one before, or from the start.
   */
  checkpoint(lastType: string): void {
    const policy = this.checkpoints;
    if (policy === null || policy.every <= 0) return;
    const seq = this.projection.eventsApplied;
    this.nextCheckpointAt = (Math.floor(seq / policy.every) + 1) * policy.every;
    try {
      const cp = checkpointOf(this.projection, lastType);
      policy.store.writeCheckpoint({ seq, header: JSON.stringify(cp.header), data: cp.data });
    } catch (e) {
      policy.log(
        `journal checkpoint of event ${seq} not written: ${e instanceof Error ? e.message : String(e)}; a start replays from an earlier one`,
      );
    }
  }
}

/** Rebuilds the projection from every event in the store, in order. */
export function replay(store: EventStore, timeZone: TimeZone): Projection {
  const projection = new Projection(timeZone);
  for (const stored of store.read()) applyStored(projection, stored);
  return projection;
}
