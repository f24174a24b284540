// Start-up time on a long-lived journal: a year of 0DTE iron condors (about 1,000,000 events),
// opened as keel opens it (writable, lock, quick_check), replayed into the projection, then
// reconciled against a venue snapshot that agrees with the journal (today's groups still open,
// some of their orders still working). The start runs in a fresh process, as a restart would.
// Run: node --import tsx bench/startup.bench.ts [folder]
// Start-up alone, repeatably: --prepare DIR once (DIR must exist), then --measure DIR per run
// (each start appends its own engine.started, as a real restart does).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AccountId,
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
  type OrderIntent,
  type Side,
} from '../src/domain';
import { Engine } from '../src/engine/engine';
import { Recorder, type EventStore } from '../src/engine/recorder';
import { defaultEngineSettings } from '../src/engine/settings';
import { eventVersions } from '../src/ledger/events';
import { openJournal, type Journal } from '../src/ledger/journal';
import { Projection } from '../src/ledger/projection';
import type { VenueFill, VenueSnapshot } from '../src/venues/venue';
import { SnapshotVenue } from '../src/venues/snapshot/snapshot-venue';

const targetEvents = Number(process.env.KEEL_BENCH_STARTUP_EVENTS ?? 1_000_000);
const groupsPerDay = 100;
/** Groups of the last day left open at the venue; the first few still have a working close order. */
const openGroupsToday = 40;
const workingOrdersToday = 10;
const strikesPerDay = 20;
const timeZone = timeZoneOf('America/New_York');
const dayMs = 86_400_000;
const t0 = Date.UTC(2025, 1, 13, 14, 30);
const appendBatch = 10_000;
const strategyId = StrategyId.of('ic-0dte');
const account = AccountId.of('bench');
const condor: readonly { k: number; side: Side }[] = [
  { k: 0, side: 'BUY' },
  { k: 1, side: 'SELL' },
  { k: 2, side: 'SELL' },
  { k: 3, side: 'BUY' },
];

/** Appends in batches of 10,000 events: building the file is not what is measured. */
function batchingStore(journal: Journal): EventStore & { flush(): void } {
  const batch: { type: string; v: number; t: number; data: unknown }[] = [];
  const flush = () => {
    if (batch.length > 0) journal.appendBatch(batch.splice(0));
  };
  return {
    append: (e) => {
      batch.push(e);
      if (batch.length >= appendBatch) flush();
      return 0;
    },
    read: () => [][Symbol.iterator](),
    flush,
  };
}

function dayInstruments(day: number): Instrument[] {
  const expiry = new Date(t0 + day * dayMs).toISOString().slice(0, 10);
  return Array.from({ length: strikesPerDay * 2 }, (_, k) => ({
    id: InstrumentId.of(`XSP ${expiry} ${k % 2 ? 'C' : 'P'}${580 + Math.floor(k / 2) * 5}`),
    symbol: 'XSP',
    kind: 'option' as const,
    expiry,
    strike: 580 + Math.floor(k / 2) * 5,
    right: k % 2 ? ('C' as const) : ('P' as const),
    multiplier: 100,
    tick: 0.01,
    lot: 1,
    underlyingKind: 'index' as const,
  }));
}

/** The writer's recorder and clock, and the fills of the day being written (the venue lists them). */
type Writer = { rec: Recorder; tick(): number; exec: number; fillsToday: VenueFill[] };

function order(
  groupId: GroupId,
  n: number,
  legs: readonly Instrument[],
  close: boolean,
): { intent: OrderIntent; venueOrderId: VenueOrderId } {
  const clientOrderId = ClientOrderId.of(`${groupId}-o${n}`);
  return {
    intent: {
      clientOrderId,
      groupId,
      strategyId,
      source: 'strategy',
      intent: close ? 'close' : 'open',
      legs: condor.map(({ k, side }) => ({
        instrumentId: (legs[k] as Instrument).id,
        side: close ? (side === 'BUY' ? 'SELL' : 'BUY') : side,
        ratio: 1,
      })),
      qty: 1,
      type: 'LMT',
      limitPrice: close ? 0.2 : -0.85,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: close,
      parentClientOrderId: null,
    },
    venueOrderId: VenueOrderId.of(`${groupId}-v${n}`),
  };
}

/** intent, sent, accepted, and (unless left working) one combo fill of four legs. */
function sendOrder(w: Writer, o: ReturnType<typeof order>, fills: boolean): void {
  const { intent, venueOrderId } = o;
  const { clientOrderId } = intent;
  w.rec.record('order.intent', { order: intent });
  w.tick();
  w.rec.record('order.sent', { clientOrderId });
  w.tick();
  w.rec.record('order.accepted', { clientOrderId, venueOrderId });
  if (!fills) return;
  const t = w.tick();
  for (const leg of intent.legs) {
    const fill: VenueFill = {
      execId: ExecId.of(`E${++w.exec}`),
      clientOrderId,
      venueOrderId,
      instrumentId: leg.instrumentId,
      side: leg.side,
      qty: 1,
      price: 0.4,
      commission: toMicros(0.65),
      comboExecId: `C${w.exec}`,
      venuePositionId: null,
      t,
    };
    w.fillsToday.push(fill);
    w.rec.record('order.fill', { fill: { ...fill, provenance: 'live' } });
  }
  for (const leg of intent.legs) {
    const p = w.rec.projection;
    w.rec.record('venue.position', {
      instrumentId: leg.instrumentId,
      qty: p.ownership.ownedTotal(leg.instrumentId),
      avgPrice: 0.4,
    });
  }
}

