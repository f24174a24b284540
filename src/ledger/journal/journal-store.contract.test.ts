// One journal suite, run against every backend through the storage-neutral JournalStore: SQLite
// (a file) and PostgreSQL (the machine's real server, a database of this file's own). Appends,
// batches, ordering, paged replay, reopening, migrations, foreign and corrupt data refused with a
// clear error, append-only enforced by the database, and a crash between append and
// acknowledgement. The PostgreSQL-only part (the account lease and its fencing) follows.
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { intent, journalFixture, options, t0 } from '../../../test/support/journal-fixture';
import {
  postgresAvailable,
  postgresFixture,
  type PostgresFixture,
} from '../../../test/support/postgres-fixture';
import {
  JournalError,
  openJournalAt,
  schemaVersion,
  type JournalOptions,
  type JournalStore,
  type StoredEvent,
} from './index';

type Backend = {
  readonly name: 'sqlite' | 'postgres';
  /** A new journal's address (a fresh file, or a fresh journal name). */
  address(): string;
  /** Writes straight into the storage, as a tamperer or a newer keel would. */
  tamper(address: string, sql: string): Promise<void>;
  /** An address holding someone else's data. */
  foreign(): Promise<string>;
};

const files = journalFixture();
let pgFixture: PostgresFixture | null = null;
const pgMissing = await postgresAvailable();
const open: JournalStore[] = [];

beforeAll(async () => {
  if (pgMissing === null) pgFixture = await postgresFixture();
});
afterEach(async () => {
  for (const j of open.splice(0)) await j.close();
});
afterAll(async () => {
  files.cleanup();
  await pgFixture?.drop();
});

const sqlite: Backend = {
  name: 'sqlite',
  address: () => files.path(),
  async tamper(address, sql) {
    const db = new Database(address);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  },
  async foreign() {
    const path = files.path('other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)');
    db.close();
    return path;
  },
};

const postgres: Backend = {
  name: 'postgres',
  address: () => (pgFixture as PostgresFixture).url(),
  async tamper(_address, sql) {
    await (pgFixture as PostgresFixture).sql(sql);
  },
  async foreign() {
    const url = (pgFixture as PostgresFixture).otherDatabaseUrl('acct');
    const c = new (await import('pg')).default.Client({ connectionString: url.replace(/\?.*$/, '') });
    await c.connect();
    await c.query('CREATE TABLE IF NOT EXISTS keel_events (id serial PRIMARY KEY, what text)');
    await c.end();
    return url;
  },
};

async function openStore(address: string, extra: Partial<JournalOptions> = {}): Promise<JournalStore> {
  const store = await openJournalAt(address, options(extra));
  open.push(store);
  if (store.lease !== null && extra.readOnly !== true) {
    const taken = await store.lease.acquire('contract test', 60_000);
    expect(taken.ok).toBe(true);
  }
  return store;
}

async function closeStore(store: JournalStore): Promise<void> {
  open.splice(open.indexOf(store), 1);
  await store.close();
}

async function all(store: JournalStore, from = 1): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const page of store.pages(from)) out.push(...page);
  return out;
}

async function rejection(run: () => unknown): Promise<JournalError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(JournalError);
    return e as JournalError;
  }
  throw new Error('expected a JournalError');
}

