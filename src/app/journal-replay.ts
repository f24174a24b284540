// Replaying a journal file from the CLI: the projection at its last event, in the exchange's local
// time the engine recorded when it first started.
import { replay, type EventStore } from '../engine/recorder';
import type { Projection } from '../ledger/projection';

/** The utcOffsetMin of the journal's first engine start (0 for an empty journal). */
export function journalUtcOffset(store: EventStore): number {
  for (const first of store.read()) {
    if (first.type !== 'engine.started') return 0;
    return Number((first.data as { utcOffsetMin?: number }).utcOffsetMin ?? 0);
  }
  return 0;
}

export function replayJournal(store: EventStore): { projection: Projection; utcOffsetMin: number } {
  const utcOffsetMin = journalUtcOffset(store);
  return { projection: replay(store, utcOffsetMin), utcOffsetMin };
}
