// A sweep: many generated scenarios, each run and checked. Any failing seed comes with the one
// command that reproduces it.
import { check, type Violation } from '../check';
import { runScenario, type SimRunOptions } from '../run/runner';
import { strategiesForScenario } from '../run/strategies-for-scenario';
import { generateScenario } from './generate';

export type SweepRow = {
  seed: number;
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
  try {
    const scenario = generateScenario(seed);
    const run = await runScenario(scenario, { strategies: strategiesForScenario, ...runOptions });
    const verdict = check(
      { lines: run.venueLog, report: run.report, scenario: { name: scenario.name, seed } },
      { converged: true },
    );
    return {
      seed,
      events: run.stats.events,
      crashes: run.stats.crashes,
      keelFills: verdict.stats.keelFills,
      violations: verdict.violations,
      error: null,
    };
  } catch (e) {
    return {
      seed,
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
