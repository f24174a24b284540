// A foreign position on the same underlying (24 long calls that are not keel's) while keel opens
// and closes its own 4-leg structures: keel's PnL excludes the foreign calls, each close sends
// exactly the four owned legs (one combo or four leg orders), and the foreign 24 are untouched.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/demo/condor-foreign-calls.yaml';
let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(scenarioFromFile(file));
});

describe('own structure beside a foreign position', () => {
  it('opens and closes at least one condor and passes every invariant', () => {
    expect(run.report.groups.length).toBeGreaterThan(0);
    expect(run.report.groups.every((g) => g.status === 'closed')).toBe(true);
    expect(run.verdict.violations).toEqual([]);
  });

  it("reports each group's PnL from its own fills only (the checker recomputes it from the venue log)", () => {
    const pnl = run.verdict.violations.filter((v) => v.invariant === 'pnl-mismatch');
    expect(pnl).toEqual([]);
    const total = run.report.groups.reduce((s, g) => s + g.realizedPnl, 0);
    expect(run.report.summary.realizedPnl).toBeCloseTo(total, 2);
  });

  it('closes exactly the four owned legs of each group: one combo, or leg orders on those four only', () => {
    for (const g of run.report.groups) {
      const own = new Set(g.legs.map((l) => l.instrument.id));
      const closes = run.venueLog.filter(
        (l) =>
          l.type === 'order' &&
          l.clientOrderId !== null &&
          g.clientOrderIds.includes(l.clientOrderId) &&
          /-c\d+$/.test(l.clientOrderId),
      );
      expect(closes.length).toBeGreaterThan(0);
      for (const c of closes) {
        if (c.type !== 'order') continue;
        for (const leg of c.legs) expect(own.has(leg.instrument.id)).toBe(true);
        if (c.combo) expect(c.legs).toHaveLength(4);
      }
    }
  });

  it('never orders the foreign 704C, whose venue quantity stays 24 until settlement', () => {
    const keelOn704 = run.venueLog.filter(
      (l) => l.type === 'order' && l.origin === 'keel' && l.legs.some((x) => x.instrument.strike === 704),
    );
    expect(keelOn704).toEqual([]);
    const qty = run.venueLog.flatMap((l) =>
      l.type === 'position' && l.instrument.strike === 704 ? [l.qty] : [],
    );
    expect(qty[0]).toBe(24);
    expect(qty.every((q) => q === 24 || q === 0)).toBe(true);
  });

  it('is deterministic: the same scenario and seed give identical outputs', async () => {
    const again = await runChecked(scenarioFromFile(file));
    expect(JSON.stringify(again.venueLog)).toBe(JSON.stringify(run.venueLog));
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(run.report));
    expect(again.dailyLog).toBe(run.dailyLog);
  });
});
