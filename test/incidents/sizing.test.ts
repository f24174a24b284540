// 2026-01-02 position sizing overexposure, replayed: two manual orders for 79% of a $105,000
// account. The safe outcome: both refused or cut to what the caps allow (61 PLTR, 23 TSLA), day
// exposure never past 20%, each refusal in the report with its rule.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/incidents/2026-01-02-position-sizing-overexposure.yaml';
let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(scenarioFromFile(file));
});

describe('jan02 sizing overexposure', () => {
  it('runs clean under the outside checker', () => {
    expect(run.verdict.violations).toEqual([]);
  });

  it('refuses both manual orders with the per-position rule and what would fit', () => {
    const rules = run.report.refusals.map((r) => [r.rule, r.maxAllowedQty]);
    expect(rules).toEqual([
      ['maxPositionPct', 61],
      ['maxPositionPct', 23],
    ]);
    const filled = run.venueLog.filter((l) => l.type === 'fill');
    expect(filled).toEqual([]);
  });
});
