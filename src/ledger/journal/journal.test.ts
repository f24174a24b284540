import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { InvariantError } from '../../domain';
import { JournalError, openJournal, schemaVersion } from './index';
import type { StoredEvent } from './index';
import {
  caught,
  intent,
  journalFixture,
  options,
  sideConnection,
  t0,
} from '../../../test/support/journal-fixture';

const fx = journalFixture();
afterEach(() => fx.cleanup());

const all = (events: Iterable<StoredEvent>) => [...events];

function expectJournalError(error: unknown, code: string, ...fragments: (string | RegExp)[]): JournalError {
  expect(error).toBeInstanceOf(JournalError);
  const journalError = error as JournalError;
  expect(journalError.code).toBe(code);
  for (const fragment of fragments) expect(journalError.message).toMatch(fragment);
  return journalError;
}

describe('append and read', () => {
  it('round-trips events with seq 1, 2, 3 in order', () => {
    const journal = fx.open(fx.path());
    expect(journal.lastSeq()).toBe(0);
    expect(journal.append(intent(t0))).toBe(1);
    expect(
      journal.append({ type: 'trading.state', v: 1, t: t0, data: { state: 'HALTED', reason: 'x' } }),
    ).toBe(2);
    expect(journal.append({ type: 'order.fill', v: 1, t: t0 + 5, data: null })).toBe(3);
    expect(journal.lastSeq()).toBe(3);
    expect(all(journal.read())).toEqual([
      { seq: 1, ...intent(t0) },
      { seq: 2, type: 'trading.state', v: 1, t: t0, data: { state: 'HALTED', reason: 'x' } },
      { seq: 3, type: 'order.fill', v: 1, t: t0 + 5, data: null },
    ]);
    expect(all(journal.read(3)).map((e) => e.seq)).toEqual([3]);
    expect(all(journal.read(4))).toEqual([]);
  });

  it('appends a batch in one transaction and reads across page boundaries', () => {
    const journal = fx.open(fx.path());
    journal.append(intent(t0));
    const batch = Array.from({ length: 2_500 }, (_, i) => ({
      type: 'order.fill',
      v: 1,
      t: t0 + i,
      data: { i },
    }));
    const seqs = journal.appendBatch(batch);
    expect(seqs).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 2));
    expect(journal.appendBatch([])).toEqual([]);
    const events = all(journal.read());
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2_501 }, (_, i) => i + 1));
    expect(events[2_500]).toEqual({
      seq: 2_501,
      type: 'order.fill',
      v: 1,
      t: t0 + 2_499,
      data: { i: 2_499 },
    });
  });

  it('reads lazily up to the last seq at the time of the call, even while appending', () => {
    const journal = fx.open(fx.path());
    journal.appendBatch(Array.from({ length: 1_500 }, () => intent(t0)));
    const reader = journal.read();
    expect(reader.next().value).toMatchObject({ seq: 1 });
    journal.append(intent(t0 + 1)); // the connection is not pinned by the open reader
    expect(1 + all(reader).length).toBe(1_500);
    expect(journal.lastSeq()).toBe(1_501);
  });

  it('keeps everything across close and reopen, and continues the seq', () => {
    const path = fx.path();
    const first = openJournal(path, options());
    first.appendBatch([intent(t0), intent(t0 + 1)]);
    first.close();
    first.close(); // idempotent
    const second = fx.open(path);
    expect(second.lastSeq()).toBe(2);
    expect(second.append(intent(t0 + 2))).toBe(3);
    expect(all(second.read()).map((e) => [e.seq, e.t])).toEqual([
      [1, t0],
      [2, t0 + 1],
      [3, t0 + 2],
    ]);
  });

  it('supports :memory: without a lock file', () => {
    const a = fx.open(':memory:');
    const b = fx.open(':memory:'); // separate databases, so no in-process guard either
    a.append(intent(t0));
    expect(a.lastSeq()).toBe(1);
    expect(b.lastSeq()).toBe(0);
    expect(a.recoveredStaleLock).toBeNull();
  });

  it('uses WAL with synchronous=FULL and records the schema version and format', () => {
    const path = fx.path();
    fx.open(path).append(intent(t0));
    sideConnection(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
      expect(db.prepare("SELECT value FROM keel_meta WHERE key = 'format'").pluck().get()).toBe(
        'keel-journal',
      );
    });
  });
});

