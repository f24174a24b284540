// Projection checkpoints across crashes in the simulator: the engine journals a checkpoint every
// few events and dies after journal appends on and around them (afterAppends crash points); each
// restart builds its projection from the newest checkpoint plus the events after it. After the
// run: the engine's projection, the full replay of the journal and the newest checkpoint plus its
// tail are the same, serialised form against serialised form; no checkpoint was ignored or failed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replay, replayFromCheckpoint } from '../../src/engine/recorder';
import { eventVersions } from '../../src/ledger/events';
import { openJournal } from '../../src/ledger/journal';
import { serialisedProjection, type Projection } from '../../src/ledger/projection';
import type { SimControl } from '../../src/sim/run/runner';
import { settingsForScenario } from '../../src/sim/run/settings-for-scenario';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const folder = mkdtempSync(join(tmpdir(), 'keel-checkpoint-crash-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const condor = readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8');
const futures = readFileSync('scenarios/incidents/2025-10-24-closed-position-lost-on-restart.yaml', 'utf8')
  .replace('stepSeconds: 5', 'stepSeconds: 30')
  .replace(/\nfaults:\n(?: {2}- .*\n)+/, '\n');

async function runWithCheckpoints(yaml: string, name: string, every: number) {
  const scenario = scenarioFromYaml(yaml, `${name}.yaml`);
  const journalPath = join(folder, `${name}.sqlite`);
  let control: SimControl | null = null;
  const run = await runChecked(scenario, {
    journalPath,
    settings: { ...settingsForScenario(scenario), checkpointEveryEvents: every },
    control: (c) => (control = c),
  });
  const live = (control as SimControl | null)?.projection() ?? null;
  expect(live).not.toBeNull();
  const journal = openJournal(journalPath, {
    knownVersions: eventVersions,
    owner: 'checkpoint test',
    nowMs: 0,
    readOnly: true,
  });
  try {
    const full = replay(journal, scenario.timeZone);
    const logs: string[] = [];
    const fromCheckpoint = await replayFromCheckpoint(journal, scenario.timeZone, (l) => logs.push(l));
    return { run, live: live as Projection, full, fromCheckpoint, logs, events: journal.lastSeq() };
  } finally {
    journal.close();
  }
}

describe('projection checkpoints across engine crashes', () => {
  it('a day of condors: crashes after appends on, before and after checkpoints restart from checkpoint + tail', async () => {
    // The day journals about a hundred events: a checkpoint every ten, crashes around them.
    const every = 10;
    const failures: string[] = [];
    for (const n of [every - 1, every, every + 1, 2 * every + 7, 5 * every]) {
      const yaml =
        `${condor}\nfaults:\n  - { afterAppends: ${n}, crashEngine: { restartAfter: 20 } }\n` +
        `  - { afterAppends: ${n + 2 * every + 5}, crashEngine: { restartAfter: 20 } }\n` +
        `  - { at: '14:30', crashEngine: { restartAfter: 60 } }\n`;
      const r = await runWithCheckpoints(yaml, `condor-${n}`, every);
      const fail = (what: string) => failures.push(`crash after ${n}: ${what}`);
      if (r.run.stats.crashes !== 3) fail(`expected three crashes, got ${r.run.stats.crashes}`);
      for (const v of r.run.verdict.violations) fail(`${v.invariant} at seq ${v.seq}: ${v.message}`);
      const restarts = r.run.engineLog.filter((l) => l.includes('projection from the checkpoint of event'));
      // Every restart after the first checkpoint started from one. A crash right after the
      // append of event 10 dies before the checkpoint of event 10 is taken.
      const expected = n <= every ? 2 : 3;
      if (restarts.length !== expected)
        fail(`${restarts.length} starts from a checkpoint, not ${expected}: ${restarts.join(' | ')}`);
      for (const l of r.run.engineLog)
        if (/checkpoint.*(ignored|not written)/.test(l)) fail(`engine log: ${l}`);
      expect(serialisedProjection(r.live), `crash after ${n}: the engine's projection`).toEqual(
        serialisedProjection(r.full),
      );
      const seq = r.fromCheckpoint.checkpointSeq ?? -1;
      expect(seq).toBeGreaterThanOrEqual(every);
      expect(r.fromCheckpoint.replayed).toBe(r.events - seq);
      expect(
        serialisedProjection(r.fromCheckpoint.projection),
        `crash after ${n}: checkpoint + tail`,
      ).toEqual(serialisedProjection(r.full));
      // The serialised form misses nothing the projection holds.
      expect(r.fromCheckpoint.projection).toEqual(r.full);
      expect(r.logs).toEqual([
        `journal: projection from the checkpoint of event ${r.fromCheckpoint.checkpointSeq}, ${r.fromCheckpoint.replayed} events after it`,
      ]);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('a protected futures position through two crashes, one while the venue closes it', async () => {
    const every = 8;
    for (const n of [every, every + 2]) {
      const yaml =
        `${futures}faults:\n  - { afterAppends: ${n}, crashEngine: { restartAfter: 20 } }\n` +
        `  - { at: '23:00', crashEngine: { restartAfter: 6300 } }\n`;
      const r = await runWithCheckpoints(yaml, `futures-${n}`, every);
      expect(r.run.stats.crashes).toBe(2);
      expect(r.run.verdict.violations).toEqual([]);
      expect(r.run.engineLog.filter((l) => /checkpoint.*(ignored|not written)/.test(l))).toEqual([]);
      expect(serialisedProjection(r.live)).toEqual(serialisedProjection(r.full));
      expect(r.fromCheckpoint.checkpointSeq).not.toBeNull();
      expect(serialisedProjection(r.fromCheckpoint.projection)).toEqual(serialisedProjection(r.full));
      expect(r.fromCheckpoint.projection).toEqual(r.full);
    }
  }, 300_000);
});
