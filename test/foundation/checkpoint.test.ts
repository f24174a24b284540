// Projection checkpoints, checked against full replays: every checkpoint the recorder takes over a
// simulated journal restores to exactly the fold of the events before it, and checkpoint + tail
// to the fold of them all (serialised form against serialised form); on SQLite and on PostgreSQL.
// A checkpoint that is corrupt, of another format, fold, time zone or history is ignored with a
// log line and the journal replayed in full; a fenced engine cannot leave one behind.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, timeZoneOf, type TimeZone } from '../../src/domain';
import { Engine } from '../../src/engine/engine';
import {
  Recorder,
  replay,
  replayFromCheckpoint,
  type EventStore,
  type PagedEventStore,
} from '../../src/engine/recorder';
import { defaultEngineSettings } from '../../src/engine/settings';
import { eventVersions, type JournalEventType } from '../../src/ledger/events';
import {
  openJournal,
  openJournalAt,
  type CheckpointStore,
  type JournalStore,
  type StoredCheckpoint,
  type StoredEvent,
} from '../../src/ledger/journal';
import {
  checkpointOf,
  restoreProjection,
  serialisedProjection,
  sha256Hex,
  Projection,
  type CheckpointHeader,
} from '../../src/ledger/projection';
import { settingsForScenario } from '../../src/sim/run/settings-for-scenario';
import { postgresAvailable, postgresFixture, type PostgresFixture } from '../support/postgres-fixture';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { SnapshotVenue } from '../../src/venues/snapshot/snapshot-venue';

const folder = mkdtempSync(join(tmpdir(), 'keel-checkpoint-'));
const newYork = timeZoneOf('America/New_York');
let source: { events: StoredEvent[]; timeZone: TimeZone };

/**
 * The journal of a simulated week of condors beside someone else's calls (settlements, budgets,
 * refusals, discrepancies), with engine crashes.
 */
async function simulatedJournal(): Promise<StoredEvent[]> {
  const yaml =
    readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8').replace(
      "end: '2026-02-13T16:15:00-05:00'",
      "end: '2026-02-19T16:15:00-05:00'",
    ) +
    `\nfaults:\n  - { afterAppends: 57, crashEngine: { restartAfter: 20 } }\n` +
    `  - { at: '2026-02-17T11:00:00-05:00', crashEngine: { restartAfter: 600 } }\n`;
  const scenario = scenarioFromYaml(yaml, 'week.yaml');
  const journalPath = join(folder, 'source.sqlite');
  const run = await runChecked(scenario, { journalPath, settings: settingsForScenario(scenario) });
  expect(run.verdict.violations).toEqual([]);
  expect(run.stats.crashes).toBe(2);
  const journal = openJournal(journalPath, {
    knownVersions: eventVersions,
    owner: 'test',
    nowMs: 0,
    readOnly: true,
  });
  try {
    return [...journal.read()];
  } finally {
    journal.close();
  }
}

