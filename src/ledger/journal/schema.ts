// The journal's table schema, versioned by PRAGMA user_version and changed only by the ordered
// migrations below. A format marker in keel_meta tells a keel journal from any other SQLite file.
// keel_meta is a stable contract across versions: no migration may rename or reshape it, so an
// older keel can always recognise a newer journal and say "upgrade keel" instead of "not a journal".
import type BetterSqlite3 from 'better-sqlite3';
import { assert } from '../../domain';

export const journalFormatId = 'keel-journal';

type Migration = {
  /** user_version after this migration. */
  readonly to: number;
  readonly sql: string;
};

export const migrations: readonly Migration[] = [
  {
    // STRICT tables, CHECKs and triggers make the database itself refuse what keel never writes:
    // mistyped columns, empty types, and any update or delete of a journaled event.
    to: 1,
    sql: `
      CREATE TABLE keel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      INSERT INTO keel_meta (key, value) VALUES ('format', '${journalFormatId}');
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL CHECK (length(type) > 0),
        v INTEGER NOT NULL CHECK (v >= 1),
        t INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the keel journal is append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the keel journal is append-only'); END;
    `,
  },
  {
    // Projection checkpoints beside the events, not among them (docs/journal.md): the newest one
    // is replaced by the next; the events table stays append-only.
    to: 2,
    sql: `
      CREATE TABLE checkpoints (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        header TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
    `,
  },
];

/** The schema version this keel writes and reads. */
export const schemaVersion = migrations.length;

migrations.forEach((m, i) => assert(m.to === i + 1, `migration ${i} must lead to version ${i + 1}`));

export type SchemaState =
  | { readonly kind: 'empty' }
  | { readonly kind: 'journal'; readonly version: number }
  | { readonly kind: 'foreign'; readonly why: string }
  | { readonly kind: 'damaged'; readonly why: string };

/** What kind of database this is; reads only (no writes, no locks beyond a read transaction). */
export function inspectSchema(db: BetterSqlite3.Database): SchemaState {
  const version = db.pragma('user_version', { simple: true });
  assert(typeof version === 'number', 'PRAGMA user_version returns a number');
  const objects = db.prepare('SELECT name FROM sqlite_schema').pluck().all() as string[];
  if (objects.length === 0) {
    return version === 0 ? { kind: 'empty' } : { kind: 'foreign', why: `empty, user_version ${version}` };
  }
  if (!objects.includes('keel_meta')) {
    const listed = objects.slice(0, 5).join(', ');
    return { kind: 'foreign', why: `it has no keel_meta table; it holds ${listed}` };
  }
  const format: unknown = db.prepare("SELECT value FROM keel_meta WHERE key = 'format'").pluck().get();
  if (format !== journalFormatId) {
    return { kind: 'foreign', why: `its format marker is ${JSON.stringify(format ?? null)}` };
  }
  // Migration 1 writes the marker and user_version in one transaction: one without the other is damage.
  if (version < 1) return { kind: 'damaged', why: `format marker present but user_version is ${version}` };
  return { kind: 'journal', version };
}

/** Brings the schema from `from` to schemaVersion in one transaction. */
export function migrate(db: BetterSqlite3.Database, from: number): void {
  assert(from >= 0 && from < schemaVersion, `migrate from ${from} to ${schemaVersion}`);
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true });
    assert(current === from, `user_version changed under the migration: ${String(current)} != ${from}`);
    for (const migration of migrations.slice(from)) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.to}`);
    }
  }).immediate();
}
