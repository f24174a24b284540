// The PostgreSQL journal, for engines on many hosts: one database, one named journal per account
// (postgres://user@host:5432/db?journal=NAME). Appends are checked and numbered at once, as the
// engine core needs, and written in order by one writer, many rows per statement; flush() resolves
// once they are committed, and the host sends nothing they make durable before that. Every row
// carries the account lease's fencing token and the database refuses a stale one (schema.ts), so
// a paused or cut-off engine that wakes up cannot write, and so cannot send.
import pg from 'pg';
import type { Pool } from 'pg';
import { assert } from '../../../domain';
import { checkNewEvent, envelopeProblem, versionProblem } from '../event-check';
import { JournalError } from '../journal-error';
import type {
  CheckpointStore,
  JournalLease,
  JournalOptions,
  JournalStore,
  LeaseAttempt,
  LeaseState,
  NewEvent,
  StoredCheckpoint,
  StoredEvent,
} from '../journal';
import { schemaVersion } from '../schema';
import { fencedSqlState, inspectPostgresSchema, migratePostgres } from './schema';

/** Rows per INSERT statement: one round trip for a whole execution report or more. */
const insertRowsMax = 5_000;
/** Rows per page on replay; the connection is free between pages. */
const readPageEvents = 10_000;
/** Connections: the writer, a reader, the lease. */
const poolConnectionsMax = 3;
/** A journal name is an account's key: short, and safe in messages and URLs. */
const journalNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Pending = {
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly t: number;
  readonly dataJson: string;
};

/** A postgres:// URL as keel takes it: the connection, the journal's name, and a printable form. */
export function parsePostgresUrl(
  url: string,
): { ok: true; connection: string; journal: string; location: string } | { ok: false; error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: `${url} is not a URL: give postgres://user@host:5432/database?journal=NAME` };
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    return { ok: false, error: `${parsed.protocol} is not postgres:` };
  const journal = parsed.searchParams.get('journal');
  if (journal === null || !journalNamePattern.test(journal))
    return {
      ok: false,
      error: `give the journal's name (one per account) as ?journal=NAME (letters, digits, . _ -; at most 64), e.g. postgres://root@127.0.0.1:5432/test?journal=ibkr-DU1234567`,
    };
  parsed.searchParams.delete('journal');
  const connection = parsed.toString();
  if (parsed.password !== '') parsed.password = '***';
  parsed.searchParams.set('journal', journal);
  return { ok: true, connection, journal, location: parsed.toString() };
}

export async function openPostgresJournal(url: string, options: JournalOptions): Promise<PostgresJournal> {
  const target = parsePostgresUrl(url);
  if (!target.ok) throw new JournalError('io', url, `journal ${url}: ${target.error}`);
  const pool = new pg.Pool({
    connectionString: target.connection,
    max: poolConnectionsMax,
    application_name: 'keel',
  });
  // An idle connection dropped by the server must not crash the process: the next query fails instead.
  pool.on('error', () => undefined);
  try {
    const tail = await prepare(pool, target.journal, target.location, options.readOnly === true);
    return new PostgresJournal(pool, target.journal, target.location, options, tail);
  } catch (error) {
    await pool.end();
    throw asJournalError(error, target.location, 'opening it');
  }
}

