// A fixed set of generated seeds (random paths, faults, crashes, disconnects, duplicate fills,
// external trades) must run clean under the outside checker. The bench runs many more.
import { describe, expect, it } from 'vitest';
import { localDate, localWeekday, parseIsoWithOffset } from '../../src/domain';
import { generateScenario, generateScenarioYaml, reproduceCommand, sweepSeeds } from '../../src/sim/sweep';
import { runChecked } from '../support/run-scenario';

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

  it('includes multi-day runs that hold positions overnight: equity brackets and a crypto weekend', async () => {
    const kinds = (seed: number) =>
      /kind: (equity-bracket|futures-protected|iron-condor-0dte)/.exec(generateScenarioYaml(seed))?.[1];
    const seeds = Array.from({ length: ciSeeds }, (_, i) => i + 1);
    const bracket = seeds.find((s) => kinds(s) === 'equity-bracket');
    const crypto = seeds.find((s) => kinds(s) === 'futures-protected');
    expect(bracket).toBeDefined();
    expect(crypto).toBeDefined();
    for (const seed of [bracket, crypto]) {
      if (seed === undefined) continue;
      const scenario = generateScenario(seed);
      const run = await runChecked(scenario);
      expect(run.verdict.violations).toEqual([]);
      expect(run.dailyLogs.length).toBe(3);
      const zone = scenario.timeZone;
      const day = (iso: string | null) =>
        iso === null ? null : localDate(parseIsoWithOffset(iso)?.epochMs ?? 0, zone);
      // A group held across a session's end: closed on a later day, or still open when the run ends.
      const overnight = run.report.groups.filter((g) => day(g.closedAt) !== day(g.openedAt));
      expect(overnight.length).toBeGreaterThan(0);
      // The crypto run trades the weekend: the market moves and keel acts on Saturday and Sunday.
      if (seed === crypto) {
        expect(run.dailyLogs.map((d) => d.day)).toEqual(['2026-02-13', '2026-02-14', '2026-02-15']);
        const weekend = run.venueLog.filter((l) => {
          const t = parseIsoWithOffset(l.t)?.epochMs ?? 0;
          return localWeekday(t, zone) === 6 || localWeekday(t, zone) === 0;
        });
        expect(weekend.length).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});
