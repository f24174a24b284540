// A sweep: many generated scenarios, each run and checked. Any failing seed comes with the one
// command that reproduces it.
import { addDays, isTradingDay, localDate } from '../../domain';
import type { Scenario } from '../scenario';
import { check, type Violation } from '../check';
import { runScenario, type SimRunOptions } from '../run/runner';
import { strategiesForScenario } from '../run/strategies-for-scenario';
import { generateScenario } from './generate';

export type SweepRow = {
  seed: number;
  /** The strategies the seed's scenario runs (iron-condor-0dte, equity-bracket, ...). */
  strategies: readonly string[];
  /** The kinds of fault the seed injects, each once (reject, partialFill, crashEngine, ...). */
  faultKinds: readonly string[];
  /** Sessions the scenario spans. */
  days: number;
  /** The simulated venue's capability profile: products, and combos or position history. */
  venue: string;
  realizedPnl: number;
  events: number;
  crashes: number;
  keelFills: number;
  violations: readonly Violation[];
  error: string | null;
};

export async function sweepSeeds(
  from: number,
  to: number,
  onRow?: (row: SweepRow) => void,
  runOptions: Partial<SimRunOptions> = {},
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (let seed = from; seed <= to; seed++) {
    const row = await runSeed(seed, runOptions);
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}

/** `runOptions`: e.g. `through`, to run each seed through a broker's adapter and its loopback fake. */
export async function runSeed(seed: number, runOptions: Partial<SimRunOptions> = {}): Promise<SweepRow> {
  let shape: Pick<SweepRow, 'strategies' | 'faultKinds' | 'days' | 'venue'> = {
    strategies: [],
    faultKinds: [],
    days: 0,
    venue: '(unknown)',
  };
  try {
    const scenario = generateScenario(seed);
    shape = {
      strategies: [...new Set(scenario.strategies.map((s) => s.kind))],
      faultKinds: [...new Set(scenario.faults.map(faultKind))].sort(),
      days: tradingDays(scenario),
      venue: venueProfile(scenario),
    };
    const run = await runScenario(scenario, { strategies: strategiesForScenario, ...runOptions });
    const verdict = check(
      { lines: run.venueLog, report: run.report, scenario: { name: scenario.name, seed } },
      { converged: true },
    );
    return {
      seed,
      ...shape,
      realizedPnl: run.report.summary.realizedPnl,
      events: run.stats.events,
      crashes: run.stats.crashes,
      keelFills: verdict.stats.keelFills,
      violations: verdict.violations,
      error: null,
    };
  } catch (e) {
    return {
      seed,
      ...shape,
      realizedPnl: 0,
      events: 0,
      crashes: 0,
      keelFills: 0,
      violations: [],
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
  }
}

export function reproduceCommand(seed: number): string {
  return `keel sim --generate --seeds ${seed}..${seed} --out out/seed-${seed}`;
}

/** A fault's kind; an engine crash says whether it hits at a time or after a number of journal appends. */
function faultKind(f: Scenario['faults'][number]): string {
  return f.kind === 'crashEngine' ? `crashEngine (${f.trigger.kind})` : f.kind;
}

/** "options, combos", "equities", "futures, position history": what the venue can do. */
function venueProfile(scenario: Scenario): string {
  const v = scenario.venue;
  const can = [v.combos ? 'combos' : null, v.positionHistory ? 'position history' : null].filter(
    (x) => x !== null,
  );
  return [v.products, ...can].join(', ');
}

/** The trading days of the scenario's clock window. */
function tradingDays(scenario: Scenario): number {
  const { start, end, calendar } = scenario.clock;
  const last = localDate(end.t, scenario.timeZone);
  let days = 0;
  for (let d = localDate(start.t, scenario.timeZone); d <= last; d = addDays(d, 1))
    if (isTradingDay(d, calendar)) days++;
  return days;
}
