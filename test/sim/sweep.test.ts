// A fixed set of generated seeds (random paths, faults, crashes, disconnects, duplicate fills,
// external trades) must run clean under the outside checker. The bench runs many more.
import { describe, expect, it } from 'vitest';
import { generateScenarioYaml, reproduceCommand, sweepSeeds } from '../../src/sim/sweep';

const ciSeeds = 25;

describe('generated sweep', () => {
  it(`runs ${ciSeeds} seeds clean`, async () => {
    const rows = await sweepSeeds(1, ciSeeds);
    const failing = rows
      .filter((r) => r.error !== null || r.violations.length > 0)
      .map(
        (r) =>
          `seed ${r.seed}: ${r.error ?? JSON.stringify(r.violations.slice(0, 3))} (${reproduceCommand(r.seed)})`,
      );
    expect(failing).toEqual([]);
    expect(rows.reduce((s, r) => s + r.keelFills, 0)).toBeGreaterThan(0);
    expect(rows.some((r) => r.crashes > 0)).toBe(true);
  }, 300_000);

  it('derives every scenario from its seed alone', () => {
    expect(generateScenarioYaml(7)).toBe(generateScenarioYaml(7));
    expect(generateScenarioYaml(7)).not.toBe(generateScenarioYaml(8));
  });
});
