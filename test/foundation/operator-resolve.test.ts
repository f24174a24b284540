// An operator resolves a discrepancy from a scenario, exactly as from the CLI or the API: it is
// journaled with the reason, the report shows it resolved, nothing else changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const demo = readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8');

describe('operator resolve in a scenario', () => {
  it('marks the foreign-position discrepancy resolved with the reason; an unknown id changes nothing', async () => {
    const yaml = `${demo}
operator:
  - { at: '10:00', action: resolve, id: D1, reason: 'the 704 calls are the desk hedge' }
  - { at: '10:01', action: resolve, id: D99, reason: 'typo' }
`;
    const run = await runChecked(scenarioFromYaml(yaml));
    expect(run.verdict.violations).toEqual([]);
    const foreign = run.report.discrepancies.filter((d) => d.kind === 'foreign-position');
    expect(foreign).toHaveLength(1);
    expect(foreign[0]?.resolved).toBe(true);
    expect(run.report.discrepancies.filter((d) => d.resolved)).toHaveLength(1);
    expect(run.engineLog.some((l) => l.includes('no discrepancy D99'))).toBe(true);
    expect(run.report.tradingState).toEqual([]);
  });
});
