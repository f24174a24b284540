// The wall-clock driver runs the same host as the simulator, against a venue whose events arrive
// on real timers (the simulated venue scheduled by setTimeout, as a broker's socket would deliver
// them). An operator order fills asynchronously; the abort (Ctrl-C) stops cleanly; a second start
// on the same journal and the same account replays and reconciles to the same holdings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { timeZoneOf } from '../../src/domain';

const newYork = timeZoneOf('America/New_York');
import { driveLive, wallClock } from '../../src/app/live-driver';
import { AccountId, StrategyId } from '../../src/domain';
import type { EngineHost } from '../../src/engine/host';
import { defaultEngineSettings } from '../../src/engine/settings';
import { eventVersions } from '../../src/ledger/events';
import { openJournal } from '../../src/ledger/journal';
import type { SimVenue } from '../../src/venues/sim/sim-venue';
import { paperVenue as paperEquities } from '../support/paper-venue';

// Real time, as a broker's account runs on it: the driver's own wall clock.
const clock = wallClock(newYork);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const paperVenue = () => paperEquities([{ symbol: 'PLTR', bid: 170.7, ask: 170.8 }]);

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 10) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function session(venue: SimVenue, path: string, act: (host: EngineHost) => Promise<void>) {
  const journal = openJournal(path, { knownVersions: eventVersions, owner: 'live test', nowMs: clock.now() });
  const stop = new AbortController();
  let running: EngineHost | null = null;
  const driven = driveLive({
    venue,
    store: journal,
    clock,
    strategies: () => [],
    settings: defaultEngineSettings,
    account: AccountId.of('PAPER-1'),
    log: () => undefined,
    tickMs: 50,
    stop: stop.signal,
    onStarted: (h) => (running = h),
  });
  try {
    await until('the engine to start', () => running !== null);
    await act(running as unknown as EngineHost);
  } finally {
    stop.abort();
    await driven;
    journal.close();
  }
}

describe('the wall-clock driver', () => {
  it('fills an order whose events arrive on timers, stops on abort, and reconciles on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-live-'));
    dirs.push(dir);
    const path = join(dir, 'journal.sqlite');
    const venue = paperVenue();
    let owned = 0;
    await session(venue, path, async (host) => {
      const result = await host.operator({
        action: 'order',
        instrument: { symbol: 'PLTR' },
        side: 'BUY',
        qty: 10,
        type: 'LMT',
        limit: 170.8,
        stop: null,
        fit: false,
      });
      expect(result.ok, result.lines.join('\n')).toBe(true);
      const p = () => host.current?.projection;
      await until('the fill', () => {
        const id = [...(p()?.instruments.keys() ?? [])][0];
        return id !== undefined && (p()?.ownership.ownedTotal(id) ?? 0) === 10;
      });
      owned = 10;
    });
    expect(owned).toBe(10);
    const snap = await venue.snapshot();
    expect(snap.positions.map((x) => x.qty)).toEqual([10]);

    // The next start: the same journal, the same account at the venue.
    await session(venue, path, async (host) => {
      const p = host.current?.projection;
      expect(p?.starts).toBe(2);
      const id = [...(p?.instruments.keys() ?? [])][0];
      expect(id).toBeDefined();
      expect(p?.ownership.ownedTotal(id as NonNullable<typeof id>)).toBe(10);
      expect(p?.ownership.foreign(id as NonNullable<typeof id>)).toBe(0);
      expect([...(p?.discrepancies.values() ?? [])].filter((d) => !d.resolved)).toEqual([]);
      expect(p?.tradingState).toBe('ACTIVE');
    });
  });

  it('an engine error stops the run loudly and still closes the venue session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-live-'));
    dirs.push(dir);
    const journal = openJournal(join(dir, 'journal.sqlite'), {
      knownVersions: eventVersions,
      owner: 'live test',
      nowMs: clock.now(),
    });
    const venue = paperVenue();
    let closed = 0;
    const close = venue.close.bind(venue);
    venue.close = async () => {
      closed++;
      await close();
    };
    const broken = {
      id: StrategyId.of('broken'),
      kind: 'broken',
      executionsPerDayMax: null,
      onTick: () => {
        throw new Error('a strategy bug');
      },
    };
    const driven = driveLive({
      venue,
      store: journal,
      clock,
      strategies: () => [broken],
      settings: defaultEngineSettings,
      account: AccountId.of('PAPER-1'),
      log: () => undefined,
      tickMs: 50,
      stop: new AbortController().signal,
    });
    try {
      await expect(driven).rejects.toThrow(/a strategy bug/);
      expect(closed).toBe(1);
    } finally {
      journal.close();
    }
  });
});
