// Crash at every step: the engine dies right after each of the first journal appends of a day
// (one run per point) and restarts from its journal. After every run: no duplicate client order
// ids at the venue, ownership equal to the venue minus foreign, PnL equal to the venue's fills,
// every order resolved (the outside checker with convergence).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../../src/sim/run/test-support';

const base = readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8');
const crashPointsMax = 60;

describe('crash at every step', () => {
  it(`survives a crash after each of the first ${crashPointsMax} journal appends`, async () => {
    const failures: string[] = [];
    for (let n = 1; n <= crashPointsMax; n++) {
      const yaml = `${base}\nfaults:\n  - { afterAppends: ${n}, crashEngine: { restartAfter: 20 } }\n`;
      const run = await runChecked(scenarioFromYaml(yaml, `crash-after-${n}.yaml`));
      if (run.stats.crashes !== 1) failures.push(`append ${n}: expected one crash, got ${run.stats.crashes}`);
      for (const v of run.verdict.violations)
        failures.push(`append ${n}: ${v.invariant} at seq ${v.seq}: ${v.message}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
