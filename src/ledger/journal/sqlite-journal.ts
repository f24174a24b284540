// The SQLite journal: one file in WAL mode with synchronous=FULL, so a returned seq means the
// event survives a crash or power loss. One writer per journal (lock-file.ts); any number of
// read-only readers, which WAL lets run beside the writer.
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { assert } from '../../domain';
import { checkNewEvent, envelopeProblem, versionProblem } from './event-check';
import { corruptError, fromSqliteError, JournalError } from './journal-error';
import type {
  CheckpointStore,
  Journal,
  JournalOptions,
  LockHolder,
  NewEvent,
  StoredCheckpoint,
  StoredEvent,
} from './journal';
import { acquireLockFile, claimInProcess } from './lock-file';
import type { LockFile } from './lock-file';
import { inspectSchema, migrate, schemaVersion } from './schema';

/** Bound on one appendBatch: far above any execution report, low enough to keep one transaction sane. */
export const appendBatchEventsMax = 100_000;
/** Rows per INSERT statement of a batch (5 parameters each, far below SQLite's 32,766). */
const insertRowsMax = 100;
/** Rows fetched per query while reading; the connection is free between pages, so a reader never pins it. */
const readPageEvents = 1_000;
/** Problems quick_check lists before stopping. */
const quickCheckProblemsMax = 5;

const restoreFix = 'restore it from backup; keel never starts on partial state';

type Row = [seq: unknown, type: unknown, v: unknown, t: unknown, data: unknown];
/**
 * A type name as the key string of knownVersions (V8 compares it with the projection's string
 * literals by pointer, unlike a fresh string per row) and its highest known version.
 */
type CheckedType = { readonly name: string; readonly known: number };

export function openJournal(path: string, options: JournalOptions): Journal {
  checkOptions(path, options);
  if (options.readOnly === true) return openReadOnly(path, options);
  if (path === ':memory:') return openWritable(path, options, null, () => undefined);
  const resolved = resolveJournalPath(path);
  const releaseClaim = claimInProcess(resolved, path, options.owner);
  let lock: LockFile | null = null;
  try {
    lock = options.lock === false ? null : acquireLockFile(resolved, options.owner, options.nowMs);
    const held = lock;
    return openWritable(path, options, held?.recoveredStale ?? null, () => {
      held?.release();
      releaseClaim();
    });
  } catch (error) {
    lock?.release();
    releaseClaim();
    throw error;
  }
}

function checkOptions(path: string, options: JournalOptions): void {
  assert(path.length > 0, 'journal path must not be empty');
  assert(options.owner.length > 0, 'journal owner must not be empty');
  assert(Number.isSafeInteger(options.nowMs), `journal nowMs must be integer epoch ms, got ${options.nowMs}`);
  assert(!(path === ':memory:' && options.readOnly === true), 'a read-only :memory: journal is always empty');
  for (const [type, v] of Object.entries(options.knownVersions)) {
    assert(
      Number.isSafeInteger(v) && v >= 1,
      `knownVersions["${type}"] must be a positive integer, got ${v}`,
    );
  }
}

/** The journal's real path (symlinks resolved), so one journal has one lock however it is named. */
function resolveJournalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return existsSync(absolute)
      ? realpathSync(absolute)
      : join(realpathSync(dirname(absolute)), basename(absolute));
  } catch (cause) {
    throw new JournalError('io', path, `journal ${path}: cannot resolve its folder (${String(cause)})`, {
      cause,
    });
  }
}

function openDatabase(path: string, readOnly: boolean): BetterSqlite3.Database {
  try {
    return new Database(path, { readonly: readOnly, fileMustExist: readOnly });
  } catch (error) {
    throw fromSqliteError(error, path, 'opening it');
  }
}

