// Start-up time on a long-lived journal: a year of 0DTE iron condors (about 1,000,000 events),
// opened as keel opens it (writable, lock, quick_check), its projection restored from the newest
// checkpoint plus the events after it, then reconciled against a venue snapshot that agrees with
// the journal (today's groups still open, some of their orders still working). The start runs in
// a fresh process, as a restart would: once from the newest checkpoint (a short tail), once from
// the one before it (a tail of checkpointEveryEvents: the longest a start folds), and once with no
// checkpoint (the whole journal folded: what every start cost before checkpoints).
// Run: node --import tsx bench/startup.bench.ts [folder]
// Start-up alone, repeatably: --prepare DIR once (DIR must exist), then --measure DIR [newest|previous|none]
// per run (each start appends its own engine.started, as a real restart does).
// KEEL_BENCH_STARTUP_EVENTS shrinks the journal (default 1,000,000).
import Database from 'better-sqlite3';
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
import { Recorder, type CheckpointPolicy, type EventStore } from '../src/engine/recorder';
import { defaultCheckpointEveryEvents, defaultEngineSettings } from '../src/engine/settings';
import { eventVersions } from '../src/ledger/events';
import { openJournal, type Journal, type StoredCheckpoint } from '../src/ledger/journal';
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

/**
 * Appends in batches of 10,000 events: building the file is not what is measured. A checkpoint
 * goes to the journal once the events before it are in; the ones it replaces are kept here.
 */
