// Numbers and words a trader reads (issue 19, point 5): refusals priced on the tick and in cents,
// never float noise; an entry refused every minute by the same rule logged once, then counted;
// the exit reason's mark PnL labelled apart from the trade's realized PnL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/app/run-config';
import { runChecked } from '../support/run-scenario';

const dir = mkdtempSync(join(tmpdir(), 'keel-trader-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function condor(name: string, edit: (text: string) => string) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, edit(readFileSync('examples/iron-condor-0dte.yaml', 'utf8')));
  const loaded = loadRunConfig(file);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const run = await runChecked(loaded.config.scenario);
  expect(run.verdict.violations).toEqual([]);
  return run;
}

describe('an entry refused all day by a per-position cap too small for one condor', () => {
  const tight = (t: string) =>
    t.replace('maxPositionPct: 0.10', 'maxPositionPct: 0.0005').replace('minCredit: 0.10', 'minCredit: 0.05');

  it('prices each refusal in cents, logs the run once and counts the repeats', async () => {
    const run = await condor('tight', tight);
    const refusals = run.report.refusals;
    expect(refusals.length).toBeGreaterThan(100); // one per minute of the entry window, all kept
    expect(refusals[0]?.message).toMatch(/^XSP 2 @ 91 = \$182 is 0\.2% of equity/);
    for (const r of refusals) expect(r.message).not.toMatch(/\d\.\d{5,}/);
    const lines = run.dailyLog.split('\n');
    const refusedLines = lines.filter((l) => l.includes('refused (maxPositionPct)'));
    // The engine's refusal, then the strategy's note: one line each, not one a minute.
    expect(refusedLines).toHaveLength(2);
    expect(refusedLines.join('\n')).toContain(`(repeated ${refusals.length - 1} more time(s) until `);
    expect(run.dailyLog).toContain(`| refusals | ${refusals.length} |`);
  });
});

describe('the exit reason and the realized PnL', () => {
  it("labels the exit's mark PnL and the trade's realized PnL, which differ", async () => {
    const run = await condor('example', (t) => t);
    const exits = run.report.groups.map((g) => g.exitReason ?? '');
    expect(exits.some((e) => /^take-profit: mark PnL 17\.80 >= 50% of credit/.test(e))).toBe(true);
    expect(run.dailyLog).toContain('| exit reason | executions | realized PnL (net) | commissions |');
  });
});
