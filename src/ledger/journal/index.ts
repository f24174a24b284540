// The append-only event journal: keel's source of truth. Storage only; the meaning of events
// belongs to the ledger projections rebuilt from it.
export type { Journal, JournalOptions, LockHolder, NewEvent, StoredEvent } from './journal';
export { JournalError } from './journal-error';
export type { JournalErrorCode } from './journal-error';
export { appendBatchEventsMax, openJournal } from './sqlite-journal';
export { schemaVersion, journalFormatId } from './schema';
export { eventDataCharsMax, eventDataDepthMax, eventTypeLengthMax, jsonProblem } from './event-check';
