// keel status / halt on a journal file start from its newest checkpoint when it holds up, and
// fold every event when it does not: the same picture either way, and the reason said once.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { journalTimeZone, replayJournal } from '../../src/app/journal-replay';
import { fixedClock, type TimeZone } from '../../src/domain';
import { Recorder, replay } from '../../src/engine/recorder';
import { eventVersions, type JournalEventType } from '../../src/ledger/events';
import { openJournal, type StoredEvent } from '../../src/ledger/journal';
import { Projection, serialisedProjection } from '../../src/ledger/projection';
import { settingsForScenario } from '../../src/sim/run/settings-for-scenario';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });
const folder = mkdtempSync(join(tmpdir(), 'keel-status-checkpoint-'));
const open = (path: string, readOnly = true) =>
  openJournal(path, { knownVersions: eventVersions, owner: 'test', nowMs: 0, readOnly });

/** The zone the journal's engine ran in (the demo's fixed -05:00), as keel reads it back. */
let zone: TimeZone;

/** A simulated condor day's journal, and the same events written again with checkpoints. */
async function journals(): Promise<{ plain: string; checkpointed: string; checkpoints: number }> {
  const scenario = scenarioFromYaml(
    readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8'),
    'demo.yaml',
  );
  const plain = join(folder, 'plain.sqlite');
  const run = await runChecked(scenario, { journalPath: plain, settings: settingsForScenario(scenario) });
  expect(run.verdict.violations).toEqual([]);
  const source = open(plain);
  const events: StoredEvent[] = [...source.read()];
  zone = journalTimeZone(source);
  source.close();
  const checkpointed = join(folder, 'checkpointed.sqlite');
  const target = open(checkpointed, false);
  let checkpoints = 0;
  const clock = fixedClock(0, zone);
  const recorder = new Recorder(target, new Projection(zone), clock, {
    every: Math.floor(events.length / 3),
    store: {
      writeCheckpoint: (cp) => {
        checkpoints++;
        target.checkpoints.writeCheckpoint(cp);
      },
      latestCheckpoint: () => target.checkpoints.latestCheckpoint(),
    },
    log: () => {},
  });
  for (const e of events) {
    clock.set(e.t);
    recorder.record(e.type as JournalEventType, e.data as never);
  }
  target.close();
  return { plain, checkpointed, checkpoints };
}

let files: Awaited<ReturnType<typeof journals>>;
beforeAll(async () => {
  files = await journals();
}, 60_000);

describe('the journal read from its checkpoint', () => {
  it('restores the checkpoint this keel wrote and folds the rest: the same projection as every event', async () => {
    expect(files.checkpoints).toBeGreaterThan(0);
    const logs: string[] = [];
    const journal = open(files.checkpointed);
    try {
      const { projection } = await replayJournal(journal, (l) => logs.push(l));
      expect(logs).toEqual([
        expect.stringMatching(/^journal: projection from the checkpoint of event \d+, \d+ events after it$/),
      ]);
      expect(serialisedProjection(projection)).toEqual(serialisedProjection(replay(journal, zone)));
    } finally {
      journal.close();
    }
  });

  it('keel status sets aside a checkpoint another build of keel wrote, says so, and shows what the fold shows', () => {
    const plain = keel('status', '--journal', files.plain, '--json');
    const fromOther = keel('status', '--journal', files.checkpointed, '--json');
    expect(plain.status, plain.stderr).toBe(0);
    expect(fromOther.status, fromOther.stderr).toBe(0);
    expect(plain.stderr).toBe('');
    // The test wrote it from the TypeScript sources; keel runs its compiled build.
    expect(fromOther.stderr).toMatch(/checkpoint of event \d+ ignored: .*projection code differs/);
    expect(JSON.parse(fromOther.stdout)).toEqual(JSON.parse(plain.stdout));
  });

  it('a damaged checkpoint is named and set aside, and the fold gives the same projection', async () => {
    const db = new Database(files.checkpointed);
    db.prepare("UPDATE checkpoints SET data = 'not the projection'").run();
    db.close();
    const logs: string[] = [];
    const journal = open(files.checkpointed);
    try {
      const { projection } = await replayJournal(journal, (l) => logs.push(l));
      expect(logs.join('\n')).toMatch(/checkpoint of event \d+ ignored/);
      expect(serialisedProjection(projection)).toEqual(serialisedProjection(replay(journal, zone)));
    } finally {
      journal.close();
    }
  });

  it('keel halt on a stopped engine journal', () => {
    const halted = keel('halt', '--journal', files.plain, '--reason', 'checked by hand');
    expect(halted.status, halted.stderr).toBe(0);
    expect(halted.stdout).toContain('trading is HALTED from the next start');
    expect(keel('status', '--journal', files.plain, '--json').stdout).toContain('HALTED');
  });
});
