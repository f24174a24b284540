#!/usr/bin/env node
// npm run bench: every benchmark, figures and ratios printed (never asserted in tests), then one
// summary table of issue 17's figures: measure | now | target | ratio (bench/summary.bench.ts).
// Knobs to shrink it: KEEL_BENCH_JOURNAL_REPLAY_EVENTS, KEEL_BENCH_STARTUP_EVENTS,
// KEEL_BENCH_SIM_SEEDS, KEEL_BENCH_GATE_GROUPS / _OPENS / _CLOSES, KEEL_BENCH_SWEEP_SEEDS,
// KEEL_BENCH_CLI_STARTS, KEEL_BENCH_HEAP_DAYS (each bench's header says what it measures).
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const { main: journal } = await import('../bench/journal.bench.ts');
const { main: engine } = await import('../bench/engine.bench.ts');
const sqliteJournal = await journal();
await (await import('../bench/journal-postgres.bench.ts')).main(sqliteJournal);
const startup = await (await import('../bench/startup.bench.ts')).main();
await engine();
const sim = await (await import('../bench/sim.bench.ts')).main();
await (await import('../bench/reconcile.bench.ts')).main();
// The gate in a process of its own: checks measured in a heap the benches before it filled run
// at half their speed, which is the other benches' cost, not the gate's.
const gate = (() => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gate.bench.ts'], {
    encoding: 'utf8',
    env: { ...process.env, KEEL_BENCH_FIGURES: '1' },
  });
  const lines = r.stdout.split('\n');
  const figures = lines.find((l) => l.startsWith('figures '));
  process.stdout.write(lines.filter((l) => !l.startsWith('figures ')).join('\n'));
  if (r.status !== 0 || figures === undefined) throw new Error(`the gate bench failed:\n${r.stderr}`);
  return JSON.parse(figures.slice('figures '.length));
})();
await (await import('../bench/pricing.bench.ts')).main();
await (await import('../bench/summary.bench.ts')).main({ journal: sqliteJournal, startup, gate, sim });
