// 2026-02-13 position contamination cascade, replayed. The safe outcome: zero foreign touches, no
// false stop, exactly the four owned legs closed after the combo close is refused, at most 8 keel
// executions, no flips (the checker proves the last three from the venue log alone).
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/incidents/2026-02-13-position-contamination-cascade.yaml';
let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(scenarioFromFile(file));
});

describe('feb13 contamination cascade', () => {
  it('passes every invariant of the outside checker (foreign untouched, no flips, defined risk, PnL exact)', () => {
    expect(run.verdict.violations).toEqual([]);
  });

  it('opens the 671P/672P/692C/693C condor and never orders the foreign 704C', () => {
    const orders = run.venueLog.filter((l) => l.type === 'order' && l.origin === 'keel');
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) {
      if (o.type !== 'order') continue;
      for (const leg of o.legs) expect(leg.instrument.strike).not.toBe(704);
    }
    const g = run.report.groups[0];
    expect(
      g?.legs.map((l) => `${l.qty > 0 ? '+' : ''}${l.qty} ${l.instrument.strike}${l.instrument.right}`),
    ).toEqual(['+1 671P', '-1 672P', '-1 692C', '+1 693C']);
  });

  it('never fires a false stop: the group closes only by the operator flatten', () => {
    const g = run.report.groups[0];
    expect(g?.exitReason).toBe('operator flatten');
    expect(run.report.groups).toHaveLength(1);
  });

  it('after the combo close is refused, closes exactly the four owned legs, each once', () => {
    const closes = run.venueLog.filter(
      (l) =>
        l.type === 'order' &&
        l.origin === 'keel' &&
        l.clientOrderId !== null &&
        /-c\d+$/.test(l.clientOrderId),
    );
    const comboCloses = closes.filter((l) => l.type === 'order' && l.combo);
    expect(comboCloses.length).toBeGreaterThanOrEqual(1);
    const closeFills = run.venueLog.filter(
      (l) => l.type === 'fill' && l.clientOrderId !== null && /-c\d+$/.test(l.clientOrderId),
    );
    const strikes = closeFills
      .map((l) => (l.type === 'fill' ? `${l.instrument.strike}${l.instrument.right}` : ''))
      .sort();
    expect(strikes).toEqual(['671P', '672P', '692C', '693C']);
    expect(run.report.groups[0]?.status).toBe('closed');
  });

  it('stays within the 4-8 executions the incident should have had, with the foreign 24 untouched', () => {
    expect(run.report.summary.executions).toBeLessThanOrEqual(8);
    const positions704 = run.venueLog.filter((l) => l.type === 'position' && l.instrument.strike === 704);
    expect(positions704.every((l) => l.type !== 'position' || l.qty === 24 || l.qty === 0)).toBe(true);
    expect(run.report.discrepancies.some((d) => d.kind === 'foreign-position')).toBe(true);
  });
});
