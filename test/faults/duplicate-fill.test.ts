// Fault `duplicateFill`: the venue reports the next fill twice with the same exec id (and writes
// both reports to its log); the position moves once. keel counts it once: executions, ownership,
// commissions and PnL all as if it came once (the checker recomputes PnL from the venue's fills).
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, keelOrders, linesOf } from './condor';

let run: Awaited<ReturnType<typeof runChecked>>;
let crashed: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'duplicate-fill',
        faults: ['{ at: "09:45:05", duplicateFill: true }', '{ at: "12:00", duplicateFill: true }'],
      }),
    ),
  );
  crashed = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'duplicate-fill-then-crash',
        faults: [
          '{ at: "09:45:05", duplicateFill: true }',
          '{ at: "11:00:03", crashEngine: { restartAfter: 60 } }',
        ],
      }),
    ),
  );
});

describe('fault: duplicateFill', () => {
  it('the venue writes two fill lines with one exec id, twice in the day; the position moves once', () => {
    const fills = linesOf(run.venueLog, 'fill');
    const twice = [...new Set(fills.map((f) => f.execId))].filter(
      (id) => fills.filter((f) => f.execId === id).length === 2,
    );
    expect(twice).toHaveLength(2);
    for (const id of twice) {
      const [first, again] = fills.filter((f) => f.execId === id);
      expect({ ...again, seq: 0 }).toEqual({ ...first, seq: 0 });
      const between = run.venueLog.filter((l) => l.seq > (first?.seq ?? 0) && l.seq < (again?.seq ?? 0));
      expect(between.filter((l) => l.type === 'position')).toHaveLength(1); // the first fill's only
    }
  });

  it('keel counts each execution once: executions, fills per order, own quantity, PnL to the cent', () => {
    expect(run.verdict.violations).toEqual([]);
    const distinct = new Set(linesOf(run.venueLog, 'fill').map((f) => f.execId));
    expect(run.report.summary.executions).toBe(distinct.size);
    expect(run.report.summary['duplicateFillsIgnored']).toBe(2);
    const g = run.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.legs.map((l) => l.qty)).toEqual([1, -1, -1, 1]);
    for (const o of run.report.orders) if (o.state === 'filled') expect(o.filledQty).toBe(1);
    for (const o of keelOrders(run.venueLog)) expect(o.qty).toBe(1); // no close sized off a double count
  });

  it('the count of ignored duplicates is journaled: a crash and restart after it keep it', () => {
    expect(crashed.verdict.violations).toEqual([]);
    expect(crashed.stats.crashes).toBe(1);
    expect(crashed.report.summary['duplicateFillsIgnored']).toBe(1);
  });
});