/** Schema checked (and migrated, once, under an advisory lock), the journal row made; its tail. */
async function prepare(
  pool: Pool,
  journal: string,
  location: string,
  readOnly: boolean,
): Promise<{ seq: number; t: number | null }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('keel-journal-schema'))");
    const state = await inspectPostgresSchema(client);
    const version = state.kind === 'empty' ? 0 : state.kind === 'journal' ? state.version : -1;
    if (state.kind === 'foreign')
      throw new JournalError(
        'not-a-journal',
        location,
        `${location} is not a keel journal database (${state.why}): check the URL; keel does not write into other tables`,
      );
    if (version > schemaVersion)
      throw new JournalError(
        'newer-schema',
        location,
        `journal ${location} has schema version ${version}, newer than this keel supports (${schemaVersion}): upgrade keel to open it. Nothing was changed.`,
      );
    if (version < schemaVersion) {
      if (readOnly)
        throw new JournalError(
          'older-schema',
          location,
          `journal ${location} has schema version ${version} and this keel reads ${schemaVersion}: open it once with keel run to migrate it`,
        );
      await migratePostgres(client, version);
    }
    if (readOnly) {
      const known = await client.query('SELECT 1 FROM keel_journals WHERE journal = $1', [journal]);
      if (known.rowCount === 0)
        throw new JournalError('io', location, `no journal named ${journal} at ${location}: check ?journal=`);
    } else {
      await client.query('INSERT INTO keel_journals (journal) VALUES ($1) ON CONFLICT DO NOTHING', [journal]);
    }
    const tail = await client.query<{ seq: string; t: string }>(
      'SELECT seq, t FROM keel_events WHERE journal = $1 ORDER BY seq DESC LIMIT 1',
      [journal],
    );
    await client.query('COMMIT');
    const row = tail.rows[0];
    return row === undefined ? { seq: 0, t: null } : { seq: Number(row.seq), t: Number(row.t) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export class PostgresJournal implements JournalStore {
  readonly backend = 'postgres';
  readonly durableOnAppend = false;
  readonly readOnly: boolean;
  readonly lease: PostgresLease;
  private last: number;
  private lastT: number | null;
  private pending: Pending[] = [];
  /** A checkpoint written once the events it covers are committed (the newest replaces it). */
  private pendingCheckpoint: StoredCheckpoint | null = null;
  readonly checkpoints: CheckpointStore = {
    writeCheckpoint: (cp) => this.writeCheckpoint(cp),
    latestCheckpoint: () => this.latestCheckpoint(),
  };
  private writing: Promise<void> = Promise.resolve();
  private writeScheduled = false;
  private failure: JournalError | null = null;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    readonly journal: string,
    readonly location: string,
    private readonly options: JournalOptions,
    tail: { seq: number; t: number | null },
  ) {
    this.readOnly = options.readOnly === true;
    this.last = tail.seq;
    this.lastT = tail.t;
    this.lease = new PostgresLease(pool, journal, location, () => this.reloadTail());
  }

  /** A new holder continues from what the last one committed. */
  private async reloadTail(): Promise<void> {
    assert(this.pending.length === 0, 'no appends are waiting when the lease is taken');
    const rows = await this.query<{ seq: string; t: string }>(
      'SELECT seq, t FROM keel_events WHERE journal = $1 ORDER BY seq DESC LIMIT 1',
      [this.journal],
      'reading the tail',
    );
    const row = rows[0];
    this.last = row === undefined ? 0 : Number(row.seq);
    this.lastT = row === undefined ? null : Number(row.t);
  }

  append(event: NewEvent): number {
    const [seq] = this.appendBatch([event]);
    assert(seq !== undefined, 'append returns one seq');
    return seq;
  }

  /** All or nothing: one bad event refuses the batch, and nothing of it is numbered. */
  appendBatch(events: readonly NewEvent[]): number[] {
    assert(!this.closed, `journal ${this.location} is closed`);
    assert(!this.readOnly, `journal ${this.location} is open read-only`);
    if (this.failure !== null) throw this.failure;
    assert(this.lease.token !== null, `journal ${this.location}: take the account lease before appending`);
    const checked: Pending[] = [];
    let previousT = this.lastT;
    for (const [index, event] of events.entries()) {
      const result = checkNewEvent(event, previousT, this.options.knownVersions);
      if ('problem' in result)
        throw new JournalError(
          'bad-event',
          this.location,
          `journal ${this.location}: event ${index + 1} of ${events.length} (type ${JSON.stringify(event.type)}) refused: ${result.problem}; nothing of this batch was appended`,
        );
      checked.push({
        seq: this.last + index + 1,
        type: event.type,
        v: event.v,
        t: event.t,
        dataJson: result.dataJson,
      });
      previousT = event.t;
    }
    this.pending.push(...checked);
    this.last += checked.length;
    this.lastT = previousT;
    this.writeSoon();
    return checked.map((e) => e.seq);
  }

  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writePending());
    return this.writing;
  }

  private writeCheckpoint(cp: StoredCheckpoint): void {
    assert(!this.closed, `journal ${this.location} is closed`);
    assert(!this.readOnly, `journal ${this.location} is open read-only`);
    if (this.failure !== null) throw this.failure;
    assert(cp.seq <= this.last, `checkpoint of event ${cp.seq} beyond the journal's last event ${this.last}`);
    this.pendingCheckpoint = cp;
    this.writeSoon();
  }

  private async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const rows = await this.query<{ seq: string; header: string; data: string }>(
      'SELECT seq, header, data FROM keel_checkpoints WHERE journal = $1 ORDER BY seq DESC LIMIT 1',
      [this.journal],
      'reading the newest checkpoint',
    );
    const row = rows[0];
    return row === undefined ? null : { seq: Number(row.seq), header: row.header, data: row.data };
  }

  /** Events not yet committed. */
  get unflushed(): number {
    return this.pending.length;
  }

  lastSeq(): number {
    return this.last;
  }

  async *pages(fromSeq = 1): AsyncGenerator<readonly StoredEvent[], void, undefined> {
    assert(
      Number.isSafeInteger(fromSeq) && fromSeq >= 1,
      `fromSeq must be a positive integer, got ${fromSeq}`,
    );
    if (!this.readOnly) await this.flush();
    const until = await this.storedLastSeq();
    const decoder = new RowDecoder(this.location, this.options.knownVersions);
    for (let next = fromSeq; next <= until;) {
      assert(!this.closed, `journal ${this.location} was closed while being read`);
      // Seqs have no gaps: a page is exactly [next, next + size), whatever plan the server picks.
      const rows = await this.query<Row>(
        'SELECT seq, type, v, t, data FROM keel_events WHERE journal = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
        [this.journal, next, Math.min(next + readPageEvents, until + 1)],
        'reading',
      );
      if (rows.length === 0)
        throw new JournalError(
          'corrupt',
          this.location,
          `journal ${this.location}: events ${next}..${until} are missing`,
          {
            seq: next,
          },
        );
      const page = rows.map((row) => decoder.decode(row, next++));
      yield page;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.readOnly && this.failure === null) await this.flush().catch(() => undefined);
      await this.lease.release().catch(() => undefined);
    } finally {
      this.closed = true;
      await this.pool.end();
    }
  }

  private writeSoon(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      // A failure is kept and refuses every later append; flush() callers get it too.
      this.flush().catch(() => undefined);
    });
  }

  private async writePending(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.pending.length > 0) await this.writeEvents();
    const cp = this.pendingCheckpoint;
    if (cp !== null) {
      this.pendingCheckpoint = null;
      await this.writeStoredCheckpoint(cp);
    }
  }

  /** In one transaction, fenced like the events: the one before out, the checkpoint in. */
  private async writeStoredCheckpoint(cp: StoredCheckpoint): Promise<void> {
    const token = this.lease.token;
    assert(token !== null, 'checkpoints carry a lease token');
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.failed(error, 'connecting to write a checkpoint');
    });
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM keel_checkpoints WHERE journal = $1', [this.journal]);
      await client.query(
        'INSERT INTO keel_checkpoints (journal, seq, header, data, token) VALUES ($1, $2, $3, $4, $5)',
        [this.journal, cp.seq, cp.header, cp.data, token],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.failed(error, 'writing a checkpoint');
    } finally {
      client.release();
    }
  }

  private async writeEvents(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const token = this.lease.token;
    assert(token !== null, 'appends carry a lease token');
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.failed(error, 'connecting to append');
    });
    try {
      if (batch.length > insertRowsMax) await client.query('BEGIN');
      for (let i = 0; i < batch.length; i += insertRowsMax) {
        const rows = batch.slice(i, i + insertRowsMax);
        await client.query({
          name: 'keel-append',
          text: `INSERT INTO keel_events (journal, seq, type, v, t, data, token)
                 SELECT $1, x.seq, x.type, x.v, x.t, x.data, $7
                   FROM unnest($2::bigint[], $3::text[], $4::integer[], $5::bigint[], $6::text[]) AS x(seq, type, v, t, data)`,
          values: [
            this.journal,
            rows.map((r) => r.seq),
            rows.map((r) => r.type),
            rows.map((r) => r.v),
            rows.map((r) => r.t),
            rows.map((r) => r.dataJson),
            token,
          ],
        });
      }
      if (batch.length > insertRowsMax) await client.query('COMMIT');
    } catch (error) {
      if (batch.length > insertRowsMax) await client.query('ROLLBACK').catch(() => undefined);
      throw this.failed(error, 'appending');
    } finally {
      client.release();
    }
    const lastSeq = batch[batch.length - 1]?.seq;
    if (lastSeq !== undefined) this.options.afterAppend?.(lastSeq);
  }

  /** The first failure stops the journal: every later append and flush is refused with it. */
  private failed(error: unknown, doing: string): JournalError {
    this.failure = asJournalError(error, this.location, doing);
    return this.failure;
  }

  private async storedLastSeq(): Promise<number> {
    const rows = await this.query<{ seq: string | null }>(
      'SELECT max(seq) AS seq FROM keel_events WHERE journal = $1',
      [this.journal],
      'reading the last seq',
    );
    return Number(rows[0]?.seq ?? 0);
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    doing: string,
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw asJournalError(error, this.location, doing);
    }
  }
}

