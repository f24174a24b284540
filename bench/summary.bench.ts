// The figures of issue 17's table, each beside its target and the ratio (≥ 1.00 meets it), in
// one table at the end of `npm run bench`, with the anchors the other benches compare against.
// Measured here: the compiled CLI (`node bin/keel.js`) as a user runs it: `--help` and
// `status --journal` start times (median of several spawns), a generated sweep on one worker and
// on every core (its "N runs, M simulated events" line, wall time of the whole command), and the
// heap of a simulated 30-day run at 5 s ticks (a child process with --expose-gc: heap used after
// a full GC at every tenth of the run). The rest comes from the other benches' results.
// Run alone: node --import tsx bench/summary.bench.ts (measures its own parts only).
// Knobs: KEEL_BENCH_SWEEP_SEEDS (default 300: fewer and the workers' start weighs on the speed-up), KEEL_BENCH_CLI_STARTS (default 5),
// KEEL_BENCH_HEAP_DAYS (default 30).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const sweepSeeds = Number(process.env.KEEL_BENCH_SWEEP_SEEDS ?? 300);
const cliStarts = Number(process.env.KEEL_BENCH_CLI_STARTS ?? 5);
const heapDays = Number(process.env.KEEL_BENCH_HEAP_DAYS ?? 30);
const keel = fileURLToPath(new URL('../bin/keel.js', import.meta.url));

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Wall seconds of one `node bin/keel.js ...`, which must succeed; and its stdout. */
function timed(args: readonly string[]): { sec: number; out: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [keel, ...args], { encoding: 'utf8', maxBuffer: 64 * 1_048_576 });
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`keel ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { sec, out: r.stdout };
}

export type CliFigures = { helpSec: number; statusSec: number };

/** `keel --help` and `keel status --journal FILE` (a simulated day's journal): median wall seconds. */
export function measureCliStarts(folder: string): CliFigures {
  timed(['--version']); // builds dist/ if a source is newer: not what is measured
  const journal = join(folder, 'day.sqlite');
  timed([
    'sim',
    'scenarios/demo/condor-foreign-calls.yaml',
    '--out',
    join(folder, 'day'),
    '--journal',
    journal,
    '-q',
  ]);
  const help = Array.from({ length: cliStarts }, () => timed(['--help']).sec);
  const status = Array.from({ length: cliStarts }, () => timed(['status', '--journal', journal]).sec);
  return { helpSec: median(help), statusSec: median(status) };
}

export type SweepRun = { workers: number; runs: number; events: number; sec: number };

/** `keel sim --generate --seeds 1..N --workers W`: its "N runs, M simulated events" line and wall time. */
export function measureSweep(folder: string, workers: number): SweepRun {
  const { sec, out } = timed([
    'sim',
    '--generate',
    '--seeds',
    `1..${sweepSeeds}`,
    '--workers',
    String(workers),
    '--out',
    join(folder, `sweep-${workers}`),
  ]);
  const line = /(\d+) runs, (\d+) simulated events/.exec(out);
  if (line === null) throw new Error(`no "N runs, M simulated events" line in:\n${out}`);
  return { workers, runs: Number(line[1]), events: Number(line[2]), sec };
}

export type HeapRun = {
  days: number;
  events: number;
  sec: number;
  /** MB used after a full GC, at each tenth of the run, and at its end. */
  samplesMb: number[];
  endMb: number;
};

/** The heap of a long simulated run, in a child process that may force GC. */
export function measureHeap(): HeapRun {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(import.meta.url),
      '--heap',
      String(heapDays),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1_048_576 },
  );
  return JSON.parse(out) as HeapRun;
}

/** In the child: the demo condor scenario stretched to `days` calendar days, 5 s ticks. */
async function heapChild(days: number): Promise<HeapRun> {
  const { runScenario, strategiesForScenario } = await import('../src/sim/run');
  const { parseScenario } = await import('../src/sim/scenario');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const end = new Date(Date.UTC(2026, 1, 13) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const yaml = readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8').replace(
    "end: '2026-02-13T16:15:00-05:00'",
    `end: '${end}T16:15:00-05:00'`,
  );
  if (!yaml.includes('stepSeconds: 5')) throw new Error('the demo scenario no longer ticks every 5 s');
  const parsed = parseScenario(yaml, `demo-${days}-days.yaml`, 'yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const heapMb = () => {
    gc();
    return process.memoryUsage().heapUsed / 1_048_576;
  };
  const samplesMb: number[] = [];
  let next = 0.1;
  const start = performance.now();
  const run = await runScenario(parsed.scenario, {
    strategies: strategiesForScenario,
    progress: (fraction) => {
      if (fraction < next) return;
      next += 0.1;
      samplesMb.push(heapMb());
    },
  });
  const sec = (performance.now() - start) / 1000;
  return { days, events: run.stats.events, sec, samplesMb, endMb: heapMb() };
}

/** What the other benches measured (bin/bench.js passes them in). */
export type Measured = {
  journal?: { batchEventsPerSec: number; memoryBatchEventsPerSec: number; fsyncPerSec: number };
  startup?: {
    starts: {
      from: 'newest' | 'previous' | 'none';
      folded: number;
      events: number;
      startup: { wallSec: number; cpuSec: number };
    }[];
  };
  gate?: { openPerSec: number; closePerSec: number; entries: number };
  sim?: { sweep: { eventsPerSec: number; seeds: number } };
};

type Row = { measure: string; now: string; target: string; ratio: number | null };

const n = (x: number, d = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export function summaryRows(
  m: Measured,
  own: { cli: CliFigures; one: SweepRun; all: SweepRun; heap: HeapRun },
): Row[] {
  const rows: Row[] = [];
  const higher = (measure: string, now: number, target: number, unit: string, d = 0) =>
    rows.push({
      measure,
      now: `${n(now, d)}${unit}`,
      target: `≥ ${n(target, d)}${unit}`,
      ratio: now / target,
    });
  const lower = (measure: string, now: number, target: number, unit: string, d = 2) =>
    rows.push({
      measure,
      now: `${n(now, d)}${unit}`,
      target: `< ${n(target, d)}${unit}`,
      ratio: target / now,
    });
  const anchor = (measure: string, now: string) =>
    rows.push({ measure, now, target: '(anchor)', ratio: null });

  const { one, all } = own;
  higher(
    `generated sweep, events/s, one worker (CLI seeds 1..${one.runs}, wall incl. start)`,
    one.events / one.sec,
    250_000,
    '/s',
  );
  if (m.sim !== undefined)
    anchor(
      `  in-process sweep, seeds 1..${m.sim.sweep.seeds} (bench/sim.bench.ts)`,
      `${n(m.sim.sweep.eventsPerSec)}/s`,
    );
  higher(
    `parallel sweep speed-up, ${all.workers} workers vs 1`,
    one.sec / all.sec,
    all.workers >= 2 ? 1.8 : 1,
    '×',
    2,
  );
  lower('`keel --help` start (compiled CLI, median)', own.cli.helpSec, 0.3, ' s');
  lower('`keel status --journal` start (median)', own.cli.statusSec, 0.3, ' s');
  if (m.gate !== undefined) {
    higher(
      `gate open checks, week of ${n(m.gate.entries)} budget entries`,
      m.gate.openPerSec,
      1_000_000,
      '/s',
    );
    higher('gate close checks', m.gate.closePerSec, 1_000_000, '/s');
  }
  if (m.startup !== undefined) {
    const newest = m.startup.starts.find((s) => s.from === 'newest');
    const previous = m.startup.starts.find((s) => s.from === 'previous');
    const none = m.startup.starts.find((s) => s.from === 'none');
    if (newest !== undefined)
      lower(
        `start-up: ${n(newest.events)} events + reconcile, newest checkpoint + ${n(newest.folded)}`,
        newest.startup.wallSec,
        2,
        ' s',
      );
    if (previous !== undefined)
      lower(
        `  the checkpoint before it + ${n(previous.folded)} events (longest tail)`,
        previous.startup.wallSec,
        2,
        ' s',
      );
    if (none !== undefined)
      anchor('  no checkpoint: every event folded (as before)', `${n(none.startup.wallSec, 2)} s`);
  }
  if (m.journal !== undefined) {
    higher('batched fills journaled (100 per durable commit)', m.journal.batchEventsPerSec, 200_000, '/s');
    anchor('  raw fsync of this disk (100 B append + fsync)', `${n(m.journal.fsyncPerSec)}/s`);
    anchor('  the same batches in memory (CPU only, no fsync)', `${n(m.journal.memoryBatchEventsPerSec)}/s`);
  }
  const { heap } = own;
  const first = heap.samplesMb[0] ?? heap.endMb;
  const growth = ((heap.endMb - first) / (heap.events * 0.9)) * 1e6;
  anchor(
    `heap used, ${heap.days}-day simulated run at 5 s ticks (${n(heap.events)} events)`,
    `${n(first, 1)} MB at 10%, ${n(heap.endMb, 1)} MB at the end`,
  );
  rows.push({
    measure: '  heap growth per million simulated events',
    now: `${n(growth, 2)} MB`,
    target: 'flat (≤ 1 MB)',
    ratio: growth <= 0 ? Infinity : 1 / growth,
  });
  return rows;
}

export function printSummary(rows: readonly Row[]): void {
  const cells = rows.map((r) => [
    r.measure,
    r.now,
    r.target,
    r.ratio === null ? '' : r.ratio === Infinity ? '∞' : `${n(r.ratio, 2)}${r.ratio >= 1 ? '' : '  short'}`,
  ]);
  const head = ['measure', 'now', 'target', 'ratio'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ');
  console.log(
    `\nsummary: issue 17's table (ratio ≥ 1.00 meets the target; node ${process.version}, ${availableParallelism()} cores)`,
  );
  console.log(`  ${line(head)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const row of cells) console.log(`  ${line(row)}`);
}

export async function main(measured: Measured = {}): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'keel-summary-bench-'));
  try {
    const cli = measureCliStarts(folder);
    const one = measureSweep(folder, 1);
    const all = measureSweep(folder, availableParallelism());
    const heap = measureHeap();
    printSummary(summaryRows(measured, { cli, one, all, heap }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, arg] = process.argv.slice(2);
  if (mode === '--heap') console.log(JSON.stringify(await heapChild(Number(arg ?? heapDays))));
  else await main();
}
