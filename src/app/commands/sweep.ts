// keel sim --generate --seeds A..B: random scenarios from each seed, run and checked; a table of
// runs, events and violations, and the one command that reproduces any failing seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, formatVerdict } from '../../sim/check';
import { renderSweepSummary, sweepSummaryFile, writeRunReportHtml } from '../report-html';
import { runScenario, strategiesForScenario, writeRun } from '../../sim/run';
import { generateScenario, reproduceCommand, rowFails, SweepTally, type SweepRow } from '../../sim/sweep';
import { sweepPool } from '../sweep-pool';
import { SweepProgress } from '../sweep-progress';
import { SweepState } from '../sweep-state';
import type { SimRunOptions } from '../../sim/run/runner';
import { throughDescription, throughLinkFor, type ThroughBroker } from '../through';

export function parseSeeds(text: string): { from: number; to: number } | null {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  return to >= from ? { from, to } : null;
}

export type SweepCliOptions = {
  readonly seeds: string;
  readonly out: string | undefined;
  readonly through: ThroughBroker | undefined;
  /** Worker threads; default: the machine's cores. */
  readonly workers: number;
  /** Continue a sweep stopped part-way, from the state file in its out directory. */
  readonly resume: boolean;
  readonly quiet: boolean;
};

/** A sweep of this many seeds or fewer prints a row per seed; a longer one prints failing seeds only. */
const rowsUpTo = 10_000;

export async function sweepCommand(o: SweepCliOptions): Promise<number> {
  const { through } = o;
  const seeds = parseSeeds(o.seeds);
  if (!seeds) {
    process.stderr.write(
      `keel sim: --seeds must be N or A..B with A <= B (e.g. 1..1000), got '${o.seeds}'\n`,
    );
    return 2;
  }
  if (!Number.isSafeInteger(o.workers) || o.workers < 1) {
    process.stderr.write(`keel sim: --workers must be a whole number >= 1, got '${o.workers}'\n`);
    return 2;
  }
  if (seeds.from === seeds.to && o.out !== undefined && !o.resume) {
    const runOptions = through === undefined ? {} : { through: throughLinkFor(through, () => {}) };
    return oneSeed(seeds.from, o.out, runOptions);
  }
  const dir = o.out ?? join('out', `sweep-${seeds.from}-${seeds.to}`);
  mkdirSync(dir, { recursive: true });
  const state = new SweepState(dir, seeds, through ?? null);
  let tally = new SweepTally();
  let start = seeds.from;
  if (o.resume) {
    const saved = state.read();
    if (!saved.ok) {
      process.stderr.write(`keel sim: --resume: ${saved.error}\n`);
      return 2;
    }
    tally = saved.tally;
    start = saved.next;
    process.stdout.write(
      `resuming: seeds ${seeds.from}..${start - 1} done (${tally.runs} runs, ${tally.failingCount} failing), continuing at ${start}\n`,
    );
  }
  const total = seeds.to - seeds.from + 1;
  const printRows = total <= rowsUpTo;
  if (through !== undefined) process.stdout.write(`${throughDescription(through)}\n`);
  process.stdout.write(`${Math.min(o.workers, Math.max(1, seeds.to - start + 1))} worker(s)\n`);
  if (printRows) process.stdout.write('  seed   events  crashes  keel fills  violations\n');
  const progress = new SweepProgress(total, tally.runs, tally.events, o.quiet);
  let stopping = false;
  const onSigint = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nkeel sim: stopping after the seeds running now (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  let next = start;
  try {
    await sweepPool({
      from: start,
      to: seeds.to,
      workers: o.workers,
      through: through ?? null,
      stopping: () => stopping,
      onRow: (r) => {
        tally.add(r);
        next = r.seed + 1;
        if (printRows || rowFails(r)) {
          progress.clearLine();
          process.stdout.write(formatRow(r, through));
        }
        progress.update(tally.runs, tally.events);
        if (state.due()) state.write(next, tally);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    state.write(next, tally);
    progress.clearLine();
  }
  const failing = tally.failing;
  process.stdout.write(
    `\n${tally.runs} runs, ${tally.events} simulated events, ${tally.failingCount} failing${progress.rateText()}\n\n${tally.formatCoverage()}\n\n`,
  );
  const summary = join(dir, sweepSummaryFile);
  const title = `keel sim --generate --seeds ${seeds.from}..${seeds.to}${through === undefined ? '' : ` --through ${through}`}`;
  writeFileSync(
    summary,
    renderSweepSummary(title, tally, (seed) => repro(seed, through)),
  );
  process.stdout.write(`summary: ${summary}\n`);
  for (const r of failing)
    process.stdout.write(
      `  seed ${r.seed}: ${r.error ?? r.violations[0]?.message ?? ''}\n    reproduce: ${repro(r.seed, through)}\n`,
    );
  if (tally.failingCount > failing.length)
    process.stdout.write(
      `  ... and ${tally.failingCount - failing.length} more failing seeds (see the table)\n`,
    );
  if (stopping) {
    process.stdout.write(`stopped at seed ${next}: continue with the same command and --resume\n`);
    return 130;
  }
  return tally.failingCount === 0 ? 0 : 1;
}

function repro(seed: number, through: ThroughBroker | undefined): string {
  return through === undefined ? reproduceCommand(seed) : `${reproduceCommand(seed)} --through ${through}`;
}

async function oneSeed(seed: number, out: string, runOptions: Partial<SimRunOptions>): Promise<number> {
  const scenario = generateScenario(seed);
  const run = await runScenario(scenario, { strategies: strategiesForScenario, ...runOptions });
  writeRun(out, run);
  const html = writeRunReportHtml(out, {
    report: run.report,
    startEquity: scenario.account.equity,
    seed,
    source: join(out, 'report.json'),
  });
  const verdict = check(
    { lines: run.venueLog, report: run.report, scenario: { name: scenario.name, seed } },
    { converged: true },
  );
  process.stdout.write(
    `seed ${seed}: ${run.stats.events} events, ${run.stats.crashes} crash(es)\n${formatVerdict(verdict)}\nwrote ${out}\nreport: ${html}\n`,
  );
  return verdict.ok ? 0 : 1;
}

function formatRow(r: SweepRow, through: ThroughBroker | undefined): string {
  const v = r.error !== null ? `ERROR ${r.error}` : String(r.violations.length);
  const line = `${String(r.seed).padStart(6)} ${String(r.events).padStart(8)} ${String(r.crashes).padStart(8)} ${String(r.keelFills).padStart(11)}  ${v}`;
  return rowFails(r) ? `${line}  reproduce: ${repro(r.seed, through)}\n` : `${line}\n`;
}