type Row = { seq: string; type: string; v: number; t: string; data: string };

/** The replay side of checkNewEvent; the first bad row stops the read, never skipped. */
class RowDecoder {
  private previousT: number | null = null;
  private readonly known = new Set<string>();

  constructor(
    private readonly location: string,
    private readonly knownVersions: Readonly<Record<string, number>>,
  ) {}

  decode(row: Row, expectedSeq: number): StoredEvent {
    const seq = Number(row.seq);
    const t = Number(row.t);
    if (seq !== expectedSeq)
      throw new JournalError(
        'corrupt',
        this.location,
        `journal ${this.location}: event seq ${expectedSeq} is missing (next stored is ${row.seq})`,
        { seq: expectedSeq },
      );
    const envelope = envelopeProblem({ type: row.type, v: row.v, t }, this.previousT);
    if (envelope !== null)
      throw this.bad('bad-event', expectedSeq, row.type, envelope, 'restore the journal from backup');
    const version = this.known.has(`${row.type}/${row.v}`)
      ? null
      : versionProblem(row.type, row.v, this.knownVersions);
    if (version !== null)
      throw this.bad(
        'unknown-event',
        expectedSeq,
        row.type,
        version,
        'written by a newer keel? Upgrade keel to replay it',
      );
    this.known.add(`${row.type}/${row.v}`);
    this.previousT = t;
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch (error) {
      throw new JournalError(
        'bad-event',
        this.location,
        `journal ${this.location}: event seq ${expectedSeq}: data is not valid JSON (${String(error)})`,
        { seq: expectedSeq },
      );
    }
    return { seq, type: row.type, v: row.v, t, data };
  }

