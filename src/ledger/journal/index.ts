// The append-only event journal: keel's source of truth. Storage only; the meaning of events
// belongs to the ledger projections rebuilt from it.
export type {
  CheckpointStore,
  Journal,
  JournalLease,
  JournalOptions,
  JournalStore,
  LeaseAttempt,
  LeaseState,
  LockHolder,
  NewEvent,
  StoredCheckpoint,
  StoredEvent,
} from './journal';
export { isPostgresAddress, openJournalAt } from './open';
export { JournalError } from './journal-error';
export type { JournalErrorCode } from './journal-error';
export { appendBatchEventsMax, openJournal } from './sqlite-journal';
export { schemaVersion, journalFormatId } from './schema';
export { eventDataCharsMax, eventDataDepthMax, eventTypeLengthMax, jsonProblem } from './event-check';
