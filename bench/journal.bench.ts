// Journal throughput on this machine's disk: how many durable appends keel can make per second
// compared with the raw fsync rate (the ceiling for synchronous=FULL), and how long replaying a
// million-event journal takes at start. Run: node --import tsx bench/journal.bench.ts [folder]
// Batched fills are durable exactly as before: one appendBatch is one SQLite transaction in WAL
// mode with synchronous=FULL (the WAL fsynced before it returns), all of it or none, seqs without
// gaps; the engine sends nothing the batch precedes until it returned. Each commit costs one fsync,
// so 100-fill batches top out at 100 x the disk's fsync rate; the in-memory figure is the same
// code without the disk (CPU only): what a disk whose fsync costs nothing would allow.
// KEEL_BENCH_JOURNAL_REPLAY_EVENTS shrinks the replayed journal (default 1,000,000).
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openJournal } from '../src/ledger/journal';
import type { NewEvent } from '../src/ledger/journal';

const fsyncSeconds = 1;
const singleAppendSeconds = 2;
const batchAppendSeconds = 2;
const batchEvents = 100;
const replayEvents = Number(process.env.KEEL_BENCH_JOURNAL_REPLAY_EVENTS ?? 1_000_000);
const replayBuildBatchEvents = 10_000;
const t0 = 1_771_000_000_000;
const knownVersions = { 'order.intent': 1, 'order.fill': 1 };

export type JournalBenchResult = {
  folder: string;
  fsyncPerSec: number;
  singleAppendsPerSec: number;
  intentBytes: number;
  batchCommitsPerSec: number;
  batchEventsPerSec: number;
  /** The same batches into an in-memory journal: no fsync, CPU only. */
  memoryBatchEventsPerSec: number;
  fillBytes: number;
  replayEvents: number;
  replayFileMb: number;
  replayBuildSec: number;
  openQuickCheckSec: number;
  openNoCheckSec: number;
  replaySec: number;
  replayEventsPerSec: number;
};

/** An order intent for one iron condor, about the size keel journals before sending it. */
export function intentData(n: number) {
  const leg = (right: string, strike: number, side: string) => ({
    instrumentId: `XSP   260213${right}00${strike}000`,
    side,
    ratio: 1,
  });
  return {
    clientOrderId: `keel-ic0dte-20260213-${String(n).padStart(6, '0')}`,
    groupId: `grp-20260213-${n}`,
    strategyId: 'iron-condor-0dte',
    legs: [leg('P', 590, 'BUY'), leg('P', 595, 'SELL'), leg('C', 615, 'SELL'), leg('C', 620, 'BUY')],
    qty: 2,
    orderType: 'LMT',
    limitPrice: 0.85,
    tif: 'DAY',
  };
}

export function fillData(n: number) {
  return {
    clientOrderId: `keel-ic0dte-20260213-${String(n).padStart(6, '0')}`,
    venueOrderId: `${900_000_000 + n}`,
    execId: `0000e0d5.6591f2a3.01.01.${n}`,
    instrumentId: 'XSP   260213P00595000',
    side: 'SELL',
    qty: 1,
    price: 1.23,
    commission: 0.65,
  };
}

const fill = (n: number, t: number): NewEvent => ({ type: 'order.fill', v: 1, t, data: fillData(n) });

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function measureFsync(folder: string): number {
  const path = join(folder, 'fsync.bin');
  const fd = openSync(path, 'w');
  const bytes = Buffer.alloc(100, 'k');
  const start = process.hrtime.bigint();
  let count = 0;
  while (seconds(start) < fsyncSeconds) {
    writeSync(fd, bytes);
    fsyncSync(fd);
    count += 1;
  }
  const rate = count / seconds(start);
  closeSync(fd);
  return rate;
}

function measureSingleAppends(folder: string): number {
  const journal = openJournal(join(folder, 'single.db'), { knownVersions, owner: 'bench', nowMs: t0 });
  const start = process.hrtime.bigint();
  let count = 0;
  while (seconds(start) < singleAppendSeconds) {
    journal.append({ type: 'order.intent', v: 1, t: t0 + count, data: intentData(count) });
    count += 1;
  }
  const rate = count / seconds(start);
  journal.close();
  return rate;
}

function measureBatchAppends(folder: string | null): number {
  const path = folder === null ? ':memory:' : join(folder, 'batch.db');
  const journal = openJournal(path, { knownVersions, owner: 'bench', nowMs: t0 });
  const start = process.hrtime.bigint();
  let commits = 0;
  while (seconds(start) < batchAppendSeconds) {
    journal.appendBatch(
      Array.from({ length: batchEvents }, (_, i) => fill(commits * batchEvents + i, t0 + commits)),
    );
    commits += 1;
  }
  const rate = commits / seconds(start);
  journal.close();
  return rate;
}

