// The PostgreSQL journal's tables: one database holds the journals of many accounts, each named
// (`?journal=` in the URL). The same schema version as the SQLite journal; migrations run in one
// transaction under an advisory lock, so two engines starting at once migrate once. The database
// itself refuses what keel never writes: an update or delete of an event, an event whose lease
// token is not the journal's current one (a fenced engine), a second event at a taken seq.
import type { PoolClient } from 'pg';
import { assert } from '../../../domain';
import { journalFormatId, schemaVersion } from '../schema';

/** Raised by the fencing trigger; the journal maps it to JournalError 'fenced'. */
export const fencedSqlState = 'KL001';
/** Raised by the append-only trigger. */
export const appendOnlySqlState = 'KL002';

type Migration = { readonly to: number; readonly sql: string };

export const postgresMigrations: readonly Migration[] = [
  {
    to: 1,
    sql: `
      CREATE TABLE keel_meta (key text PRIMARY KEY, value text NOT NULL);
      INSERT INTO keel_meta (key, value) VALUES ('format', '${journalFormatId}'), ('schema_version', '1');
      CREATE TABLE keel_journals (
        journal text PRIMARY KEY CHECK (length(journal) BETWEEN 1 AND 64),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE keel_leases (
        journal text PRIMARY KEY REFERENCES keel_journals,
        holder text NOT NULL,
        token bigint NOT NULL CHECK (token >= 1),
        expires_at timestamptz NOT NULL,
        renewed_at timestamptz NOT NULL
      );
      CREATE TABLE keel_events (
        journal text NOT NULL REFERENCES keel_journals,
        seq bigint NOT NULL CHECK (seq >= 1),
        type text NOT NULL CHECK (length(type) > 0),
        v integer NOT NULL CHECK (v >= 1),
        t bigint NOT NULL,
        data text NOT NULL,
        token bigint NOT NULL,
        PRIMARY KEY (journal, seq)
      );
      CREATE FUNCTION keel_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = '${appendOnlySqlState}', MESSAGE = 'the keel journal is append-only';
      END $$;
      CREATE TRIGGER keel_events_no_change BEFORE UPDATE OR DELETE ON keel_events
        FOR EACH ROW EXECUTE FUNCTION keel_events_append_only();
      -- Fencing: events are written only under the journal's current lease token, checked once
      -- per statement over all its rows. FOR SHARE waits out a takeover in progress (an UPDATE of
      -- the lease row) and then sees its new token, so a stale writer can never slip in.
      CREATE FUNCTION keel_events_fenced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE stale record;
      BEGIN
        PERFORM 1 FROM keel_leases WHERE journal IN (SELECT DISTINCT journal FROM inserted) FOR SHARE;
        SELECT i.journal, i.token AS given, l.token AS current_token INTO stale
          FROM (SELECT DISTINCT journal, token FROM inserted) i
          LEFT JOIN keel_leases l ON l.journal = i.journal
         WHERE l.token IS DISTINCT FROM i.token
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION USING ERRCODE = '${fencedSqlState}',
            MESSAGE = format('journal %s: lease token %s is stale (current %s): another engine took the account over',
                             stale.journal, stale.given, coalesce(stale.current_token::text, 'none'));
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER keel_events_fence AFTER INSERT ON keel_events
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION keel_events_fenced();
    `,
  },
  {
    // Projection checkpoints beside the events, not among them (docs/journal.md): the newest one
    // per journal, replaced by the next; written under the lease token like the events, so a
    // fenced engine cannot leave one behind.
    to: 2,
    sql: `
      CREATE TABLE keel_checkpoints (
        journal text NOT NULL REFERENCES keel_journals,
        seq bigint NOT NULL CHECK (seq >= 1),
        header text NOT NULL,
        data text NOT NULL,
        token bigint NOT NULL,
        PRIMARY KEY (journal, seq)
      );
      CREATE TRIGGER keel_checkpoints_fence AFTER INSERT ON keel_checkpoints
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION keel_events_fenced();
    `,
  },
];

assert(postgresMigrations.length === schemaVersion, 'PostgreSQL and SQLite journals share schema versions');
postgresMigrations.forEach((m, i) => assert(m.to === i + 1, `migration ${i} must lead to version ${i + 1}`));

export type PostgresSchemaState =
  | { readonly kind: 'empty' }
  | { readonly kind: 'journal'; readonly version: number }
  | { readonly kind: 'foreign'; readonly why: string };

/** What this database holds: nothing of keel's, a keel journal schema, or someone else's tables. */
export async function inspectPostgresSchema(client: PoolClient): Promise<PostgresSchemaState> {
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name IN ('keel_meta', 'keel_events', 'keel_journals', 'keel_leases')`,
  );
  const names = new Set(tables.rows.map((r) => r.name));
  if (names.size === 0) return { kind: 'empty' };
  if (!names.has('keel_meta'))
    return { kind: 'foreign', why: `it has ${[...names].join(', ')} but no keel_meta table` };
  const meta = await client.query<{ key: string; value: string }>('SELECT key, value FROM keel_meta');
  const format = meta.rows.find((r) => r.key === 'format')?.value;
  if (format !== journalFormatId)
    return { kind: 'foreign', why: `its keel_meta format marker is ${JSON.stringify(format ?? null)}` };
  const version = Number(meta.rows.find((r) => r.key === 'schema_version')?.value);
  if (!Number.isSafeInteger(version) || version < 1)
    return { kind: 'foreign', why: `its schema_version is ${String(version)}` };
  return { kind: 'journal', version };
}

/** Brings the schema to schemaVersion; callers hold the schema advisory lock in a transaction. */
export async function migratePostgres(client: PoolClient, from: number): Promise<void> {
  assert(from >= 0 && from < schemaVersion, `migrate from ${from} to ${schemaVersion}`);
  for (const m of postgresMigrations.slice(from)) {
    await client.query(m.sql);
    await client.query(`UPDATE keel_meta SET value = $1 WHERE key = 'schema_version'`, [String(m.to)]);
  }
}
