// Engine figures: ownership-checked close sizing with 10,000 open groups, projection rebuild of a
// 1,000,000-event journal, and the simulator's speed on one full 0DTE day with the checker on.
// Run: node --import tsx bench/engine.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ClientOrderId,
  ExecId,
  GroupId,
  InstrumentId,
  StrategyId,
  VenueOrderId,
  fixedClock,
  timeZoneOf,
  toMicros,
  type Instrument,
} from '../src/domain';
import { closableQty } from '../src/engine/close-sizing';
import { Recorder, replay } from '../src/engine/recorder';
import { memoryStore } from '../test/support/engine-fixtures';
import { eventVersions } from '../src/ledger/events';
import { openJournal } from '../src/ledger/journal';
import { Projection } from '../src/ledger/projection';
import { check } from '../src/sim/check';
import { runScenario, strategiesForScenario } from '../src/sim/run';
import { loadScenario } from '../src/sim/scenario';

const newYork = timeZoneOf('America/New_York');

const groupsOpen = 10_000;
const sizingCalls = 1_000_000;
const rebuildEvents = Number(process.env.KEEL_BENCH_REBUILD_EVENTS ?? 1_000_000);
const t0 = Date.UTC(2026, 1, 13, 15, 0);

function instruments(n: number): Instrument[] {
  return Array.from(
    { length: n },
    (_, k) =>
      ({
        id: InstrumentId.of(String(900000 + k)),
        symbol: 'XSP',
        kind: 'option',
        expiry: '2026-02-13',
        strike: 600 + k,
        right: k % 2 ? 'C' : 'P',
        multiplier: 100,
        tick: 0.01,
        lot: 1,
        underlyingKind: 'index',
      }) as Instrument,
  );
}

/** Fills a recorder with open 4-leg groups: intent, accepted, four fills each (8 events a group). */
function fillGroups(rec: Recorder, legs: Instrument[], groups: number, startExec = 0): number {
  let exec = startExec;
  const strategy = StrategyId.of('ic-0dte');
  for (let g = 0; g < groups; g++) {
    const groupId = GroupId.of(`ic-0dte-20260213-${g + 1}`);
    const four = [0, 1, 2, 3].map((k) => legs[(g * 4 + k) % legs.length] as Instrument);
    rec.record('group.opened', {
      groupId,
      strategyId: strategy,
      kind: 'iron-condor',
      source: 'strategy',
      legs: four.map((i, k) => ({ instrumentId: i.id, qtyPerUnit: k === 1 || k === 2 ? -1 : 1 })),
      units: 1,
      note: null,
      budget: null,
      entry: null,
    });
    const clientOrderId = ClientOrderId.of(`${groupId}-o1`);
    rec.record('order.intent', {
      order: {
        clientOrderId,
        groupId,
        strategyId: strategy,
        source: 'strategy',
        intent: 'open',
        legs: four.map((i, k) => ({
          instrumentId: i.id,
          side: k === 1 || k === 2 ? 'SELL' : 'BUY',
          ratio: 1,
        })),
        qty: 1,
        type: 'LMT',
        limitPrice: -0.16,
        stopPrice: null,
        tif: 'DAY',
        reduceOnly: false,
        parentClientOrderId: null,
      },
    });
    rec.record('order.accepted', { clientOrderId, venueOrderId: VenueOrderId.of(String(10000 + g)) });
    four.forEach((i, k) => {
      rec.record('order.fill', {
        fill: {
          execId: ExecId.of(`E${++exec}`),
          clientOrderId,
          venueOrderId: VenueOrderId.of(String(10000 + g)),
          instrumentId: i.id,
          side: k === 1 || k === 2 ? 'SELL' : 'BUY',
          qty: 1,
          price: 0.5,
          commission: toMicros(0.65),
          comboExecId: `C${g}`,
          venuePositionId: null,
          t: t0,
          provenance: 'live',
        },
      });
    });
  }
  return exec;
}

