// One way to open a journal by its address: `postgres://…?journal=NAME` (or postgresql://) is the
// PostgreSQL journal, `sqlite:PATH` or a plain path the SQLite file. Callers get the storage-
// neutral JournalStore and never import a backend.
import type { JournalOptions, JournalStore } from './journal';
import { openPostgresJournal } from './postgres';
import { openJournal } from './sqlite-journal';

export function isPostgresAddress(address: string): boolean {
  return /^postgres(?:ql)?:\/\//.test(address);
}

export async function openJournalAt(address: string, options: JournalOptions): Promise<JournalStore> {
  if (isPostgresAddress(address)) return openPostgresJournal(address, options);
  return openJournal(address.startsWith('sqlite:') ? address.slice('sqlite:'.length) : address, options);
}
