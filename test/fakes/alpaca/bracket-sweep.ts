// A sweep of generated equity-bracket scenarios (the multi-day bracket weeks of `keel sim --generate`:
// partial and late fills, rejections, engine crashes, venue disconnects, duplicate fills, someone
// else's position) run in-process and through the alpaca adapter and the fake Alpaca; prints each
// seed's events, keel fills and both checker verdicts.
//   npx tsx test/fakes/alpaca/bracket-sweep.ts [count] [firstSeed]
import { check } from '../../../src/sim/check';
import { runScenario } from '../../../src/sim/run/runner';
import { strategiesForScenario } from '../../../src/sim/run/strategies-for-scenario';
import { parseScenario } from '../../../src/sim/scenario';
import { generateScenarioYaml } from '../../../src/sim/sweep/generate';
import { alpacaThroughLink } from './through';

async function verdict(seed: number, through: boolean) {
  const parsed = parseScenario(generateScenarioYaml(seed), `generated-${seed}.yaml`, 'yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const scenario = parsed.scenario;
  const result = await runScenario(scenario, {
    strategies: strategiesForScenario,
    ...(through ? { through: (sim, clock) => alpacaThroughLink(sim, clock) } : {}),
  });
  const v = check(
    { lines: result.venueLog, report: result.report, scenario: { name: scenario.name, seed: scenario.seed } },
    { converged: true },
  );
  const fills = result.venueLog.filter((l) => l.type === 'fill' && l.clientOrderId !== null).length;
  return { events: result.stats.events, fills, violations: v.violations };
}

async function main(count: number, first: number): Promise<void> {
  let failing = 0;
  let runs = 0;
  console.log('  seed   events  keel fills (in-process / wire)  violations (in-process / wire)');
  for (let seed = first; runs < count; seed++) {
    if (!generateScenarioYaml(seed).includes('kind: equity-bracket')) continue;
    runs++;
    const inProcess = await verdict(seed, false);
    const wire = await verdict(seed, true);
    const same = JSON.stringify(inProcess.violations) === JSON.stringify(wire.violations);
    if (wire.violations.length > 0 || !same) failing++;
    console.log(
      `${String(seed).padStart(6)} ${String(wire.events).padStart(8)}  ${String(inProcess.fills).padStart(5)} / ${String(wire.fills).padEnd(24)}  ${inProcess.violations.length} / ${wire.violations.length}${same ? '' : '  (verdicts differ)'}`,
    );
    for (const v of wire.violations) console.log(`        ${v.invariant}: ${v.message}`);
  }
  console.log(`${runs} bracket-week seeds through alpaca, ${failing} failing`);
  process.exitCode = failing > 0 ? 1 : 0;
}

void main(Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 1));
