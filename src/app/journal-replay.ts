// Replaying a journal file from the CLI: the projection at its last event, in the exchange's local
// time the engine recorded when it first started.
import { fixedOffsetZone, timeZoneOf, type TimeZone } from '../domain';
import { replayFromCheckpoint, type EventStore, type PagedEventStore } from '../engine/recorder';
import type { Projection } from '../ledger/projection';

/**
 * The zone of the journal's first engine start: its name (engine.started v2), or the fixed offset
 * an older journal recorded (v1); UTC for an empty journal.
 */
export function journalTimeZone(store: EventStore): TimeZone {
  for (const first of store.read()) return zoneOfFirstEvent(first);
  return fixedOffsetZone(0);
}

function zoneOfFirstEvent(first: { type: string; data: unknown }): TimeZone {
  if (first.type !== 'engine.started') return fixedOffsetZone(0);
  const data = first.data as { timeZone?: string; utcOffsetMin?: number };
  return data.timeZone !== undefined ? timeZoneOf(data.timeZone) : fixedOffsetZone(data.utcOffsetMin ?? 0);
}

/**
 * The projection at the journal's last event, from its newest checkpoint and the events after it
 * (every event when there is none, or the checkpoint does not hold up: `log` says why).
 */
export async function replayJournal(
  store: EventStore,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ projection: Projection; timeZone: TimeZone }> {
  const timeZone = journalTimeZone(store);
  const { projection } = await replayFromCheckpoint(store, timeZone, log);
  return { projection, timeZone };
}

/** The same from a journal read page by page (PostgreSQL). */
export async function replayJournalPages(
  store: PagedEventStore,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ projection: Projection; timeZone: TimeZone }> {
  let timeZone = fixedOffsetZone(0);
  for await (const page of store.pages(1)) {
    const first = page[0];
    if (first !== undefined) timeZone = zoneOfFirstEvent(first);
    break;
  }
  const { projection } = await replayFromCheckpoint(store, timeZone, log);
  return { projection, timeZone };
}
