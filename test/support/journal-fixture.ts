// Shared by the journal tests: temp folders, default options, and a side connection for crafting
// what keel itself would never write.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../../src/ledger/journal/sqlite-journal';
import type { Journal, JournalOptions, NewEvent } from '../../src/ledger/journal/journal';

export const t0 = 1_771_000_000_000; // 2026-02-13, a fixed test clock

export const knownVersions = { 'order.intent': 2, 'order.fill': 1, 'trading.state': 1 };

export function options(extra: Partial<JournalOptions> = {}): JournalOptions {
  return { knownVersions, owner: 'keel test', nowMs: t0, ...extra };
}

export function intent(t: number, qty = 1): NewEvent {
  return {
    type: 'order.intent',
    v: 2,
    t,
    data: { clientOrderId: `k-${t}-${qty}`, qty, legs: [{ ratio: 1 }] },
  };
}

/** A temp folder and a journal factory that closes everything it opened. */
export function journalFixture() {
  const dirs: string[] = [];
  const opened: Journal[] = [];
  return {
    dir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
      dirs.push(dir);
      return dir;
    },
    path(name = 'journal.db'): string {
      return join(this.dir(), name);
    },
    open(path: string, extra: Partial<JournalOptions> = {}): Journal {
      const journal = openJournal(path, options(extra));
      opened.push(journal);
      return journal;
    },
    cleanup(): void {
      for (const journal of opened.splice(0)) journal.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `sql` on a separate connection, as a tamperer or a bit flip would. */
export function sideConnection(path: string, run: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    run(db);
  } finally {
    db.close();
  }
}

/** What a thrown JournalError looks like, for toThrow-style matching on several fields. */
export function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