function benchCloseSizing() {
  const legs = instruments(400);
  const clock = fixedClock(t0, newYork);
  const rec = new Recorder(memoryStore(), new Projection(newYork), clock);
  for (const i of legs) rec.record('instrument.defined', { instrument: i });
  fillGroups(rec, legs, groupsOpen);
  const p = rec.projection;
  const groups = [...p.groups.values()];
  let sink = 0;
  const start = performance.now();
  for (let n = 0; n < sizingCalls; n++) {
    const g = groups[n % groups.length];
    const leg = g?.legs[n & 3];
    if (g && leg) sink += closableQty(p, g, leg.instrumentId)?.qty ?? 0;
  }
  const sec = (performance.now() - start) / 1000;
  return {
    groups: groups.length,
    calls: sizingCalls,
    callsPerSec: sizingCalls / sec,
    nsPerCall: (sec / sizingCalls) * 1e9,
    sink,
  };
}

/** Writes a journal of about `events` engine events (open condors), committed 10,000 at a time. */
function buildJournal(path: string, events: number): number {
  const journal = openJournal(path, { knownVersions: eventVersions, owner: 'bench', nowMs: t0 });
  const batch: { type: string; v: number; t: number; data: unknown }[] = [];
  const store = {
    append: (e: { type: string; v: number; t: number; data: unknown }) => {
      batch.push(e);
      if (batch.length >= 10_000) journal.appendBatch(batch.splice(0));
      return 0;
    },
    read: () => [][Symbol.iterator](),
  };
  const legs = instruments(400);
  const rec = new Recorder(store, new Projection(newYork), fixedClock(t0, newYork));
  for (const i of legs) rec.record('instrument.defined', { instrument: i });
  const eventsPerGroup = 7;
  fillGroups(rec, legs, Math.ceil((events - legs.length) / eventsPerGroup));
  if (batch.length) journal.appendBatch(batch.splice(0));
  const written = journal.lastSeq();
  journal.close();
  return written;
}

function benchRebuild() {
  const dir = mkdtempSync(join(tmpdir(), 'keel-rebuild-'));
  try {
    const path = join(dir, 'journal.db');
    const events = buildJournal(path, rebuildEvents);
    const start = performance.now();
    const ro = openJournal(path, { knownVersions: eventVersions, owner: 'bench', nowMs: t0, readOnly: true });
    const p = replay(ro, newYork);
    ro.close();
    const sec = (performance.now() - start) / 1000;
    return { events, seconds: sec, eventsPerSec: events / sec, groups: p.groups.size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchSimDay() {
  const loaded = loadScenario('scenarios/demo/condor-foreign-calls.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const start = performance.now();
  const run = await runScenario(loaded.scenario, { strategies: strategiesForScenario });
  const verdict = check({ lines: run.venueLog, report: run.report }, { converged: true });
  const sec = (performance.now() - start) / 1000;
  return {
    simulatedEvents: run.stats.events,
    venueEvents: run.venueLog.length,
    seconds: sec,
    eventsPerSec: run.stats.events / sec,
    violations: verdict.violations.length,
  };
}

export async function main() {
  const sizing = benchCloseSizing();
  const rebuild = benchRebuild();
  const sim = await benchSimDay();
  const rows: [string, string][] = [
    [
      `close sizing (owned - working), ${sizing.groups.toLocaleString()} open groups`,
      `${Math.round(sizing.callsPerSec).toLocaleString()} calls/s (${sizing.nsPerCall.toFixed(0)} ns/call)`,
    ],
    [
      `projection rebuild, ${rebuild.events.toLocaleString()} events (SQLite)`,
      `${rebuild.seconds.toFixed(2)} s (${Math.round(rebuild.eventsPerSec).toLocaleString()} events/s)`,
    ],
    [
      `one simulated 0DTE day + checker (${sim.simulatedEvents} events)`,
      `${sim.seconds.toFixed(2)} s wall (${Math.round(sim.eventsPerSec).toLocaleString()} events/s), ${sim.violations} violations`,
    ],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('engine');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  return { sizing, rebuild, sim };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
