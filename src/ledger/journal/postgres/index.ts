// The PostgreSQL journal and its account lease: reached only through openJournalAt (open.ts).
export { openPostgresJournal, parsePostgresUrl, PostgresJournal, PostgresLease } from './postgres-journal';