for (const backend of [sqlite, postgres]) {
  const skip = backend.name === 'postgres' ? pgMissing : null;
  describe.skipIf(skip !== null)(
    `the ${backend.name} journal${skip === null ? '' : ` (skipped: ${skip})`}`,
    () => {
      it('numbers appends 1, 2, 3 and replays them exactly, from any seq', async () => {
        const store = await openStore(backend.address());
        expect(store.backend).toBe(backend.name);
        expect(store.lastSeq()).toBe(0);
        const odd = { s: 'é ✓ \u0000 "quoted"', n: -0.1, big: 9007199254740991, nested: [{ a: null }] };
        expect(store.append(intent(t0))).toBe(1);
        expect(store.append({ type: 'trading.state', v: 1, t: t0, data: odd })).toBe(2);
        expect(store.append({ type: 'order.fill', v: 1, t: t0 + 5, data: null })).toBe(3);
        await store.flush();
        expect(await all(store)).toEqual([
          { seq: 1, ...intent(t0) },
          { seq: 2, type: 'trading.state', v: 1, t: t0, data: odd },
          { seq: 3, type: 'order.fill', v: 1, t: t0 + 5, data: null },
        ]);
        expect((await all(store, 3)).map((e) => e.seq)).toEqual([3]);
        expect(await all(store, 4)).toEqual([]);
      });

      it('a batch is numbered contiguously; one bad event refuses the whole batch and numbers nothing', async () => {
        const store = await openStore(backend.address());
        store.append(intent(t0));
        const fills = Array.from({ length: 25_000 }, (_, i) => ({
          type: 'order.fill',
          v: 1,
          t: t0 + i,
          data: { i },
        }));
        expect(store.appendBatch(fills)).toEqual(fills.map((_, i) => i + 2));
        const bad = [
          { type: 'order.fill', v: 1, t: t0 + 30_000, data: { ok: true } },
          { type: 'order.fill', v: 1, t: t0 + 30_001, data: { n: Number.NaN } },
        ];
        const refused = await rejection(() => store.appendBatch(bad));
        expect(refused.code).toBe('bad-event');
        expect(store.lastSeq()).toBe(25_001);
        expect(store.append({ type: 'order.fill', v: 1, t: t0 + 30_002, data: 'next' })).toBe(25_002);
        await store.flush();
        const events = await all(store);
        expect(events).toHaveLength(25_002);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(events[25_001]?.data).toBe('next');
      });

      it('refuses what keel never writes: time going backwards, an unknown type, a newer version', async () => {
        const store = await openStore(backend.address());
        store.append(intent(t0 + 10));
        expect((await rejection(() => store.append(intent(t0)))).message).toMatch(
          /before the previous event's t/,
        );
        expect(
          (await rejection(() => store.append({ type: 'nope', v: 1, t: t0 + 11, data: 1 }))).message,
        ).toMatch(/"nope" is unknown to this keel/);
        expect(
          (await rejection(() => store.append({ type: 'order.fill', v: 9, t: t0 + 11, data: 1 }))).message,
        ).toMatch(/newer than this keel understands/);
        expect(store.lastSeq()).toBe(1);
      });

      it('reopens where it left off; a reader opened read-only sees the same events and cannot write', async () => {
        const address = backend.address();
        const first = await openStore(address);
        first.appendBatch([intent(t0), intent(t0 + 1)]);
        await first.flush();
        await closeStore(first);
        const again = await openStore(address);
        expect(again.lastSeq()).toBe(2);
        expect(again.append(intent(t0 + 2))).toBe(3);
        await again.flush();
        const reader = await openStore(address, { readOnly: true, lock: false });
        expect((await all(reader)).map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(() => reader.append(intent(t0 + 3))).toThrow(/read-only/);
      });

      it('an event keel does not understand stops the replay, naming its seq and the fix', async () => {
        const address = backend.address();
        const newer = await openStore(address, {
          knownVersions: { ...options().knownVersions, 'future.event': 1 },
        });
        newer.appendBatch([intent(t0), { type: 'future.event', v: 1, t: t0, data: {} }]);
        await newer.flush();
        await closeStore(newer);
        const older = await openStore(address, { readOnly: true, lock: false });
        const error = await rejection(() => all(older));
        expect(error.code).toBe('unknown-event');
        expect(error.seq).toBe(2);
        expect(error.message).toMatch(/"future.event" is unknown to this keel.*Upgrade keel/);
      });

      it("refuses someone else's data and a newer schema, changing nothing", async () => {
        const foreign = await backend.foreign();
        const error = await rejection(() => openStore(foreign));
        expect(error.code).toBe('not-a-journal');
        expect(error.message).toMatch(/is not a keel journal.*check the (path|URL)/);
        const address = backend.address();
        await closeStore(await openStore(address));
        await backend.tamper(
          address,
          backend.name === 'sqlite'
            ? 'PRAGMA user_version = 99'
            : "UPDATE keel_meta SET value = '99' WHERE key = 'schema_version'",
        );
        const newer = await rejection(() => openStore(address));
        expect(newer.code).toBe('newer-schema');
        expect(newer.message).toMatch(/schema version 99, newer than this keel supports.*upgrade keel/);
        if (backend.name === 'postgres')
          await backend.tamper(
            address,
            `UPDATE keel_meta SET value = '${schemaVersion}' WHERE key = 'schema_version'`,
          );
      });

      it('the database itself refuses to change or delete a journaled event', async () => {
        const address = backend.address();
        const store = await openStore(address);
        store.append(intent(t0));
        await store.flush();
        const table = backend.name === 'sqlite' ? 'events' : 'keel_events';
        await expect(backend.tamper(address, `UPDATE ${table} SET t = 0`)).rejects.toThrow(/append-only/);
        await expect(backend.tamper(address, `DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
        expect((await all(store)).map((e) => e.t)).toEqual([t0]);
      });

      it('a crash between append and acknowledgement: durable exactly when flush resolved, never half a batch', async () => {
        const address = backend.address();
        const store = await openStore(address);
        store.appendBatch([intent(t0), intent(t0 + 1)]);
        await store.flush(); // acknowledged: durable
        store.appendBatch([intent(t0 + 2), intent(t0 + 3)]);
        // The process dies here; on SQLite the batch was already durable when appendBatch returned.
        if (store.backend === 'postgres') await dieWithoutFlush(store);
        else await closeStore(store);
        const after = await openStore(address, { readOnly: true, lock: false });
        const seqs = (await all(after)).map((e) => e.seq);
        expect(seqs).toEqual(store.durableOnAppend ? [1, 2, 3, 4] : [1, 2]);
      });
    },
  );
}

/** Ends the connections as a killed process would: what was not yet flushed is gone. */
async function dieWithoutFlush(store: JournalStore): Promise<void> {
  open.splice(open.indexOf(store), 1);
  const pool = (store as unknown as { pool: { end(): Promise<void> } }).pool;
  await pool.end();
}

describe.skipIf(pgMissing !== null)('the PostgreSQL account lease', () => {
  it('one holder at a time; a takeover after expiry fences the old holder: its appends are refused by the database', async () => {
    const address = (pgFixture as PostgresFixture).url('acct-lease');
    const a = await openJournalAt(address, options());
    const b = await openJournalAt(address, options());
    open.push(a, b);
    const aLease = await a.lease?.acquire('engine A', 1_000);
    expect(aLease?.ok).toBe(true);
    a.append(intent(t0));
    await a.flush();
    const refused = await b.lease?.acquire('engine B', 60_000);
    expect(refused).toEqual({ ok: false, heldBy: expect.objectContaining({ holder: 'engine A', token: 1 }) });
    await new Promise((r) => setTimeout(r, 1_200)); // A pauses past its lease
    const taken = await b.lease?.acquire('engine B', 60_000);
    expect(taken).toEqual({ ok: true, lease: expect.objectContaining({ holder: 'engine B', token: 2 }) });
    // A wakes up: its write is refused by the database, and so is its renewal.
    a.append(intent(t0 + 1));
    const fenced = await rejection(() => a.flush());
    expect(fenced.code).toBe('fenced');
    expect(fenced.message).toMatch(
      /lease token 1 is stale \(current 2\): another engine took the account over/,
    );
    expect(await a.lease?.renew(60_000)).toBe(false);
    expect(() => a.append(intent(t0 + 2))).toThrow(/stale/);
    // B continues the same journal: A's refused event is not in it.
    expect(b.lastSeq()).toBe(1);
    b.append(intent(t0 + 3));
    await b.flush();
    expect((await all(b)).map((e) => [e.seq, e.t])).toEqual([
      [1, t0],
      [2, t0 + 3],
    ]);
  });

  it('a direct insert with a stale token is refused by the database itself', async () => {
    const address = (pgFixture as PostgresFixture).url('acct-direct');
    const a = await openStore(address);
    expect(a.lease?.token).toBe(1);
    await expect(
      (pgFixture as PostgresFixture).sql(
        "INSERT INTO keel_events (journal, seq, type, v, t, data, token) VALUES ('acct-direct', 1, 'order.fill', 1, 0, 'null', 7)",
      ),
    ).rejects.toThrow(/lease token 7 is stale \(current 1\)/);
  });

  it('closing releases the lease at once; renewing keeps it', async () => {
    const address = (pgFixture as PostgresFixture).url('acct-release');
    const a = await openJournalAt(address, options());
    const b = await openJournalAt(address, options());
    open.push(b);
    expect((await a.lease?.acquire('engine A', 60_000))?.ok).toBe(true);
    expect(await a.lease?.renew(60_000)).toBe(true);
    expect((await b.lease?.acquire('engine B', 60_000))?.ok).toBe(false);
    await a.close();
    expect(await b.lease?.acquire('engine B', 60_000)).toEqual({
      ok: true,
      lease: expect.objectContaining({ holder: 'engine B', token: 2 }),
    });
  });
});
