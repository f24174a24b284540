// keel reconcile --journal FILE --scenario SCENARIO_OR_RUN_DIR [--json]: the venue-vs-keel table
// and the discrepancies, as a start-up reconciliation would find them. For the simulated venue the
// venue's view is rebuilt from a run directory's venue-log.jsonl, or by running the scenario.
// Read-only: the round runs on a copy of the journal in memory; the file is never written.
// keel reconcile --journal FILE --resolve ID --reason TEXT: an operator resolves a discrepancy
// (journaled; takes the journal's lock, so not while an engine runs).
import { journalTimeZone, replayJournal } from '../journal-replay';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock, type TimeZone } from '../../domain';
import { EngineCore } from '../../engine/engine-core';
import { OrderManager } from '../../engine/order-manager';
import { formatReconcileTable, reconcile, reconcileTable, resolveDiscrepancy } from '../../engine/reconcile';
import { Recorder, replay, type EventStore } from '../../engine/recorder';
import { defaultEngineSettings } from '../../engine/settings';
import { eventVersions } from '../../ledger/events';
import { JournalError, openJournal, type Journal } from '../../ledger/journal';
import { parseVenueLog, venueLogFile } from '../../sim/check';
import { runScenario, strategiesForScenario } from '../../sim/run';
import { loadScenario } from '../../sim/scenario';
import { snapshotFromVenueLog } from '../../venues/sim/log-snapshot';
import type { VenueLogLine } from '../../venues/sim/venue-log';
import { SnapshotVenue } from '../../venues/snapshot/snapshot-venue';
import type { VenueSnapshot } from '../../venues/venue';

export type ReconcileCliOptions = {
  journal: string;
  scenario?: string;
  json?: boolean;
  resolve?: string;
  reason?: string;
};

export async function reconcileCommand(opts: ReconcileCliOptions): Promise<number> {
  try {
    if (opts.resolve !== undefined) return resolveCommand(opts.journal, opts.resolve, opts.reason);
    if (opts.scenario === undefined)
      return fail('give --scenario (a scenario file or a run directory), or --resolve ID');
    const lines = await venueLines(opts.scenario);
    if (typeof lines === 'string') return fail(lines);
    return showTable(opts.journal, lines, opts.json === true);
  } catch (e) {
    if (e instanceof JournalError) return fail(e.message);
    throw e;
  }
}

function fail(message: string): number {
  process.stderr.write(`keel reconcile: ${message}\n`);
  return 2;
}

/** The venue's log: from a run directory, or by running the scenario (deterministic). */
async function venueLines(source: string): Promise<VenueLogLine[] | string> {
  if (!existsSync(source)) return `${source} does not exist: give a scenario file or a run directory`;
  if (statSync(source).isDirectory()) {
    const file = join(source, venueLogFile);
    if (!existsSync(file)) return `${source} has no ${venueLogFile}: run keel sim with --out ${source} first`;
    return parseVenueLog(readFileSync(file, 'utf8'), file);
  }
  const loaded = loadScenario(source);
  if (!loaded.ok)
    return `${source} is not a valid scenario:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}`;
  const run = await runScenario(loaded.scenario, { strategies: strategiesForScenario });
  return [...run.venueLog];
}

/** The journal's events, copied into memory: the round may journal there, never in the file. */
function copyOfJournal(path: string): { store: EventStore; timeZone: TimeZone } {
  const journal = openJournal(path, {
    knownVersions: eventVersions,
    owner: 'keel reconcile',
    nowMs: 0,
    readOnly: true,
  });
  try {
    const events = [...journal.read()];
    const store: EventStore = {
      append: (e) => events.push({ ...e, seq: events.length + 1 }),
      read: () => events.values(),
    };
    return { store, timeZone: journalTimeZone(store) };
  } finally {
    journal.close();
  }
}

function showTable(journalPath: string, lines: VenueLogLine[], json: boolean): number {
  const { store, timeZone } = copyOfJournal(journalPath);
  const p = replay(store, timeZone);
  const { snapshot, instruments } = snapshotFromVenueLog(lines);
  const venue = new SnapshotVenue(snapshot, instruments);
  const clock = fixedClock(Math.max(snapshot.t, p.lastT), timeZone);
  const core = new EngineCore(new Recorder(store, p, clock), venue, clock, defaultEngineSettings, () => {});
  for (const pos of snapshot.positions) {
    const i = instruments.get(pos.instrumentId);
    if (i && !p.instruments.has(i.id)) core.recorder.record('instrument.defined', { instrument: i });
  }
  const matchesBefore = p.reconciliation.matches.length;
  const counts = reconcile(core, new OrderManager(core), snapshot, { startUp: true });
  const table = reconcileTable(p, snapshot, counts, matchesBefore);
  if (json) {
    process.stdout.write(JSON.stringify({ ...table, wouldCancel: venue.cancels }, null, 2) + '\n');
    return 0;
  }
  const when = lines.at(-1)?.t ?? 'the start';
  let text = formatReconcileTable(table, when);
  if (venue.cancels.length > 0) text += `\nWOULD CANCEL (keel's own): ${venue.cancels.join(', ')}\n`;
  process.stdout.write(text);
  return 0;
}

async function resolveCommand(path: string, id: string, reason: string | undefined): Promise<number> {
  if (reason === undefined || reason.trim() === '')
    return fail('--resolve needs --reason "what was checked" (it is journaled with the resolution)');
  // The wall clock is the operator's; a journal never goes back in time.
  const journal: Journal = openJournal(path, {
    knownVersions: eventVersions,
    owner: 'keel reconcile --resolve',
    nowMs: Date.now(),
  });
  try {
    const { projection: p, timeZone } = await replayJournal(journal);
    const d = p.discrepancies.get(id);
    if (!d)
      return fail(`${path} has no discrepancy ${id}: keel status --journal ${path} lists the open ones`);
    if (d.resolved) return fail(`${id} is already resolved (${d.resolution ?? ''})`);
    const clock = fixedClock(Math.max(Date.now(), p.lastT), timeZone);
    const empty: VenueSnapshot = {
      t: 0,
      orders: [],
      positions: [],
      executions: [],
      settlements: [],
      positionHistory: [],
    };
    const core = new EngineCore(
      new Recorder(journal, p, clock),
      new SnapshotVenue(empty, new Map()),
      clock,
      defaultEngineSettings,
      () => {},
    );
    core.recorder.record('operator.command', { command: 'resolve', args: { id, reason } });
    resolveDiscrepancy(core, id, 'operator', reason);
    process.stdout.write(`resolved ${id} (${d.kind}): ${reason}\n`);
    return 0;
  } finally {
    journal.close();
  }
}