describe('append refuses what replay could not take back', () => {
  it('refuses an empty type, a bad version, a non-integer or backwards t, naming the event', () => {
    const journal = fx.open(fx.path());
    journal.append(intent(t0 + 10));
    const refuse = (event: Parameters<typeof journal.append>[0], ...fragments: (string | RegExp)[]) =>
      expectJournalError(
        caught(() => journal.append(event)),
        'bad-event',
        ...fragments,
      );
    refuse({ type: '', v: 1, t: t0 + 10, data: {} }, /type must be a non-empty string/);
    refuse({ type: 'order.fill', v: 0, t: t0 + 10, data: {} }, /v must be a positive integer, got 0/);
    refuse({ type: 'order.fill', v: 1, t: Infinity, data: {} }, /t must be an integer epoch ms/);
    refuse(
      { type: 'order.fill', v: 1, t: t0 + 9, data: {} },
      /before the previous event's t/,
      /"order.fill"/,
    );
    refuse({ type: 'order.cancel', v: 1, t: t0 + 10, data: {} }, /"order.cancel" is unknown/);
    refuse({ type: 'order.intent', v: 3, t: t0 + 10, data: {} }, /version 3 is newer/);
    expect(journal.lastSeq()).toBe(1);
  });

  it('refuses NaN and undefined in data with the event type and field path', () => {
    const journal = fx.open(fx.path());
    const nan = caught(() =>
      journal.append({ type: 'order.fill', v: 1, t: t0, data: { fills: [{ price: NaN }] } }),
    );
    expectJournalError(nan, 'bad-event', /"order.fill"/, /data.fills\[0\].price is NaN/);
    const undef = caught(() => journal.append({ type: 'order.fill', v: 1, t: t0, data: undefined }));
    expectJournalError(undef, 'bad-event', /data is undefined/);
    expect(journal.lastSeq()).toBe(0);
    expect(journal.append(intent(t0))).toBe(1); // a refusal does not poison the journal
  });

  it('writes nothing of a batch with one bad event', () => {
    const journal = fx.open(fx.path());
    const error = caught(() =>
      journal.appendBatch([intent(t0), { type: 'order.fill', v: 1, t: t0, data: { qty: NaN } }, intent(t0)]),
    );
    expectJournalError(error, 'bad-event', /#2 of a batch of 3; nothing in the batch was written/);
    expect(journal.lastSeq()).toBe(0);
  });

  it('a batch of several INSERT statements is still one transaction: all of it or none', () => {
    const journal = fx.open(fx.path());
    const batch = (bad: number | null) =>
      Array.from({ length: 250 }, (_, i) =>
        i === bad ? { type: 'order.fill', v: 1, t: t0, data: { qty: NaN } } : intent(t0 + i, i + 1),
      );
    expectJournalError(
      caught(() => journal.appendBatch(batch(220))),
      'bad-event',
      /#221 of a batch of 250; nothing in the batch was written/,
    );
    expect(journal.lastSeq()).toBe(0);
    expect(journal.appendBatch(batch(null))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(all(journal.read()).map((e) => [e.seq, e.t, (e.data as { qty: number }).qty])).toEqual(
      Array.from({ length: 250 }, (_, i) => [i + 1, t0 + i, i + 1]),
    );
  });

  it('checks the clock inside a batch and against the stored tail after reopen', () => {
    const path = fx.path();
    const first = openJournal(path, options());
    first.append(intent(t0 + 100));
    first.close();
    const journal = fx.open(path);
    expectJournalError(
      caught(() => journal.append(intent(t0 + 99))),
      'bad-event',
      /t 1771000000099 is before/,
    );
    expectJournalError(
      caught(() => journal.appendBatch([intent(t0 + 101), intent(t0 + 100)])),
      'bad-event',
      /#2 of a batch/,
    );
  });

  it('has no way to update or delete: the database refuses it too', () => {
    const path = fx.path();
    fx.open(path).append(intent(t0));
    sideConnection(path, (db) => {
      expect(() => db.exec('UPDATE events SET t = 0')).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
      expect(() => db.exec("INSERT INTO events VALUES (2, 'x', 1, 'soon', '{}')")).toThrow(
        /cannot store TEXT/,
      );
    });
  });

  it('refuses misuse loudly: append on a closed or read-only journal', () => {
    const path = fx.path();
    const journal = openJournal(path, options());
    journal.close();
    expect(() => journal.append(intent(t0))).toThrow(InvariantError);
    const reader = fx.open(path, { readOnly: true });
    expect(() => reader.append(intent(t0))).toThrow(/read-only/);
  });
});

describe('storage failure', () => {
  it('turns a failed commit into an io error and refuses every later append until reopened', () => {
    const path = fx.path();
    // Only a rogue writer can make the engine's commit fail short of a disk error: lock: false lets one in.
    const journal = fx.open(path, { lock: false });
    journal.append(intent(t0));
    sideConnection(path, (db) => {
      db.exec('BEGIN IMMEDIATE');
      expectJournalError(
        caught(() => journal.append(intent(t0))),
        'io',
        path,
        /SQLITE_BUSY/,
      );
      db.exec('ROLLBACK');
    });
    expectJournalError(
      caught(() => journal.append(intent(t0))),
      'io',
      /failed earlier/,
      /restart keel/,
    );
    journal.close();
    const reopened = fx.open(path);
    expect(reopened.append(intent(t0))).toBe(2);
  });
});

describe('afterAppend (crash injection)', () => {
  it('is called once per commit with the last seq', () => {
    const seen: number[] = [];
    const journal = fx.open(fx.path(), { afterAppend: (seq) => seen.push(seq) });
    journal.append(intent(t0));
    journal.appendBatch([intent(t0), intent(t0), intent(t0)]);
    expect(seen).toEqual([1, 4]);
  });

  it('propagates an exception thrown after the commit, and the event stays durable', () => {
    const path = fx.path();
    const crash = new Error('injected crash after seq 2');
    const journal = openJournal(
      path,
      options({
        afterAppend: (seq) => {
          if (seq === 2) throw crash;
        },
      }),
    );
    journal.append(intent(t0));
    expect(() => journal.append(intent(t0 + 1))).toThrow(crash);
    journal.close(); // the "process" dies
    const restarted = fx.open(path);
    expect(all(restarted.read()).map((e) => e.seq)).toEqual([1, 2]);
  });
});

describe('schema', () => {
  it('migrates an empty file into a journal', () => {
    const path = fx.path();
    writeFileSync(path, '');
    const journal = fx.open(path);
    expect(journal.append(intent(t0))).toBe(1);
  });

  it('refuses a journal written with a newer schema, naming both versions and the fix', () => {
    const path = fx.path();
    openJournal(path, options()).close();
    sideConnection(path, (db) => db.pragma(`user_version = ${schemaVersion + 1}`));
    const before = readFileSync(path);
    const error = expectJournalError(
      caught(() => fx.open(path)),
      'newer-schema',
      path,
      `schema version ${schemaVersion + 1}`,
      `(${schemaVersion})`,
      /upgrade keel/,
    );
    expect(error.file).toBe(path);
    expectJournalError(
      caught(() => fx.open(path, { readOnly: true })),
      'newer-schema',
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a SQLite database that is not a keel journal, and leaves it untouched', () => {
    const path = fx.path('accounts.sqlite');
    sideConnection(path, (db) => db.exec('CREATE TABLE trades (id INTEGER PRIMARY KEY, symbol TEXT)'));
    const before = readFileSync(path);
    expectJournalError(
      caught(() => fx.open(path)),
      'not-a-journal',
      path,
      /no keel_meta table; it holds trades/,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    sideConnection(path, (db) => {
      db.exec(
        "CREATE TABLE keel_meta (key TEXT, value TEXT); INSERT INTO keel_meta VALUES ('format', 'other')",
      );
    });
    expectJournalError(
      caught(() => fx.open(path)),
      'not-a-journal',
      /format marker is "other"/,
    );
  });

  it('refuses a read-only open of an empty or missing file', () => {
    const path = fx.path();
    expectJournalError(
      caught(() => fx.open(path, { readOnly: true })),
      'io',
      /no journal at/,
    );
    writeFileSync(path, '');
    expectJournalError(
      caught(() => fx.open(path, { readOnly: true })),
      'not-a-journal',
      /empty database/,
    );
  });
});

describe('damage', () => {
  const fixText = /restore it from backup; keel never starts on partial state/;

  it('refuses a file of random bytes', () => {
    const path = fx.path();
    writeFileSync(path, randomBytes(64 * 1024));
    expectJournalError(
      caught(() => fx.open(path)),
      'corrupt',
      path,
      /file is not a database/,
      fixText,
    );
    expectJournalError(
      caught(() => fx.open(path, { readOnly: true })),
      'corrupt',
    );
  });

  it('refuses a real journal truncated mid-file, on open and on a read-only read', () => {
    const path = fx.path();
    const journal = openJournal(path, options());
    for (let i = 0; i < 20; i++)
      journal.appendBatch(Array.from({ length: 500 }, (_, j) => intent(t0 + i, j)));
    journal.close(); // checkpoints the WAL into the file
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectJournalError(
      caught(() => fx.open(path)),
      'corrupt',
      path,
      fixText,
    );
    const error = caught(() => {
      const reader = fx.open(path, { readOnly: true });
      all(reader.read());
    });
    expectJournalError(error, 'corrupt', path, fixText);
  });

  it('refuses a row whose data is not JSON, naming file, seq and type, and never skips it', () => {
    const path = fx.path();
    const journal = fx.open(path);
    journal.appendBatch([intent(t0), intent(t0)]);
    sideConnection(path, (db) =>
      db.exec(`INSERT INTO events VALUES (3, 'order.fill', 1, ${t0}, '{"qty": 1,')`),
    );
    journal.append(intent(t0));
    const seen: number[] = [];
    const error = caught(() => {
      for (const event of journal.read()) seen.push(event.seq);
    });
    const journalError = expectJournalError(
      error,
      'bad-event',
      path,
      /event seq 3/,
      /"order.fill"/,
      /not valid JSON/,
    );
    expect(journalError.seq).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('refuses an unknown event type or a newer version, naming seq, type and version', () => {
    const path = fx.path();
    fx.open(path).append(intent(t0));
    sideConnection(path, (db) => {
      db.exec(`INSERT INTO events VALUES (2, 'order.intent', 3, ${t0}, '{}')`);
      db.exec(`INSERT INTO events VALUES (3, 'venue.margin', 1, ${t0}, '{}')`);
    });
    const reader = fx.open(path, { readOnly: true });
    const newer = expectJournalError(
      caught(() => all(reader.read())),
      'unknown-event',
      path,
      /event seq 2/,
      /"order.intent" version 3/,
      /written by a newer keel\?/,
    );
    expect(newer.seq).toBe(2);
    expectJournalError(
      caught(() => all(reader.read(3))),
      'unknown-event',
      /event seq 3 has type "venue.margin" version 1/,
      /unknown to this keel/,
    );
  });

  it('refuses a gap in seq and a clock going backwards in stored rows', () => {
    const path = fx.path();
    fx.open(path).append(intent(t0 + 5));
    sideConnection(path, (db) => {
      db.exec(`INSERT INTO events VALUES (2, 'order.fill', 1, ${t0}, '{}')`);
      db.exec(`INSERT INTO events VALUES (4, 'order.fill', 1, ${t0 + 9}, '{}')`);
    });
    const reader = fx.open(path, { readOnly: true });
    expectJournalError(
      caught(() => all(reader.read())),
      'bad-event',
      /event seq 2/,
      /before the previous event's t/,
    );
    expectJournalError(
      caught(() => all(reader.read(2))),
      'corrupt',
      /event seq 3 is missing \(next stored is 4\)/,
    );
  });

  it('checks a row of a type already read as fully as the first: clock, gap, version', () => {
    const path = fx.path();
    fx.open(path).appendBatch([intent(t0 + 5), intent(t0 + 5)]);
    sideConnection(path, (db) => {
      db.exec(`INSERT INTO events VALUES (3, 'order.intent', 2, ${t0}, '{}')`);
      db.exec(`INSERT INTO events VALUES (4, 'order.intent', 2, ${t0 + 9}, '{}')`);
      db.exec(`INSERT INTO events VALUES (6, 'order.intent', 3, ${t0 + 9}, '{}')`);
    });
    const reader = fx.open(path, { readOnly: true });
    const seen: number[] = [];
    const backwards = caught(() => {
      for (const event of reader.read()) seen.push(event.seq);
    });
    expectJournalError(backwards, 'bad-event', /event seq 3/, /before the previous event's t/);
    expect(seen).toEqual([1, 2]);
    expectJournalError(
      caught(() => all(reader.read(4))),
      'corrupt',
      /event seq 5 is missing \(next stored is 6\)/,
    );
    expectJournalError(
      caught(() => all(reader.read(6))),
      'unknown-event',
      /event seq 6 has type "order.intent" version 3/,
    );
  });
});