beforeAll(async () => {
  source = { events: await simulatedJournal(), timeZone: newYork };
}, 60_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function foldOf(events: readonly StoredEvent[], timeZone: TimeZone = newYork): Projection {
  return replay({ append: () => 0, read: () => events.values() }, timeZone);
}

/** A recorder that checkpoints every `every` events into `checkpoints`, keeping what it wrote. */
function recorderOn(store: Pick<EventStore, 'append'>, checkpoints: CheckpointStore, every: number) {
  const written: StoredCheckpoint[] = [];
  const logs: string[] = [];
  const clock = fixedClock(0, newYork);
  const recorder = new Recorder(store, new Projection(newYork), clock, {
    every,
    store: {
      writeCheckpoint: (cp) => {
        written.push(cp);
        checkpoints.writeCheckpoint(cp);
      },
      latestCheckpoint: () => checkpoints.latestCheckpoint(),
    },
    log: (l) => logs.push(l),
  });
  return {
    written,
    record(events: readonly StoredEvent[]): void {
      for (const e of events) {
        clock.set(e.t);
        recorder.record(e.type as JournalEventType, e.data as never);
      }
      expect(logs).toEqual([]);
    },
  };
}

/** Records `events` through a recorder that checkpoints every `every` events; returns what it wrote. */
function rerecord(
  events: readonly StoredEvent[],
  store: Pick<EventStore, 'append'>,
  checkpoints: CheckpointStore,
  every: number,
): StoredCheckpoint[] {
  const r = recorderOn(store, checkpoints, every);
  r.record(events);
  return r.written;
}

function header(cp: StoredCheckpoint): CheckpointHeader {
  return JSON.parse(cp.header) as CheckpointHeader;
}

describe('projection checkpoints against full replays (SQLite)', () => {
  it('every checkpoint restores to the fold of the events before it; checkpoint + tail to the fold of all', async () => {
    const events = source.events;
    expect(events.length).toBeGreaterThan(300);
    const every = 7;
    const path = join(folder, 'every.sqlite');
    const journal = openJournal(path, { knownVersions: eventVersions, owner: 'test', nowMs: 0 });
    const written = rerecord(events, journal, journal.checkpoints, every);
    // Due every 7 events, each waits for a moment without working orders, but never past the next 7.
    const seqs = written.map((c) => c.seq);
    expect(seqs.length).toBeGreaterThan(events.length / every / 2);
    seqs.forEach((seq, i) => {
      expect(seq).toBeGreaterThanOrEqual((i + 1) * every);
      expect(seq - (seqs[i - 1] ?? 0)).toBeLessThanOrEqual(2 * every);
    });
    expect(seqs.some((seq) => seq % every !== 0)).toBe(true);
    const full = serialisedProjection(foldOf(events));
    for (const cp of written) {
      const restored = restoreProjection({ header: header(cp), data: cp.data }, newYork);
      expect(serialisedProjection(restored), `checkpoint of event ${cp.seq}`).toEqual(
        serialisedProjection(foldOf(events.slice(0, cp.seq))),
      );
      expect(restored).toEqual(foldOf(events.slice(0, cp.seq)));
      for (const e of events.slice(cp.seq)) restored.apply(e as never);
      expect(serialisedProjection(restored), `checkpoint of event ${cp.seq} + tail`).toEqual(full);
    }
    // Only the newest is kept; a start folds the events after it.
    const logs: string[] = [];
    const started = await replayFromCheckpoint(journal, newYork, (l) => logs.push(l));
    const newest = written[written.length - 1] as StoredCheckpoint;
    expect(started.checkpointSeq).toBe(newest.seq);
    expect(started.replayed).toBe(events.length - newest.seq);
    expect(serialisedProjection(started.projection)).toEqual(full);
    expect(logs).toEqual([
      `journal: projection from the checkpoint of event ${newest.seq}, ${events.length - newest.seq} events after it`,
    ]);
    journal.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT seq FROM checkpoints').pluck().all()).toEqual([newest.seq]);
    db.close();
  });

  it('a projection holding one object in two places is refused by the serialised form tests compare', () => {
    const p = foldOf(source.events);
    expect(() => serialisedProjection(p)).not.toThrow();
    const note = { t: p.lastT, strategyId: 'ic-0dte' as never, message: 'shared' };
    p.notes.push(note, note);
    expect(() => serialisedProjection(p)).toThrow(/also holds elsewhere; a restore would make two of it/);
  });

  describe('a checkpoint that fails a check is ignored with a log line and the journal replayed in full', () => {
    const cases: {
      name: string;
      tamper: (cp: StoredCheckpoint) => StoredCheckpoint;
      says: RegExp;
      zone?: TimeZone;
    }[] = [
      {
        name: 'corrupt data (one character changed)',
        tamper: (cp) => ({ ...cp, data: cp.data.replace(/"open"/, '"opEn"') }),
        says: /does not match its checksum \(corrupt\)/,
      },
      {
        name: 'a header that is not JSON',
        tamper: (cp) => ({ ...cp, header: cp.header.slice(1) }),
        says: /its header is not JSON/,
      },
      {
        name: 'another format version',
        tamper: (cp) => ({ ...cp, header: JSON.stringify({ ...header(cp), version: 99 }) }),
        says: /format version 99; this keel reads version 1/,
      },
      {
        name: 'another fold (a keel with other projection code)',
        tamper: (cp) => ({ ...cp, header: JSON.stringify({ ...header(cp), fold: 'f00d' }) }),
        says: /projection code differs/,
      },
      {
        name: 'another time zone',
        tamper: (cp) => cp,
        zone: timeZoneOf('Europe/London'),
        says: /folded in time zone America\/New_York, the engine runs in Europe\/London/,
      },
      {
        name: 'a checksum that matches text of another shape',
        tamper: (cp) => {
          const data = JSON.stringify({ shapes: [['ownership']], root: [0, 1] });
          return {
            ...cp,
            data,
            header: JSON.stringify({ ...header(cp), sha256: sha256Hex(data), bytes: data.length }),
          };
        },
        says: /checkpoint: projection\.\w+ is missing/,
      },
      {
        name: 'another history (the event it follows is not the journal’s)',
        tamper: (cp) => ({ ...cp, header: JSON.stringify({ ...header(cp), t: header(cp).t - 1 }) }),
        says: /checkpoint: it holds \d+ events up to t \d+, its header says/,
      },
      {
        name: 'a header naming another event than its row',
        tamper: (cp) => ({ ...cp, header: JSON.stringify({ ...header(cp), seq: cp.seq - 1 }) }),
        says: /its header names event/,
      },
    ];
    for (const c of cases)
      it(c.name, async () => {
        const events = source.events;
        const path = join(folder, `${c.name.replace(/\W+/g, '-')}.sqlite`);
        const journal = openJournal(path, { knownVersions: eventVersions, owner: 'test', nowMs: 0 });
        const written = rerecord(events, journal, journal.checkpoints, 20);
        const newest = written[written.length - 1] as StoredCheckpoint;
        const bad = c.tamper(newest);
        const db = new Database(path);
        db.prepare('UPDATE checkpoints SET header = ?, data = ? WHERE seq = ?').run(
          bad.header,
          bad.data,
          bad.seq,
        );
        db.close();
        const zone = c.zone ?? newYork;
        const logs: string[] = [];
        const started = await replayFromCheckpoint(journal, zone, (l) => logs.push(l));
        journal.close();
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatch(new RegExp(`^journal checkpoint of event ${newest.seq} ignored: `));
        expect(logs[0]).toMatch(c.says);
        expect(logs[0]).toMatch(/; replaying the whole journal$/);
        expect(started.checkpointSeq).toBeNull();
        expect(started.replayed).toBe(events.length);
        expect(serialisedProjection(started.projection)).toEqual(serialisedProjection(foldOf(events, zone)));
      });

    it('a checkpoint of an event the journal does not have', async () => {
      const events = source.events;
      const path = join(folder, 'ahead.sqlite');
      const journal = openJournal(path, { knownVersions: eventVersions, owner: 'test', nowMs: 0 });
      rerecord(events.slice(0, 60), journal, journal.checkpoints, 20);
      const ahead = checkpointOf(foldOf(events.slice(0, 80)), events[79]?.type as string);
      const db = new Database(path);
      db.prepare('INSERT INTO checkpoints (seq, header, data) VALUES (?, ?, ?)').run(
        80,
        JSON.stringify(ahead.header),
        ahead.data,
      );
      db.close();
      const logs: string[] = [];
      const started = await replayFromCheckpoint(journal, newYork, (l) => logs.push(l));
      journal.close();
      expect(logs).toEqual([
        'journal checkpoint of event 80 ignored: the journal has no event 80; replaying the whole journal',
      ]);
      expect(started.checkpointSeq).toBeNull();
      expect(serialisedProjection(started.projection)).toEqual(
        serialisedProjection(foldOf(events.slice(0, 60))),
      );
    });

    it('an engine starting on a corrupt checkpoint replays in full, says so, and writes a good one', async () => {
      const events = source.events;
      const path = join(folder, 'engine.sqlite');
      const journal = openJournal(path, { knownVersions: eventVersions, owner: 'test', nowMs: 0 });
      const written = rerecord(events, journal, journal.checkpoints, 20);
      const newest = written[written.length - 1] as StoredCheckpoint;
      const db = new Database(path);
      db.prepare('UPDATE checkpoints SET data = ? WHERE seq = ?').run(
        newest.data.replace('1', '2'),
        newest.seq,
      );
      db.close();
      const logs: string[] = [];
      const last = events[events.length - 1] as StoredEvent;
      const engine = await Engine.start({
        store: journal,
        venue: new SnapshotVenue(
          { t: last.t, orders: [], positions: [], executions: [], settlements: [], positionHistory: [] },
          new Map(),
        ),
        clock: fixedClock(last.t + 60_000, newYork),
        strategies: [],
        settings: { ...defaultEngineSettings, checkpointEveryEvents: 20 },
        account: foldOf(events).account as never,
        log: (l) => logs.push(l),
      });
      expect(logs[0]).toMatch(
        /^journal checkpoint of event \d+ ignored: .*corrupt.*; replaying the whole journal$/,
      );
      // The full fold was long enough: a checkpoint of the journal's last event was written (or
      // of a later one the start recorded), and it is the fold of the events up to it.
      const fresh = await journal.checkpoints.latestCheckpoint();
      expect(fresh?.seq).toBeGreaterThanOrEqual(events.length);
      const restored = restoreProjection(
        { header: JSON.parse(fresh?.header ?? '{}') as CheckpointHeader, data: fresh?.data ?? '' },
        newYork,
      );
      expect(serialisedProjection(restored)).toEqual(
        serialisedProjection(foldOf([...journal.read()].slice(0, fresh?.seq))),
      );
      expect(engine.projection.eventsApplied).toBeGreaterThan(events.length);
      journal.close();
    });
  });
});

const pgMissing = await postgresAvailable();
let pg: PostgresFixture | null = null;

describe.skipIf(pgMissing !== null)('projection checkpoints on PostgreSQL', () => {
  beforeAll(async () => {
    pg = await postgresFixture();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  async function openPg(journal: string): Promise<JournalStore> {
    const store = await openJournalAt((pg as PostgresFixture).url(journal), {
      knownVersions: eventVersions,
      owner: 'test',
      nowMs: 0,
    });
    const lease = await store.lease?.acquire(`test ${journal}`, 60_000);
    expect(lease?.ok).toBe(true);
    return store;
  }

  it('checkpoint + tail equals the full replay; written after the events it covers', async () => {
    const events = source.events;
    const a = await openPg('cp-replay');
    const written = rerecord(events, a, a.checkpoints, 9);
    expect(written.length).toBeGreaterThan(events.length / 9 / 2);
    await a.flush();
    await a.close();
    const b = await openPg('cp-replay');
    const logs: string[] = [];
    const started = await replayFromCheckpoint(b as PagedEventStore, newYork, (l) => logs.push(l));
    const newest = written[written.length - 1] as StoredCheckpoint;
    expect(started.checkpointSeq).toBe(newest.seq);
    expect(logs).toEqual([
      `journal: projection from the checkpoint of event ${newest.seq}, ${events.length - newest.seq} events after it`,
    ]);
    const full = replayFromCheckpoint(
      {
        ...(b as PagedEventStore),
        pages: (from) => b.pages(from),
        checkpoints: undefined,
      } as PagedEventStore,
      newYork,
      () => undefined,
    );
    expect(serialisedProjection(started.projection)).toEqual(serialisedProjection((await full).projection));
    expect(serialisedProjection(started.projection)).toEqual(serialisedProjection(foldOf(events)));
    await b.close();
  });

  it('a crash before the flush leaves no checkpoint ahead of the committed events', async () => {
    const events = source.events;
    const a = await openPg('cp-crash');
    const r = recorderOn(a, a.checkpoints, 10);
    r.record(events.slice(0, 40));
    await a.flush();
    const flushed = r.written.length;
    r.record(events.slice(40, 62)); // a checkpoint in there waits with its events
    expect(r.written.length).toBeGreaterThan(flushed);
    const pool = (a as unknown as { pool: { end(): Promise<void> } }).pool;
    await pool.end(); // the process dies
    const b = await openPg('cp-crash');
    expect(b.lastSeq()).toBe(40);
    expect((await b.checkpoints.latestCheckpoint())?.seq).toBe(r.written[flushed - 1]?.seq);
    const started = await replayFromCheckpoint(b as PagedEventStore, newYork, () => undefined);
    expect(serialisedProjection(started.projection)).toEqual(
      serialisedProjection(foldOf(events.slice(0, 40))),
    );
    await b.close();
  });

  it('a fenced engine cannot write a checkpoint; a corrupt one is ignored', async () => {
    const events = source.events;
    const address = (pg as PostgresFixture).url('cp-fenced');
    const a = await openJournalAt(address, { knownVersions: eventVersions, owner: 'a', nowMs: 0 });
    expect((await a.lease?.acquire('engine A', 1_000))?.ok).toBe(true);
    const byA = rerecord(events.slice(0, 30), a, a.checkpoints, 10);
    await a.flush();
    await new Promise((r) => setTimeout(r, 1_200)); // A pauses past its lease
    const b = await openJournalAt(address, { knownVersions: eventVersions, owner: 'b', nowMs: 0 });
    expect((await b.lease?.acquire('engine B', 60_000))?.ok).toBe(true);
    // A wakes up and writes a checkpoint of what it holds: refused by the database.
    const stale = checkpointOf(foldOf(events.slice(0, 30)), events[29]?.type as string);
    a.checkpoints.writeCheckpoint({
      seq: 30,
      header: JSON.stringify({ ...stale.header, t: 1 }),
      data: stale.data,
    });
    await expect(a.flush()).rejects.toThrow(/lease token 1 is stale/);
    const kept = byA[byA.length - 1] as StoredCheckpoint;
    expect((await b.checkpoints.latestCheckpoint())?.seq).toBe(kept.seq);
    expect((await b.checkpoints.latestCheckpoint())?.header).not.toContain('"t":1,');
    await (pg as PostgresFixture).sql(
      "UPDATE keel_checkpoints SET data = replace(data, 'XSP', 'XSQ') WHERE journal = 'cp-fenced'",
    );
    const logs: string[] = [];
    const started = await replayFromCheckpoint(b as PagedEventStore, newYork, (l) => logs.push(l));
    expect(logs).toEqual([
      `journal checkpoint of event ${kept.seq} ignored: checkpoint: its data does not match its checksum (corrupt); replaying the whole journal`,
    ]);
    expect(started.checkpointSeq).toBeNull();
    expect(serialisedProjection(started.projection)).toEqual(
      serialisedProjection(foldOf(events.slice(0, 30))),
    );
    await Promise.resolve(a.close()).catch(() => undefined);
    await b.close();
  });
});