/** One group: opened, filled, open; then (unless kept open) closed by a second order: 26 events. */
function condorGroup(
  w: Writer,
  day: number,
  n: number,
  legs: readonly Instrument[],
  keep: boolean,
  work: boolean,
) {
  const stamp = new Date(t0 + day * dayMs).toISOString().slice(0, 10).replaceAll('-', '');
  const groupId = GroupId.of(`ic-0dte-${stamp}-${n}`);
  w.rec.record('group.opened', {
    groupId,
    strategyId,
    kind: 'iron-condor',
    source: 'strategy',
    legs: condor.map(({ k, side }) => ({
      instrumentId: (legs[k] as Instrument).id,
      qtyPerUnit: side === 'BUY' ? 1 : -1,
    })),
    units: 1,
    note: null,
    budget: null,
    entry: null,
  });
  sendOrder(w, order(groupId, 0, legs, false), true);
  w.rec.record('group.status', { groupId, status: 'open', reason: 'filled', targetUnits: null });
  w.tick();
  if (keep && !work) return;
  w.rec.record('group.status', { groupId, status: 'closing', reason: 'take profit', targetUnits: 0 });
  sendOrder(w, order(groupId, 1, legs, true), !work);
  if (work) return;
  w.rec.record('group.status', { groupId, status: 'closed', reason: 'take profit', targetUnits: null });
  w.tick();
}

/** Writes the journal through the engine's own recorder; returns the writer's projection. */
export function buildJournal(
  path: string,
  events = targetEvents,
): { projection: Projection; fillsToday: VenueFill[] } {
  const journal = openJournal(path, { knownVersions: eventVersions, owner: 'bench', nowMs: t0 });
  const store = batchingStore(journal);
  const clock = fixedClock(t0, timeZone);
  const w: Writer = {
    rec: new Recorder(store, new Projection(timeZone), clock),
    tick: () => {
      clock.set(clock.now() + 1_000);
      return clock.now();
    },
    exec: 0,
    fillsToday: [],
  };
  const eventsPerDay = strikesPerDay * 2 + 1 + groupsPerDay * 26;
  const days = Math.max(1, Math.round(events / eventsPerDay));
  for (let day = 0; day < days; day++) {
    clock.set(Math.max(clock.now(), t0 + day * dayMs));
    const last = day === days - 1;
    w.fillsToday = [];
    w.rec.record('engine.started', {
      account,
      mode: day === 0 ? 'start' : 'restart',
      timeZone: timeZone.name,
      utcOffsetMin: timeZone.offsetAt(clock.now()),
    });
    const legs = dayInstruments(day);
    for (const instrument of legs) w.rec.record('instrument.defined', { instrument });
    for (let n = 1; n <= groupsPerDay; n++) {
      const four = legs.slice((n % (strikesPerDay - 3)) * 2, (n % (strikesPerDay - 3)) * 2 + 8);
      const wings = [four[0], four[3], four[4], four[7]] as Instrument[];
      const keep = last && n > groupsPerDay - openGroupsToday;
      const work = keep && n > groupsPerDay - workingOrdersToday;
      condorGroup(w, day, n, wings, keep, work);
    }
  }
  store.flush();
  journal.close();
  return { projection: w.rec.projection, fillsToday: w.fillsToday };
}

/** What the venue reports for a journal it agrees with: owned positions, live orders, today's fills. */
function snapshotOf(p: Projection, fillsToday: readonly VenueFill[], t: number): VenueSnapshot {
  const positions = p.ownership
    .instruments()
    .filter((id) => p.ownership.ownedTotal(id) !== 0)
    .map((instrumentId) => ({
      instrumentId,
      qty: p.ownership.ownedTotal(instrumentId),
      avgPrice: 0.4,
      venuePositionId: null,
    }));
  const orders = p.orders.live().map((o) => ({
    clientOrderId: o.intent.clientOrderId,
    venueOrderId: o.venueOrderId ?? VenueOrderId.of(`${o.intent.clientOrderId}-v`),
    spec: o.intent,
    status: 'working' as const,
    filledQty: 0,
    remainingQty: o.intent.qty,
  }));
  return { t, orders, positions, executions: fillsToday, settlements: [], positionHistory: [] };
}

