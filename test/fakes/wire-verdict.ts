// One generated seed run and checked, in-process or through a broker's adapter and loopback fake:
// what the wire sweeps (alpaca/bracket-sweep.ts, exchange/futures-sweep.ts) compare seed by seed.
import { check } from '../../src/sim/check';
import { runScenario, type SimRunOptions } from '../../src/sim/run/runner';
import { strategiesForScenario } from '../../src/sim/run/strategies-for-scenario';
import { parseScenario } from '../../src/sim/scenario';
import { generateScenarioYaml } from '../../src/sim/sweep/generate';

export async function wireVerdict(seed: number, through?: SimRunOptions['through']) {
  const parsed = parseScenario(generateScenarioYaml(seed), `generated-${seed}.yaml`, 'yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const scenario = parsed.scenario;
  const result = await runScenario(scenario, {
    strategies: strategiesForScenario,
    ...(through === undefined ? {} : { through }),
  });
  const v = check(
    { lines: result.venueLog, report: result.report, scenario: { name: scenario.name, seed: scenario.seed } },
    { converged: true },
  );
  const fills = result.venueLog.filter((l) => l.type === 'fill' && l.clientOrderId !== null).length;
  return { events: result.stats.events, fills, violations: v.violations };
}
