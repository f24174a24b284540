// Write-ahead on a journal that commits later (PostgreSQL): the host holds the engine's orders
// until the events before them are durable, then sends them in order; when the journal refuses
// the write (a fenced engine), nothing held is ever sent and the engine stops. The journal here is
// a SQLite file whose flush the test controls, standing for a database commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveLive, wallClock } from '../../src/app/live-driver';
import { AccountId, timeZoneOf } from '../../src/domain';
import type { EngineHost } from '../../src/engine/host';
import type { PagedEventStore } from '../../src/engine/recorder';
import { defaultEngineSettings } from '../../src/engine/settings';
import { eventVersions } from '../../src/ledger/events';
import { openJournal, type Journal } from '../../src/ledger/journal';
import { paperVenue } from '../support/paper-venue';
import { until } from '../support/keel-process';

const clock = wallClock(timeZoneOf('America/New_York'));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A journal whose commits wait until the test says so (or fail). */
function committingLater(journal: Journal) {
  let waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const store: PagedEventStore = {
    append: (e) => journal.append(e),
    pages: (from) => journal.pages(from),
    durableOnAppend: false,
    flush: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
  };
  return {
    store,
    flushesWaiting: () => waiting.length,
    commit() {
      for (const w of waiting.splice(0)) w.resolve();
    },
    refuse(why: string) {
      const all = waiting;
      waiting = [];
      for (const w of all) w.reject(new Error(why));
    },
  };
}

async function started(store: PagedEventStore, onRefused: (e: unknown) => void) {
  const venue = paperVenue([{ symbol: 'PLTR', bid: 170.7, ask: 170.8 }]);
  const stop = new AbortController();
  let host: EngineHost | null = null;
  const driven = driveLive({
    venue,
    store,
    clock,
    strategies: () => [],
    settings: defaultEngineSettings,
    account: AccountId.of('PAPER-1'),
    log: () => undefined,
    tickMs: 50,
    stop: stop.signal,
    onStarted: (h) => (host = h),
    onJournalRefused: onRefused,
  });
  await until('the engine to start', () => host !== null, 10_000);
  return { venue, host: host as unknown as EngineHost, stop: () => stop.abort(), driven };
}

const order = {
  action: 'order',
  instrument: { symbol: 'PLTR' },
  side: 'BUY',
  qty: 10,
  type: 'LMT',
  limit: 170.8,
  stop: null,
  fit: false,
} as const;

function journalIn(): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'keel-write-ahead-'));
  dirs.push(dir);
  return openJournal(join(dir, 'journal.sqlite'), {
    knownVersions: eventVersions,
    owner: 'test',
    nowMs: clock.now(),
  });
}

describe('the host on a journal that commits later', () => {
  it('sends an order only after the events before it are committed', async () => {
    const journal = journalIn();
    const later = committingLater(journal);
    const run = await started(later.store, () => undefined);
    try {
      const answer = await run.host.operator(order);
      expect(answer.ok, answer.lines.join('\n')).toBe(true);
      await until('the host to wait for the commit', () => later.flushesWaiting() > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect((await run.venue.snapshot()).orders).toEqual([]);
      later.commit();
      await until('the order at the venue', async () => (await run.venue.snapshot()).positions.length === 1);
    } finally {
      later.commit();
      run.stop();
      await run.driven;
      journal.close();
    }
  });

  it('when the journal refuses the write, nothing held is sent and the engine stops', async () => {
    const journal = journalIn();
    const later = committingLater(journal);
    const refused: unknown[] = [];
    const run = await started(later.store, (e) => refused.push(e));
    try {
      expect((await run.host.operator(order)).ok).toBe(true);
      await until('the host to wait for the commit', () => later.flushesWaiting() > 0);
      later.refuse('lease token 1 is stale (current 2)');
      await until('the refusal to reach the driver', () => refused.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      const venueSide = await run.venue.snapshot();
      expect(venueSide.orders).toEqual([]);
      expect(venueSide.positions).toEqual([]);
      expect(run.host.current).toBeNull();
      expect((await run.host.operator(order)).ok).toBe(false);
    } finally {
      run.stop();
      await run.driven;
      journal.close();
    }
  });
});