function openReadOnly(path: string, options: JournalOptions): Journal {
  if (!existsSync(path)) {
    throw new JournalError(
      'io',
      path,
      `no journal at ${path}: check the path (read-only opens never create one)`,
    );
  }
  const db = openDatabase(path, true);
  try {
    const state = inspectSchema(db);
    if (state.kind === 'empty') throw notAJournal(path, 'it is an empty database');
    const version = checkedVersion(path, state);
    if (version < schemaVersion) {
      throw new JournalError(
        'older-schema',
        path,
        `journal ${path} has schema version ${version} and this keel reads ${schemaVersion}: ` +
          'open it once with a writable keel command (keel run) to migrate it, or use the keel that wrote it',
      );
    }
    return new SqliteJournal(path, db, options, true, null, () => undefined);
  } catch (error) {
    db.close();
    throw fromSqliteError(error, path, 'opening it read-only');
  }
}

function openWritable(
  path: string,
  options: JournalOptions,
  recoveredStaleLock: LockHolder | null,
  release: () => void,
): Journal {
  const db = openDatabase(path, false);
  try {
    const state = inspectSchema(db); // before any write: a foreign or newer file is left untouched
    const version = state.kind === 'empty' ? 0 : checkedVersion(path, state);
    const memory = path === ':memory:';
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    assert(mode === (memory ? 'memory' : 'wal'), `journal_mode is ${String(mode)}, expected wal`);
    db.pragma('synchronous = FULL');
    assert(db.pragma('synchronous', { simple: true }) === 2, 'synchronous must be FULL (2)');
    if (version < schemaVersion) migrate(db, version);
    const after = inspectSchema(db);
    assert(after.kind === 'journal' && after.version === schemaVersion, 'schema is current after migration');
    if (!memory && options.quickCheck !== false) quickCheck(db, path);
    if (!memory && state.kind === 'empty') syncFolder(path);
    return new SqliteJournal(path, db, options, false, recoveredStaleLock, release);
  } catch (error) {
    db.close();
    throw fromSqliteError(error, path, 'opening it');
  }
}

function checkedVersion(path: string, state: ReturnType<typeof inspectSchema>): number {
  switch (state.kind) {
    case 'empty':
      throw notAJournal(path, 'it is an empty database');
    case 'foreign':
      throw notAJournal(path, state.why);
    case 'damaged':
      throw corruptError(path, state.why);
    case 'journal':
      if (state.version > schemaVersion) {
        throw new JournalError(
          'newer-schema',
          path,
          `journal ${path} has schema version ${state.version}, newer than this keel supports ` +
            `(${schemaVersion}): upgrade keel to open it. The file was not changed.`,
        );
      }
      return state.version;
  }
}

function notAJournal(path: string, why: string): JournalError {
  return new JournalError(
    'not-a-journal',
    path,
    `${path} is not a keel journal (${why}): check the path; keel does not write into other files`,
  );
}

/** PRAGMA quick_check reads every page: damage found now stops keel before it acts on partial state. */
function quickCheck(db: BetterSqlite3.Database, path: string): void {
  const result = db.prepare(`PRAGMA quick_check(${quickCheckProblemsMax})`).pluck().all();
  if (result.length === 1 && result[0] === 'ok') return;
  throw corruptError(path, `quick_check: ${result.map(String).join('; ')}`);
}

