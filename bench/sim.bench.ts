// Simulator figures: generated sweep scenarios run and judged by the outside checker (simulated
// events and venue-log lines per second of wall time), and one full simulated 0DTE condor day
// (the demo scenario, no faults) from the opening bell to the report.
// Run: node --import tsx bench/sim.bench.ts
import { pathToFileURL } from 'node:url';
import { check } from '../src/sim/check';
import { runScenario, strategiesForScenario } from '../src/sim/run';
import { loadScenario } from '../src/sim/scenario';
import { generateScenario } from '../src/sim/sweep';

// Many more than the 25 CI runs: the bench is where the sweep goes wide (the CLI goes to 1,000+).
const sweepSeeds = Number(process.env.KEEL_BENCH_SIM_SEEDS ?? 200);
const dayRepeats = 5;

async function benchSweep() {
  let events = 0;
  let venueLines = 0;
  let violations = 0;
  let checkMs = 0;
  const start = performance.now();
  for (let seed = 1; seed <= sweepSeeds; seed++) {
    const scenario = generateScenario(seed);
    const run = await runScenario(scenario, { strategies: strategiesForScenario });
    const checkStart = performance.now();
    const verdict = check(
      { lines: run.venueLog, report: run.report, scenario: { name: scenario.name, seed } },
      { converged: true },
    );
    checkMs += performance.now() - checkStart;
    events += run.stats.events;
    venueLines += run.venueLog.length;
    violations += verdict.violations.length;
  }
  const sec = (performance.now() - start) / 1000;
  return {
    seeds: sweepSeeds,
    events,
    venueLines,
    violations,
    seconds: sec,
    eventsPerSec: events / sec,
    venueLinesPerSec: venueLines / sec,
    checkShare: checkMs / 1000 / sec,
  };
}

async function benchDay() {
  const loaded = loadScenario('scenarios/demo/condor-foreign-calls.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const seconds: number[] = [];
  let events = 0;
  let violations = 0;
  for (let i = 0; i < dayRepeats; i++) {
    const start = performance.now();
    const run = await runScenario(loaded.scenario, { strategies: strategiesForScenario });
    const verdict = check({ lines: run.venueLog, report: run.report }, { converged: true });
    seconds.push((performance.now() - start) / 1000);
    events = run.stats.events;
    violations = verdict.violations.length;
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    events,
    violations,
    first: seconds[0] ?? NaN, // includes the first load of the engine's modules
    median: sorted[Math.floor(sorted.length / 2)] ?? NaN,
  };
}

export async function main() {
  const sweep = await benchSweep();
  const day = await benchDay();
  const rows: [string, string][] = [
    [
      `generated sweep, seeds 1..${sweep.seeds}, checker on`,
      `${Math.round(sweep.eventsPerSec).toLocaleString()} simulated events/s, ` +
        `${Math.round(sweep.venueLinesPerSec).toLocaleString()} venue-log lines/s ` +
        `(${sweep.events.toLocaleString()} events, ${sweep.seconds.toFixed(2)} s, checker ${(sweep.checkShare * 100).toFixed(1)}% of it), ` +
        `${sweep.violations} violations`,
    ],
    [
      `one full 0DTE condor day (demo scenario, ${day.events.toLocaleString()} events) + checker`,
      `${day.median.toFixed(3)} s wall (median of ${dayRepeats}; first ${day.first.toFixed(3)} s), ${day.violations} violations`,
    ],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('simulator');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  return { sweep, day };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
