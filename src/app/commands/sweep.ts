// keel sim --generate --seeds A..B: random scenarios from each seed, run and checked; a table of
// runs, events and violations, and the one command that reproduces any failing seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, formatVerdict } from '../../sim/check';
import { renderSweepSummary, sweepSummaryFile, writeRunReportHtml } from '../report-html';
import { runScenario, strategiesForScenario, writeRun } from '../../sim/run';
import { generateScenario, reproduceCommand, sweepSeeds, type SweepRow } from '../../sim/sweep';
import type { SimRunOptions } from '../../sim/run/runner';
import { throughDescription, throughLinkFor, type ThroughBroker } from '../through';

export function parseSeeds(text: string): { from: number; to: number } | null {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  return to >= from ? { from, to } : null;
}

export async function sweepCommand(
  seedsText: string,
  out: string | undefined,
  through?: ThroughBroker,
): Promise<number> {
  const runOptions = through === undefined ? {} : { through: throughLinkFor(through, () => {}) };
  const seeds = parseSeeds(seedsText);
  if (!seeds) {
    process.stderr.write(
      `keel sim: --seeds must be N or A..B with A <= B (e.g. 1..1000), got '${seedsText}'\n`,
    );
    return 2;
  }
  if (seeds.from === seeds.to && out !== undefined) return oneSeed(seeds.from, out, runOptions);
  if (through !== undefined) process.stdout.write(`${throughDescription(through)}\n`);
  process.stdout.write('  seed   events  crashes  keel fills  violations\n');
  const rows = await sweepSeeds(seeds.from, seeds.to, (r) => process.stdout.write(formatRow(r)), runOptions);
  const failing = rows.filter((r) => r.error !== null || r.violations.length > 0);
  const events = rows.reduce((s, r) => s + r.events, 0);
  process.stdout.write(`\n${rows.length} runs, ${events} simulated events, ${failing.length} failing\n`);
  const summaryDir = out ?? join('out', `sweep-${seeds.from}-${seeds.to}`);
  mkdirSync(summaryDir, { recursive: true });
  const summary = join(summaryDir, sweepSummaryFile);
  const title = `keel sim --generate --seeds ${seeds.from}..${seeds.to}${through === undefined ? '' : ` --through ${through}`}`;
  writeFileSync(
    summary,
    renderSweepSummary(title, rows, (seed) =>
      through === undefined ? reproduceCommand(seed) : `${reproduceCommand(seed)} --through ${through}`,
    ),
  );
  process.stdout.write(`summary: ${summary}\n`);
  for (const r of failing)
    process.stdout.write(
      `  seed ${r.seed}: ${r.error ?? r.violations[0]?.message ?? ''}\n    reproduce: ${reproduceCommand(r.seed)}${through === undefined ? '' : ` --through ${through}`}\n`,
    );
  return failing.length === 0 ? 0 : 1;
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

function formatRow(r: SweepRow): string {
  const v = r.error !== null ? `ERROR ${r.error}` : String(r.violations.length);
  return `${String(r.seed).padStart(6)} ${String(r.events).padStart(8)} ${String(r.crashes).padStart(8)} ${String(r.keelFills).padStart(11)}  ${v}\n`;
}