/** A new file's directory entry must be durable too, or a power loss can lose the whole journal. */
function syncFolder(path: string): void {
  const fd = openSync(dirname(resolve(path)), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class SqliteJournal implements Journal {
  readonly backend = 'sqlite';
  /** Each append is its own durable transaction: commands may go out as soon as it returns. */
  readonly durableOnAppend = true;
  /** The lock file is the lease: one engine per journal file, on one host. */
  readonly lease = null;
  private closed = false;
  /** Set by the first storage failure on a writable journal; it then refuses every append. */
  private failure: JournalError | null = null;
  private readonly insertEvent: BetterSqlite3.Statement | null;
  private readonly lastEvent: BetterSqlite3.Statement;
  private readonly eventPage: BetterSqlite3.Statement;
  private readonly writeBatch: BetterSqlite3.Transaction<(events: readonly NewEvent[]) => number[]>;
  private readonly replaceCheckpoint: BetterSqlite3.Transaction<(cp: StoredCheckpoint) => void> | null;
  private readonly newestCheckpoint: BetterSqlite3.Statement;
  readonly checkpoints: CheckpointStore;
  /** Multi-row INSERTs by row count (insertRows). */
  private readonly insertStatements = new Map<number, BetterSqlite3.Statement>();
  /** Types that passed the full row check once: a row of one of them needs only its numbers checked. */
  private readonly checkedTypes = new Map<string, CheckedType>();

  constructor(
    readonly path: string,
    private readonly db: BetterSqlite3.Database,
    private readonly options: JournalOptions,
    readonly readOnly: boolean,
    readonly recoveredStaleLock: LockHolder | null,
    private readonly release: () => void,
  ) {
    this.insertEvent = readOnly
      ? null
      : db.prepare('INSERT INTO events (seq, type, v, t, data) VALUES (?, ?, ?, ?, ?)');
    this.lastEvent = db.prepare('SELECT seq, t FROM events ORDER BY seq DESC LIMIT 1').raw();
    this.eventPage = db
      .prepare('SELECT seq, type, v, t, data FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?')
      .raw();
    this.writeBatch = db.transaction((events: readonly NewEvent[]) => this.insertAll(events));
    const insertCheckpoint = readOnly
      ? null
      : db.prepare('INSERT OR REPLACE INTO checkpoints (seq, header, data) VALUES (?, ?, ?)');
    const dropOlder = readOnly ? null : db.prepare('DELETE FROM checkpoints WHERE seq <> ?');
    this.replaceCheckpoint =
      insertCheckpoint === null || dropOlder === null
        ? null
        : db.transaction((cp: StoredCheckpoint) => {
            const last = (this.lastEvent.get() as [number, number] | undefined)?.[0] ?? 0;
            assert(cp.seq <= last, `checkpoint of event ${cp.seq} beyond the journal's last event ${last}`);
            insertCheckpoint.run(cp.seq, cp.header, cp.data);
            dropOlder.run(cp.seq);
          });
    this.newestCheckpoint = db
      .prepare('SELECT seq, header, data FROM checkpoints ORDER BY seq DESC LIMIT 1')
      .raw();
    this.checkpoints = {
      writeCheckpoint: (cp) => this.writeCheckpoint(cp),
      latestCheckpoint: () => Promise.resolve(this.latestCheckpoint()),
    };
  }

  /** One durable transaction: the new checkpoint in, the one before out. */
  private writeCheckpoint(cp: StoredCheckpoint): void {
    assert(!this.closed, `journal ${this.path} is closed`);
    assert(this.replaceCheckpoint !== null, `journal ${this.path} is open read-only`);
    if (this.failure !== null) throw this.failedEarlier();
    try {
      this.replaceCheckpoint.immediate(cp);
    } catch (error) {
      throw this.storageFailure(error, 'writing a checkpoint');
    }
  }

  private latestCheckpoint(): StoredCheckpoint | null {
    assert(!this.closed, `journal ${this.path} is closed`);
    const row = this.query(
      () => this.newestCheckpoint.get() as [unknown, unknown, unknown] | undefined,
      'reading the newest checkpoint',
    );
    if (row === undefined) return null;
    const [seq, header, data] = row;
    if (typeof seq !== 'number' || typeof header !== 'string' || typeof data !== 'string')
      throw new JournalError(
        'corrupt',
        this.path,
        `journal ${this.path}: its checkpoint row has mistyped columns`,
      );
    return { seq, header, data };
  }

  append(event: NewEvent): number {
    const [seq] = this.appendBatch([event]);
    assert(seq !== undefined, 'append returns one seq');
    return seq;
  }

  appendBatch(events: readonly NewEvent[]): number[] {
    assert(!this.closed, `journal ${this.path} is closed`);
    assert(!this.readOnly, `journal ${this.path} is open read-only`);
    assert(
      events.length <= appendBatchEventsMax,
      `batch of ${events.length} events > ${appendBatchEventsMax}`,
    );
    if (this.failure !== null) throw this.failedEarlier();
    if (events.length === 0) return [];
    let seqs: number[];
    try {
      seqs = this.writeBatch.immediate(events);
    } catch (error) {
      throw this.storageFailure(error, 'appending');
    }
    const lastSeq = seqs[seqs.length - 1];
    assert(lastSeq !== undefined && seqs.length === events.length, 'one seq per appended event');
    // Durable from here on: an exception from the hook (crash injection) leaves the events in place.
    this.options.afterAppend?.(lastSeq);
    return seqs;
  }

  /**
   * Runs inside the write transaction: seq and the clock check see the committed tail. Every event
   * is checked before any is inserted; a batch goes in as multi-row INSERTs of up to
   * insertRowsMax rows (one statement step per chunk instead of per row).
   */
  private insertAll(events: readonly NewEvent[]): number[] {
    assert(this.insertEvent !== null, 'writable journal has an insert statement');
    const tail = this.lastEvent.get() as [number, number] | undefined;
    const first = (tail?.[0] ?? 0) + 1;
    let previousT = tail?.[1] ?? null;
    const n = events.length;
    const params: unknown[] = new Array<unknown>(n * 5);
    const seqs: number[] = new Array<number>(n);
    for (let index = 0; index < n; index++) {
      const event = events[index] as NewEvent;
      const checked = checkNewEvent(event, previousT, this.options.knownVersions);
      if ('problem' in checked) throw this.refusedEvent(event, index, n, checked.problem);
      const seq = first + index;
      const at = index * 5;
      params[at] = seq;
      params[at + 1] = event.type;
      params[at + 2] = event.v;
      params[at + 3] = event.t;
      params[at + 4] = checked.dataJson;
      seqs[index] = seq;
      previousT = event.t;
    }
    for (let from = 0; from < n; from += insertRowsMax) {
      const rows = Math.min(insertRowsMax, n - from);
      const chunk = from === 0 && rows === n ? params : params.slice(from * 5, (from + rows) * 5);
      (rows === 1 ? this.insertEvent : this.insertRows(rows)).run(...chunk);
    }
    return seqs;
  }

  /** INSERT of `rows` events in one statement, prepared once per row count. */
  private insertRows(rows: number): BetterSqlite3.Statement {
    let statement = this.insertStatements.get(rows);
    if (statement === undefined) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(`INSERT INTO events (seq, type, v, t, data) VALUES ${values}`);
      this.insertStatements.set(rows, statement);
    }
    return statement;
  }

  get location(): string {
    return this.path;
  }

  /** Appends are durable on return: nothing is ever waiting. */
  flush(): Promise<void> {
    return this.failure === null ? Promise.resolve() : Promise.reject(this.failedEarlier());
  }

  async *pages(fromSeq = 1): AsyncGenerator<readonly StoredEvent[], void, undefined> {
    let page: StoredEvent[] = [];
    for (const event of this.read(fromSeq)) {
      page.push(event);
      if (page.length === readPageEvents) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  read(fromSeq = 1): IterableIterator<StoredEvent> {
    assert(
      Number.isSafeInteger(fromSeq) && fromSeq >= 1,
      `read fromSeq must be a positive integer, got ${fromSeq}`,
    );
    return this.readRange(fromSeq, this.lastSeq());
  }

  private *readRange(fromSeq: number, untilSeq: number): Generator<StoredEvent, void, undefined> {
    let expected = fromSeq;
    let previousT: number | null = null;
    while (expected <= untilSeq) {
      assert(!this.closed, `journal ${this.path} was closed while being read`);
      const rows = this.query(
        () => this.eventPage.all(expected, untilSeq, readPageEvents) as Row[],
        'reading',
      );
      if (rows.length === 0)
        throw corruptError(this.path, `events ${expected}..${untilSeq} are missing`, expected);
      for (let i = 0; i < rows.length; i++) {
        const event = this.decode(rows[i] as Row, expected, previousT);
        previousT = event.t;
        expected += 1;
        yield event;
      }
    }
  }

  /**
   * The replay side of checkNewEvent: the first row that fails stops the read. A row whose type
   * has already passed the full check needs only its numbers checked (the common case).
   */
  private decode(row: Row, expectedSeq: number, previousT: number | null): StoredEvent {
    const seq = row[0];
    const type = row[1];
    const v = row[2];
    const t = row[3];
    const data = row[4];
    let checked = typeof type === 'string' ? this.checkedTypes.get(type) : undefined;
    if (
      seq !== expectedSeq ||
      checked === undefined ||
      !Number.isSafeInteger(v) ||
      (v as number) < 1 ||
      (v as number) > checked.known ||
      !Number.isSafeInteger(t) ||
      (previousT !== null && (t as number) < previousT) ||
      typeof data !== 'string'
    ) {
      checked = this.checkRow(row, expectedSeq, previousT);
    }
    try {
      return {
        seq: expectedSeq,
        type: checked.name,
        v: v as number,
        t: t as number,
        data: JSON.parse(data as string) as unknown,
      };
    } catch (error) {
      throw this.badRow(expectedSeq, type, `data is not valid JSON (${String(error)})`);
    }
  }

  /** Every check on one row, with the message that names it; remembers a type that passes. */
  private checkRow(row: Row, expectedSeq: number, previousT: number | null): CheckedType {
    const [seq, type, v, t, data] = row;
    if (seq !== expectedSeq) {
      throw corruptError(
        this.path,
        `event seq ${expectedSeq} is missing (next stored is ${String(seq)})`,
        expectedSeq,
      );
    }
    const envelope = envelopeProblem({ type, v, t }, previousT);
    if (envelope !== null) throw this.badRow(expectedSeq, type, envelope);
    const [typeName, version] = [type as string, v as number];
    const versionIssue = versionProblem(typeName, version, this.options.knownVersions);
    if (versionIssue !== null) {
      throw new JournalError(
        'unknown-event',
        this.path,
        `journal ${this.path}: event seq ${expectedSeq} has type "${typeName}" version ${version}: ` +
          `${versionIssue}; written by a newer keel? Upgrade keel to replay this journal`,
        { seq: expectedSeq },
      );
    }
    if (typeof data !== 'string')
      throw this.badRow(expectedSeq, type, `data is a ${typeof data}, not JSON text`);
    const name = Object.keys(this.options.knownVersions).find((key) => key === typeName);
    const known = this.options.knownVersions[typeName];
    assert(name !== undefined && known !== undefined, 'a type that passed versionProblem is known');
    const checked = { name, known };
    this.checkedTypes.set(typeName, checked);
    return checked;
  }

  lastSeq(): number {
    assert(!this.closed, `journal ${this.path} is closed`);
    const tail = this.query(
      () => this.lastEvent.get() as [number, number] | undefined,
      'reading the last seq',
    );
    return tail?.[0] ?? 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } finally {
      this.release();
    }
  }

  private query<T>(run: () => T, doing: string): T {
    try {
      return run();
    } catch (error) {
      throw fromSqliteError(error, this.path, doing);
    }
  }

  /** After a failed write nothing the disk says can be trusted in this process (an fsync error may be sticky). */
  private storageFailure(error: unknown, doing: string): unknown {
    const translated = fromSqliteError(error, this.path, doing);
    if (translated instanceof JournalError && (translated.code === 'io' || translated.code === 'corrupt')) {
      this.failure = translated;
    }
    return translated;
  }

  private failedEarlier(): JournalError {
    assert(this.failure !== null, 'failedEarlier only after a failure');
    return new JournalError(
      'io',
      this.path,
      `journal ${this.path} failed earlier (${this.failure.message}); it accepts no more events: ` +
        'restart keel, which rebuilds its state from what is durable',
      { cause: this.failure },
    );
  }

  private refusedEvent(event: NewEvent, index: number, count: number, problem: string): JournalError {
    const which =
      count === 1 ? '' : ` (#${index + 1} of a batch of ${count}; nothing in the batch was written)`;
    return new JournalError(
      'bad-event',
      this.path,
      `journal ${this.path}: refusing to append event type ${JSON.stringify(event.type)}${which}: ${problem}`,
    );
  }

  private badRow(seq: number, type: unknown, problem: string): JournalError {
    return new JournalError(
      'bad-event',
      this.path,
      `journal ${this.path}: event seq ${seq} (type ${JSON.stringify(type)}) is invalid: ${problem}; ${restoreFix}`,
      { seq },
    );
  }
}