  private bad(
    code: 'bad-event' | 'unknown-event',
    seq: number,
    type: string,
    problem: string,
    fix: string,
  ): JournalError {
    return new JournalError(
      code,
      this.location,
      `journal ${this.location}: event seq ${seq} (type ${JSON.stringify(type)}): ${problem}; ${fix}`,
      { seq },
    );
  }
}

/** The account lease of one journal, kept in the database's own time (hosts' clocks may differ). */
export class PostgresLease implements JournalLease {
  private held: LeaseState | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly journal: string,
    private readonly location: string,
    private readonly onAcquired: () => Promise<void>,
  ) {}

  get token(): number | null {
    return this.held?.token ?? null;
  }

  async acquire(holder: string, ttlMs: number): Promise<LeaseAttempt> {
    assert(Number.isSafeInteger(ttlMs) && ttlMs >= 1000, `lease ttl ${ttlMs} ms`);
    const taken = await this.rows(
      `INSERT INTO keel_leases AS l (journal, holder, token, expires_at, renewed_at)
         VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond', now())
       ON CONFLICT (journal) DO UPDATE
         SET holder = EXCLUDED.holder, token = l.token + 1, expires_at = EXCLUDED.expires_at, renewed_at = now()
         WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
       RETURNING ${leaseColumns}`,
      [this.journal, holder, ttlMs],
    );
    const lease = taken[0];
    if (lease !== undefined) {
      this.held = lease;
      await this.onAcquired();
      return { ok: true, lease };
    }
    const heldBy = await this.current();
    assert(heldBy !== null, 'a lease that refused a takeover exists');
    return { ok: false, heldBy };
  }

  async renew(ttlMs: number): Promise<boolean> {
    const token = this.held?.token;
    if (token === undefined) return false;
    const renewed = await this.rows(
      `UPDATE keel_leases SET expires_at = now() + $3 * interval '1 millisecond', renewed_at = now()
        WHERE journal = $1 AND token = $2 RETURNING ${leaseColumns}`,
      [this.journal, token, ttlMs],
    );
    this.held = renewed[0] ?? null;
    return this.held !== null;
  }

  async current(): Promise<LeaseState | null> {
    const rows = await this.rows(`SELECT ${leaseColumns} FROM keel_leases WHERE journal = $1`, [
      this.journal,
    ]);
    return rows[0] ?? null;
  }

  /** Lets a waiting engine take over at once (only while the lease is still ours). */
  async release(): Promise<void> {
    const token = this.held?.token;
    if (token === undefined) return;
    this.held = null;
    await this.pool.query('UPDATE keel_leases SET expires_at = now() WHERE journal = $1 AND token = $2', [
      this.journal,
      token,
    ]);
  }

  private async rows(text: string, values: unknown[]): Promise<LeaseState[]> {
    try {
      const result = await this.pool.query<{ holder: string; token: string; expires_ms: number }>(
        text,
        values,
      );
      return result.rows.map((r) => ({
        holder: r.holder,
        token: Number(r.token),
        expiresAt: Math.round(r.expires_ms),
      }));
    } catch (error) {
      throw asJournalError(error, this.location, 'taking the account lease');
    }
  }
}

const leaseColumns = 'holder, token, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms';

function asJournalError(error: unknown, location: string, doing: string): JournalError {
  if (error instanceof JournalError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === fencedSqlState)
    return new JournalError('fenced', location, `${message}; this engine stops: it sends nothing more`, {
      cause: error,
    });
  if (code === '23505')
    return new JournalError(
      'fenced',
      location,
      `journal ${location}: another writer took the seq this engine was appending (${message}); this engine stops`,
      { cause: error },
    );
  return new JournalError('io', location, `journal ${location}: ${doing} failed: ${message}`, {
    cause: error,
  });
}
