// Fault `crashEngine`: the engine process dies at an instant and restarts `restartAfter` seconds
// later from its journal, while the venue goes on (here a held order fills while keel is dead).
// On restart keel finds the fill by its client order id, still knows the group, sends no order
// twice, and finishes the day clean.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, linesOf, secondsBetween } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let duringOpen: Run;
let duringClose: Run;

beforeAll(async () => {
  duringOpen = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'crash-open',
        faults: [
          '{ match: { combo: true, intent: open, nth: 1 }, delayFill: 8 }',
          '{ at: "09:45:03", crashEngine: { restartAfter: 60 } }',
        ],
      }),
    ),
  );
  duringClose = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'crash-close',
        entryUntil: '10:00',
        exitBy: '11:00',
        faults: [
          '{ match: { intent: close, nth: 1 }, delayFill: 8 }',
          '{ at: "11:00:03", crashEngine: { restartAfter: 120 } }',
        ],
      }),
    ),
  );
});

function engineLines(run: Run): string[] {
  return linesOf(run.venueLog, 'engine').map((l) => `${l.t.slice(11, 19)} ${l.event}`);
}

function noClientIdTwice(run: Run): void {
  const ids = keelOrders(run.venueLog).map((o) => o.clientOrderId);
  expect(new Set(ids).size).toBe(ids.length);
}

describe('fault: crashEngine', () => {
  it('the venue logs the crash and the restart restartAfter (60 s) later; the held open fills in between', () => {
    expect(engineLines(duringOpen)).toEqual(['09:30:00 start', '09:45:03 crash', '09:46:03 start']);
    const [crash, restart] = linesOf(duringOpen.venueLog, 'engine').slice(1);
    const open = keelOrders(duringOpen.venueLog)[0];
    const fills = open === undefined ? [] : fillsOf(duringOpen.venueLog, open.venueOrderId);
    expect(fills).toHaveLength(4);
    for (const f of fills) expect(f.seq > (crash?.seq ?? 0) && f.seq < (restart?.seq ?? 0)).toBe(true);
    expect(secondsBetween(crash?.t ?? '', restart?.t ?? '')).toBe(60);
  });

  it('after the restart keel knows the fill and the group: no second open, no id twice, closed clean', () => {
    expect(duringOpen.verdict.violations).toEqual([]);
    expect(duringOpen.stats.crashes).toBe(1);
    noClientIdTwice(duringOpen);
    const opens = keelOrders(duringOpen.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
    expect(opens).toHaveLength(1);
    expect(duringOpen.report.groups).toHaveLength(1);
    const g = duringOpen.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.clientOrderIds).toContain(opens[0]?.clientOrderId);
    expect(duringOpen.report.orders.find((o) => o.clientOrderId === opens[0]?.clientOrderId)?.state).toBe(
      'filled',
    );
  });

  it('a crash while the close is held: the close fills while keel is dead, and on restart nothing is re-sent', () => {
    expect(duringClose.verdict.violations).toEqual([]);
    expect(engineLines(duringClose)).toEqual(['09:30:00 start', '11:00:03 crash', '11:02:03 start']);
    noClientIdTwice(duringClose);
    const closes = keelOrders(duringClose.venueLog).filter((o) => /-c\d+$/.test(o.clientOrderId ?? ''));
    expect(closes).toHaveLength(1);
    const [crash, restart] = linesOf(duringClose.venueLog, 'engine').slice(1);
    const fills = closes[0] === undefined ? [] : fillsOf(duringClose.venueLog, closes[0].venueOrderId);
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(f.seq > (crash?.seq ?? 0) && f.seq < (restart?.seq ?? 0)).toBe(true);
    expect(keelOrders(duringClose.venueLog).every((o) => o.seq < (restart?.seq ?? 0))).toBe(true);
    const g = duringClose.report.groups[0];
    expect(duringClose.report.groups).toHaveLength(1);
    expect(g?.status).toBe('closed');
    expect(g?.clientOrderIds).toContain(closes[0]?.clientOrderId);
  });
});
