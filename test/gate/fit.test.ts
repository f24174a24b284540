// --fit on the 2026-01-02 incident: the two manual orders (291 PLTR, 76 TSLA) are refused by the
// per-position cap and the largest orders that pass (61 and 23) are sent instead. The report
// keeps the refusal, then the fitted group; the day stays within 20% of the account.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { keelOrders, openFills, rulesOf } from './gate-scenario';

const incident = readFileSync('scenarios/incidents/2026-01-02-position-sizing-overexposure.yaml', 'utf8');
const withFit = incident
  .replace('stop: 163 }', 'stop: 163, fit: true }')
  .replace('stop: 420 }', 'stop: 420, fit: true }')
  // Both positions are closed before the end, so their protective stops do not stay working.
  .replace(
    '\nrisk:',
    "\n  - { at: '15:30', action: flatten, group: operator-20260102-1 }\n  - { at: '15:31', action: flatten, group: operator-20260102-2 }\nrisk:",
  );

let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(scenarioFromYaml(withFit, 'jan02-fit.yaml'));
});

describe('operator --fit on the sizing incident', () => {
  it('the scenario really asks for --fit on both orders', () => {
    expect(withFit.match(/fit: true/g)).toHaveLength(2);
    expect(run.verdict.violations).toEqual([]);
  });

  it('the report lists both refusals with what fits: 61 PLTR, 23 TSLA', () => {
    expect(rulesOf(run.report.refusals)).toEqual([
      ['maxPositionPct', 61],
      ['maxPositionPct', 23],
    ]);
  });

  it('then the fitted groups: 61 PLTR and 23 TSLA, opened at the refusal instant', () => {
    const groups = run.report.groups.map((g) => [g.id, g.legs.map((l) => [l.instrument.symbol, l.qty])]);
    expect(groups).toEqual([
      ['operator-20260102-1', [['PLTR', 61]]],
      ['operator-20260102-2', [['TSLA', 23]]],
    ]);
    run.report.groups.forEach((g, k) => expect(g.openedAt).toBe(run.report.refusals[k]?.t));
    const lines = run.engineLog.filter((l) => l.includes('operator order:'));
    const refused = lines.findIndex((l) => l.includes('refused (maxPositionPct)') && l.includes('PLTR 291'));
    const fitted = lines.findIndex((l) =>
      l.includes('fitted to 61: accepted into group operator-20260102-1'),
    );
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(fitted).toBeGreaterThan(refused);
    expect(lines.some((l) => l.includes('fitted to 23: accepted into group operator-20260102-2'))).toBe(true);
  });

  it('the venue only ever sees the fitted quantities; the day stays within 20%', () => {
    const opens = keelOrders(run.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
    expect([...new Set(opens.map((o) => o.qty))].sort((a, b) => a - b)).toEqual([23, 61]);
    const fills = openFills(run.venueLog);
    expect(fills.map((f) => [f.instrument.symbol, f.qty])).toEqual([
      ['PLTR', 61],
      ['TSLA', 23],
    ]);
    for (const f of fills) expect(f.qty * f.price).toBeLessThanOrEqual(0.1 * 105_000);
    const day = fills.reduce((sum, f) => sum + f.qty * f.price, 0);
    expect(day).toBeLessThanOrEqual(0.2 * 105_000);
  });
});
