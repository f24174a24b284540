// Runs scenarios in tests: from a file or inline YAML, with the checker's verdict attached.
import { strategiesForScenario } from '../../src/sim/run/strategies-for-scenario';
import { check } from '../../src/sim/check';
import { loadScenario, parseScenario, type Scenario } from '../../src/sim/scenario';
import { runScenario, type SimRunOptions } from '../../src/sim/run/runner';

export function scenarioFromYaml(text: string, name = 'inline.yaml'): Scenario {
  const r = parseScenario(text, name, 'yaml');
  if (!r.ok) throw new Error(`invalid test scenario:\n${r.errors.join('\n')}`);
  return r.scenario;
}

export function scenarioFromFile(path: string): Scenario {
  const r = loadScenario(path);
  if (!r.ok) throw new Error(`invalid scenario ${path}:\n${r.errors.join('\n')}`);
  return r.scenario;
}

export async function runChecked(scenario: Scenario, options: Partial<SimRunOptions> = {}) {
  const result = await runScenario(scenario, { strategies: strategiesForScenario, ...options });
  const verdict = check(
    { lines: result.venueLog, report: result.report, scenario: { name: scenario.name, seed: scenario.seed } },
    { converged: true },
  );
  return { ...result, verdict };
}