function measureReplay(folder: string) {
  const path = join(folder, 'replay.db');
  let start = process.hrtime.bigint();
  const writer = openJournal(path, { knownVersions, owner: 'bench', nowMs: t0 });
  for (let built = 0; built < replayEvents; built += replayBuildBatchEvents) {
    writer.appendBatch(Array.from({ length: replayBuildBatchEvents }, (_, i) => fill(built + i, t0 + built)));
  }
  writer.close();
  const buildSec = seconds(start);

  start = process.hrtime.bigint();
  openJournal(path, { knownVersions, owner: 'bench', nowMs: t0 }).close();
  const openQuickCheckSec = seconds(start);
  start = process.hrtime.bigint();
  const journal = openJournal(path, { knownVersions, owner: 'bench', nowMs: t0, quickCheck: false });
  const openNoCheckSec = seconds(start);

  start = process.hrtime.bigint();
  let count = 0;
  for (const event of journal.read()) count += event.seq > 0 ? 1 : 0;
  const replaySec = seconds(start);
  journal.close();
  if (count !== replayEvents) throw new Error(`replayed ${count} events, expected ${replayEvents}`);
  const fileMb = statSync(path).size / 1_048_576;
  return { buildSec, openQuickCheckSec, openNoCheckSec, replaySec, fileMb };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printTable(r: JournalBenchResult): void {
  const rows: [string, string, string][] = [
    ['raw fsync (100 B write + fsync)', `${fmt(r.fsyncPerSec)} /s`, '1.00x fsync'],
    [
      `durable single append (~${r.intentBytes} B intent)`,
      `${fmt(r.singleAppendsPerSec)} /s`,
      `${fmt(r.singleAppendsPerSec / r.fsyncPerSec, 2)}x fsync`,
    ],
    [
      `batched append (${batchEvents} x ~${r.fillBytes} B fills)`,
      `${fmt(r.batchCommitsPerSec)} commits/s`,
      `${fmt(r.batchCommitsPerSec / r.fsyncPerSec, 2)}x fsync`,
    ],
    [
      '  = events',
      `${fmt(r.batchEventsPerSec)} /s`,
      `${fmt(r.batchEventsPerSec / r.singleAppendsPerSec, 1)}x single`,
    ],
    [
      '  the same in memory (no fsync: CPU only)',
      `${fmt(r.memoryBatchEventsPerSec)} /s`,
      `${fmt(r.batchEventsPerSec / r.memoryBatchEventsPerSec, 2)}x of it on disk`,
    ],
    [
      `build ${fmt(r.replayEvents)}-event journal`,
      `${fmt(r.replayBuildSec, 2)} s`,
      `${fmt(r.replayFileMb, 0)} MB file`,
    ],
    ['open with quick_check', `${fmt(r.openQuickCheckSec, 2)} s`, ''],
    ['open without quick_check', `${fmt(r.openNoCheckSec, 3)} s`, ''],
    [
      `read ${fmt(r.replayEvents)} events (parse + check)`,
      `${fmt(r.replayEventsPerSec)} /s`,
      `${fmt(r.replaySec, 2)} s`,
    ],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c as 0 | 1 | 2].length)));
  console.log(`journal bench in ${r.folder} (node ${process.version})`);
  for (const [what, figure, ratio] of rows) {
    console.log(
      `  ${what.padEnd(widths[0] ?? 0)}  ${figure.padStart(widths[1] ?? 0)}  ${ratio.padStart(widths[2] ?? 0)}`,
    );
  }
}

export function main(folderRoot: string = tmpdir()): JournalBenchResult {
  const folder = mkdtempSync(join(folderRoot, 'keel-journal-bench-'));
  try {
    const fsyncPerSec = measureFsync(folder);
    const singleAppendsPerSec = measureSingleAppends(folder);
    const batchCommitsPerSec = measureBatchAppends(folder);
    const memoryBatchEventsPerSec = measureBatchAppends(null) * batchEvents;
    const replay = measureReplay(folder);
    const result: JournalBenchResult = {
      folder,
      fsyncPerSec,
      singleAppendsPerSec,
      intentBytes: JSON.stringify(intentData(1)).length,
      batchCommitsPerSec,
      batchEventsPerSec: batchCommitsPerSec * batchEvents,
      memoryBatchEventsPerSec,
      fillBytes: JSON.stringify(fillData(1)).length,
      replayEvents,
      replayFileMb: replay.fileMb,
      replayBuildSec: replay.buildSec,
      openQuickCheckSec: replay.openQuickCheckSec,
      openNoCheckSec: replay.openNoCheckSec,
      replaySec: replay.replaySec,
      replayEventsPerSec: replayEvents / replay.replaySec,
    };
    printTable(result);
    return result;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]);
}