/** Wall and CPU (all threads, GC included) seconds since `from`. */
function since(from: { wallNs: bigint; cpu: NodeJS.CpuUsage }) {
  const cpu = process.cpuUsage(from.cpu);
  return {
    wallSec: Number(process.hrtime.bigint() - from.wallNs) / 1e9,
    cpuSec: (cpu.user + cpu.system) / 1e6,
  };
}
const mark = () => ({ wallNs: process.hrtime.bigint(), cpu: process.cpuUsage() });

type Phase = { wallSec: number; cpuSec: number };
export type StartupMeasure = {
  events: number;
  open: Phase;
  replay: Phase;
  reconcile: Phase;
  startup: Phase;
  groups: number;
  liveOrders: number;
  discrepancies: number;
};

/**
 * One start, as `keel run` does it, in a fresh process (no code warmed by building the journal):
 * open (lock + quick_check), replay, then engine.started and reconcile. Replay ends where the
 * engine makes its first append.
 */
async function measureStartup(folder: string): Promise<StartupMeasure> {
  const input = JSON.parse(readFileSync(join(folder, 'venue.json'), 'utf8')) as {
    snapshot: VenueSnapshot;
    instruments: Instrument[];
  };
  const venue = new SnapshotVenue(input.snapshot, new Map(input.instruments.map((i) => [i.id, i])));
  const nowMs = input.snapshot.t;
  const start = mark();
  const journal = openJournal(join(folder, 'journal.db'), {
    knownVersions: eventVersions,
    owner: 'bench',
    nowMs,
  });
  const open = since(start);
  let replay: Phase | null = null;
  const store: EventStore = {
    append: (e) => {
      replay ??= since(start);
      return journal.append(e);
    },
    read: (fromSeq) => journal.read(fromSeq),
  };
  const engine = await Engine.start({
    store,
    venue,
    clock: fixedClock(nowMs, timeZone),
    strategies: [],
    settings: defaultEngineSettings,
    account,
    log: () => undefined,
  });
  const startup = since(start);
  const events = journal.lastSeq();
  journal.close();
  const replayed = replay as Phase | null;
  if (replayed === null) throw new Error('start-up appended nothing (no engine.started)');
  const p = engine.projection;
  return {
    events,
    open,
    replay: { wallSec: replayed.wallSec - open.wallSec, cpuSec: replayed.cpuSec - open.cpuSec },
    reconcile: { wallSec: startup.wallSec - replayed.wallSec, cpuSec: startup.cpuSec - replayed.cpuSec },
    startup,
    groups: p.groups.size,
    liveOrders: p.orders.live().length,
    discrepancies: p.discrepancies.size,
  };
}

export type StartupBenchResult = StartupMeasure & { buildSec: number; fileMb: number };

/** Writes journal.db and venue.json (the agreeing venue snapshot) into `folder`; returns build seconds. */
export function prepare(folder: string, events = targetEvents): number {
  const built = mark();
  const written = buildJournal(join(folder, 'journal.db'), events);
  const buildSec = since(built).wallSec;
  const p = written.projection;
  const snapshot = snapshotOf(p, written.fillsToday, p.lastT + 60_000);
  const instruments = [...p.instruments.values()];
  writeFileSync(join(folder, 'venue.json'), JSON.stringify({ snapshot, instruments }));
  return buildSec;
}

export async function main(folderRoot: string = tmpdir()): Promise<StartupBenchResult> {
  const folder = mkdtempSync(join(folderRoot, 'keel-startup-bench-'));
  try {
    const buildSec = prepare(folder);
    const out = execFileSync(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), '--measure', folder],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const result: StartupBenchResult = {
      ...(JSON.parse(out) as StartupMeasure),
      buildSec,
      fileMb: statSync(join(folder, 'journal.db')).size / 1_048_576,
    };
    print(result);
    return result;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function print(r: StartupBenchResult): void {
  const n = (x: number, d = 2) =>
    x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const phase = (p: Phase) => `${n(p.wallSec)} s wall, ${n(p.cpuSec)} s cpu`;
  const rows: [string, string][] = [
    [
      `build ${n(r.events, 0)}-event journal (${n(r.groups, 0)} groups)`,
      `${n(r.buildSec)} s, ${n(r.fileMb, 0)} MB`,
    ],
    ['open (lock + quick_check)', phase(r.open)],
    ['replay into the projection', `${phase(r.replay)} (${n(r.events / r.replay.wallSec, 0)} events/s)`],
    [`engine.started + reconcile (${r.liveOrders} working orders)`, phase(r.reconcile)],
    ['start-up: open + replay + reconcile', `${phase(r.startup)}, ${r.discrepancies} discrepancies`],
  ];
  const w = Math.max(...rows.map((row) => row[0].length));
  console.log(`start-up bench, fresh process (node ${process.version})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, folder] = process.argv.slice(2);
  if (mode === '--prepare' && folder !== undefined) prepare(folder);
  else if (mode === '--measure' && folder !== undefined)
    console.log(JSON.stringify(await measureStartup(folder)));
  else await main(mode);
}
