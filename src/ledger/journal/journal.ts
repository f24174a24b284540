// The journal's contract, independent of where it is stored. The journal is keel's source of truth:
// an order intent is durable here before it reaches a venue, and every projection (ownership,
// orders, groups, budgets) is rebuilt from it on start. Storage knows events only as
// { type, v, t, data }; their meaning belongs to the ledger projections.

export type NewEvent = {
  /** Event type, e.g. "order.intent". Non-empty. */
  readonly type: string;
  /** Schema version of this event type's data, a positive integer. */
  readonly v: number;
  /** Epoch ms from the caller's injected clock; never before the previous event's t. */
  readonly t: number;
  /** JSON-serialisable payload that must round-trip through JSON unchanged. */
  readonly data: unknown;
};

export type StoredEvent = NewEvent & {
  /** Position in the journal: 1, 2, 3, ... with no gaps. */
  readonly seq: number;
};

/** Who held a journal's lock file; `since` is ISO 8601 from the holder's clock. */
export type LockHolder = {
  readonly pid: number;
  readonly host: string;
  readonly owner: string;
  readonly since: string;
};

export type JournalOptions = {
  /** Highest version keel understands per event type; an event of an unknown type or newer version stops replay. */
  readonly knownVersions: Readonly<Record<string, number>>;
  /** Who is opening it, for the lock file and error messages (e.g. "keel run ic-0dte.yaml"). */
  readonly owner: string;
  /** Current time in epoch ms from the caller's clock, recorded in the lock. */
  readonly nowMs: number;
  /** keel status/report: no lock, no writes, no migrations. Works while an engine holds the lock. */
  readonly readOnly?: boolean;
  /** Take the `${path}.lock` file; default true for writable journals. */
  readonly lock?: boolean;
  /**
   * Run `PRAGMA quick_check` when a writable journal opens; default true. It reads every page:
   * 0.3-0.5 s for a million events (230 MB) with a warm page cache (bench/journal.bench.ts), more
   * from a cold disk, so a caller that restarts often on a very large journal may turn it off.
   */
  readonly quickCheck?: boolean;
  /**
   * Test/sim hook: called after each successful commit with the new last seq. Crash injection
   * throws from here: the exception reaches the caller of append, the events stay durable, and the
   * "crashed" engine must close() the journal (as process death would) before it is reopened.
   */
  readonly afterAppend?: (seq: number) => void;
};

/**
 * The account lease of a journal a network database holds (one engine per account at a time). The
 * token rises at every takeover; every append carries it and the database refuses a stale one, so
 * an engine that was paused or cut off and wakes up can neither write nor, write-ahead, send.
 */
export type LeaseState = {
  readonly holder: string;
  readonly token: number;
  /** Epoch ms (the database's clock). */
  readonly expiresAt: number;
};

export type LeaseAttempt =
  { readonly ok: true; readonly lease: LeaseState } | { readonly ok: false; readonly heldBy: LeaseState };

export interface JournalLease {
  /** Takes the lease when it is free, expired, or already this holder's; else says who holds it. */
  acquire(holder: string, ttlMs: number): Promise<LeaseAttempt>;
  /** Extends this holder's lease; false when it was taken over (the engine must stop at once). */
  renew(ttlMs: number): Promise<boolean>;
  /** Who holds it now (null: nobody ever did). */
  current(): Promise<LeaseState | null>;
  /** The token appends carry (null before acquire). */
  readonly token: number | null;
}

/**
 * A projection checkpoint as stored beside the events (never among them): the seq of the last
 * event it covers, its header (JSON text: format, fold, time zone, checksum) and its data. Storage
 * neither reads nor trusts either; the ledger checks both before using them (projection/checkpoint.ts).
 */
export type StoredCheckpoint = { readonly seq: number; readonly header: string; readonly data: string };

/**
 * Where checkpoints are kept: one per journal, the newest. A checkpoint is a cache of the fold
 * over events 1..seq: replacing or losing it loses nothing the events do not hold.
 */
export interface CheckpointStore {
  /**
   * Keeps `checkpoint` in place of the one before, once events 1..seq are durable (at once on
   * SQLite; after them, under the same lease token, on PostgreSQL). Throws if the store failed.
   */
  writeCheckpoint(checkpoint: StoredCheckpoint): void;
  /** The newest checkpoint, unchecked; null when there is none. */
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
}

/**
 * The journal as any backend stores it (SQLite file, PostgreSQL database). Appends are
 * synchronous for the engine core, which stays free of I/O: they are checked and numbered at
 * once. Where they are durable only later (`durableOnAppend` false), the host awaits `flush()`
 * before it sends the commands they make durable: write-ahead holds on every backend.
 */
export interface JournalStore {
  readonly backend: 'sqlite' | 'postgres';
  /** Where it is, for messages: a path, or a URL without its password. */
  readonly location: string;
  readonly readOnly: boolean;
  readonly durableOnAppend: boolean;
  append(event: NewEvent): number;
  appendBatch(events: readonly NewEvent[]): number[];
  /** Everything appended so far is durable; rejects (fenced, io) if the store refused it. */
  flush(): Promise<void>;
  /** Events with seq >= fromSeq, page by page, each row checked as it is read. */
  pages(fromSeq?: number): AsyncIterable<readonly StoredEvent[]>;
  lastSeq(): number;
  /** The account lease (PostgreSQL); null where a lock file is the lease (SQLite: one host). */
  readonly lease: JournalLease | null;
  /** Projection checkpoints, in a table of their own beside the events. */
  readonly checkpoints: CheckpointStore;
  close(): void | Promise<void>;
}

export interface Journal extends JournalStore {
  readonly path: string;
  readonly readOnly: boolean;
  /** Set when opening took over a lock file left by a process that is gone; the caller should log it. */
  readonly recoveredStaleLock: LockHolder | null;
  /** One durable transaction (WAL, synchronous=FULL); returns the event's seq. */
  append(event: NewEvent): number;
  /** One durable transaction for all events (e.g. the fills of one execution report); returns their seqs. */
  appendBatch(events: readonly NewEvent[]): number[];
  /**
   * Events with seq >= fromSeq (default 1) up to the last seq at the time of the call, lazily, in
   * seq order. Each row is checked as it is read; the first bad row throws, it is never skipped.
   */
  read(fromSeq?: number): IterableIterator<StoredEvent>;
  /** 0 for an empty journal. */
  lastSeq(): number;
  /** Closes the database and releases the lock. Idempotent. */
  close(): void;
}