function batchingStore(
  journal: Journal,
): EventStore & { flush(): void; written: StoredCheckpoint[]; policy(): CheckpointPolicy } {
  const batch: { type: string; v: number; t: number; data: unknown }[] = [];
  const written: StoredCheckpoint[] = [];
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
    written,
    policy: () => ({
      every: defaultCheckpointEveryEvents,
      store: {
        writeCheckpoint: (cp) => {
          flush();
          written.push(cp);
          journal.checkpoints.writeCheckpoint(cp);
        },
        latestCheckpoint: () => journal.checkpoints.latestCheckpoint(),
      },
      log: (line) => {
        throw new Error(line);
      },
    }),
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

/**
 * Writes the journal through the engine's own recorder, which checkpoints its projection as the
 * engine does (every defaultCheckpointEveryEvents) over the last three intervals: the earlier ones
 * would only be replaced, and each costs a serialisation of the projection to build. Returns the
 * writer's projection and the checkpoints written (the newest is in the journal).
 */
export function buildJournal(
  path: string,
  events = targetEvents,
): { projection: Projection; fillsToday: VenueFill[]; checkpoints: StoredCheckpoint[] } {
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
  const checkpointsFrom = days * eventsPerDay - 3 * defaultCheckpointEveryEvents;
  let checkpointing = false;
  for (let day = 0; day < days; day++) {
    clock.set(Math.max(clock.now(), t0 + day * dayMs));
    if (!checkpointing && w.rec.projection.eventsApplied + eventsPerDay >= checkpointsFrom) {
      checkpointing = true;
      w.rec = new Recorder(store, w.rec.projection, clock, store.policy());
    }
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
  return { projection: w.rec.projection, fillsToday: w.fillsToday, checkpoints: store.written };
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
/** Which checkpoint a measured start finds: the newest, the one before it, or none. */
export type StartFrom = 'newest' | 'previous' | 'none';
export type StartupMeasure = {
  from: StartFrom;
  /** The checkpoint's seq (null: none) and the events folded after it. */
  checkpointSeq: number | null;
  folded: number;
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
async function measureStartup(folder: string, from: StartFrom): Promise<StartupMeasure> {
  const input = JSON.parse(readFileSync(join(folder, 'venue.json'), 'utf8')) as {
    snapshot: VenueSnapshot;
    instruments: Instrument[];
  };
  placeCheckpoint(folder, from);
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
    checkpoints: journal.checkpoints,
  };
  const lines: string[] = [];
  const engine = await Engine.start({
    store,
    venue,
    clock: fixedClock(nowMs, timeZone),
    strategies: [],
    // A start that folds the whole journal would write a checkpoint of it: not what is measured.
    settings: {
      ...defaultEngineSettings,
      checkpointEveryEvents: from === 'none' ? 0 : defaultCheckpointEveryEvents,
    },
    account,
    log: (line) => lines.push(line),
  });
  const startup = since(start);
  const events = journal.lastSeq();
  journal.close();
  const replayed = replay as Phase | null;
  if (replayed === null) throw new Error('start-up appended nothing (no engine.started)');
  const p = engine.projection;
  const used = /checkpoint of event (\d+), (\d+) events after it/.exec(lines.join('\n'));
  if (from !== 'none' && used === null) throw new Error(`the start used no checkpoint: ${lines.join(' | ')}`);
  return {
    from,
    checkpointSeq: used === null ? null : Number(used[1]),
    folded: used === null ? events : Number(used[2]),
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

/** The checkpoint a start will find: the newest written, the one before it, or none. */
function placeCheckpoint(folder: string, from: StartFrom): void {
  const saved = JSON.parse(readFileSync(join(folder, 'checkpoints.json'), 'utf8')) as StoredCheckpoint[];
  const cp =
    from === 'newest' ? saved[saved.length - 1] : from === 'previous' ? saved[saved.length - 2] : null;
  const db = new Database(join(folder, 'journal.db'));
  try {
    db.transaction(() => {
      db.prepare('DELETE FROM checkpoints').run();
      if (cp !== undefined && cp !== null)
        db.prepare('INSERT INTO checkpoints (seq, header, data) VALUES (?, ?, ?)').run(
          cp.seq,
          cp.header,
          cp.data,
        );
    })();
  } finally {
    db.close();
  }
}

export type StartupBenchResult = {
  buildSec: number;
  fileMb: number;
  checkpointMb: number;
  /** Seconds to serialise and write the last checkpoint of the build (the projection of the whole journal). */
  checkpointWriteSec: number;
  starts: StartupMeasure[];
};

/**
 * Writes journal.db (with its newest checkpoint), checkpoints.json (the last two checkpoints
 * written, to put back per measured start) and venue.json (the agreeing venue snapshot) into
 * `folder`; returns build seconds and what one checkpoint costs to write.
 */
export function prepare(
  folder: string,
  events = targetEvents,
): { buildSec: number; checkpointWriteSec: number } {
  const built = mark();
  const written = buildJournal(join(folder, 'journal.db'), events);
  const buildSec = since(built).wallSec;
  const p = written.projection;
  if (written.checkpoints.length < 2)
    throw new Error('the build wrote fewer than two checkpoints: build more events');
  writeFileSync(join(folder, 'checkpoints.json'), JSON.stringify(written.checkpoints.slice(-2)));
  const snapshot = snapshotOf(p, written.fillsToday, p.lastT + 60_000);
  const instruments = [...p.instruments.values()];
  writeFileSync(join(folder, 'venue.json'), JSON.stringify({ snapshot, instruments }));
  // One more checkpoint of the whole journal, timed: what the engine pays every N events.
  const scratch = openJournal(':memory:', { knownVersions: eventVersions, owner: 'bench', nowMs: t0 });
  const rec = new Recorder({ append: () => 0 }, p, fixedClock(p.lastT, timeZone), {
    every: 1,
    store: {
      writeCheckpoint: (cp) => {
        scratch.appendBatch([{ type: 'engine.started', v: 2, t: p.lastT, data: {} }]);
        scratch.checkpoints.writeCheckpoint({ ...cp, seq: 1 });
      },
      latestCheckpoint: () => Promise.resolve(null),
    },
    log: (line) => {
      throw new Error(line);
    },
  });
  const cpStart = mark();
  rec.checkpoint('group.status');
  const checkpointWriteSec = since(cpStart).wallSec;
  scratch.close();
  return { buildSec, checkpointWriteSec };
}

function measureIn(folder: string, from: StartFrom): StartupMeasure {
  const out = execFileSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), '--measure', folder, from],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as StartupMeasure;
}

export async function main(folderRoot: string = tmpdir()): Promise<StartupBenchResult> {
  const folder = mkdtempSync(join(folderRoot, 'keel-startup-bench-'));
  try {
    const { buildSec, checkpointWriteSec } = prepare(folder);
    const saved = JSON.parse(readFileSync(join(folder, 'checkpoints.json'), 'utf8')) as StoredCheckpoint[];
    const starts = (['newest', 'previous', 'none'] as const).map((from) => measureIn(folder, from));
    const result: StartupBenchResult = {
      buildSec,
      fileMb: statSync(join(folder, 'journal.db')).size / 1_048_576,
      checkpointMb: (saved[saved.length - 1]?.data.length ?? 0) / 1_048_576,
      checkpointWriteSec,
      starts,
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
  const first = r.starts[0] as StartupMeasure;
  const rows: [string, string][] = [
    [
      `build ${n(first.events, 0)}-event journal (${n(first.groups, 0)} groups)`,
      `${n(r.buildSec)} s, ${n(r.fileMb, 0)} MB`,
    ],
    [
      `checkpoint of the whole projection (every ${n(defaultCheckpointEveryEvents, 0)} events)`,
      `${n(r.checkpointMb, 1)} MB, ${n(r.checkpointWriteSec)} s to serialise and write`,
    ],
  ];
  for (const s of r.starts) {
    const what =
      s.checkpointSeq === null
        ? `no checkpoint: all ${n(s.events, 0)} events folded`
        : `checkpoint of event ${n(s.checkpointSeq, 0)} + ${n(s.folded, 0)} events`;
    rows.push(
      [`start from ${s.from === 'none' ? 'no' : `the ${s.from}`} checkpoint`, what],
      ['  open (lock + quick_check)', phase(s.open)],
      ['  projection (checkpoint + tail)', phase(s.replay)],
      [`  engine.started + reconcile (${s.liveOrders} working orders)`, phase(s.reconcile)],
      ['  start-up: open + projection + reconcile', `${phase(s.startup)}, ${s.discrepancies} discrepancies`],
    );
  }
  const w = Math.max(...rows.map((row) => row[0].length));
  console.log(`start-up bench, fresh process per start (node ${process.version})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, folder, from] = process.argv.slice(2);
  if (mode === '--prepare' && folder !== undefined) prepare(folder);
  else if (mode === '--measure' && folder !== undefined)
    console.log(JSON.stringify(await measureStartup(folder, (from ?? 'newest') as StartFrom)));
  else await main(mode);
}
