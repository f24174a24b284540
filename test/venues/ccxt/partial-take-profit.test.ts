// A partly filled take-profit at BingX leaves the stop working for the rest of the position (the
// fake BingX never makes the two one-cancels-other; a flat position takes its reduce-only orders
// with it). keel sees a stop larger than what the group still owns and re-sizes it: the old stop is
// cancelled at keel's request and a stop of the remaining quantity sent; the take-profit's rest then
// closes the position, the new stop goes with it, and the outside checker is clean.
import { describe, expect, it } from 'vitest';
import { ccxtThroughLink } from '../../fakes/exchange/through';
import { runChecked, scenarioFromYaml } from '../../support/run-scenario';

const yaml = `
name: partial-take-profit
seed: 7
clock:
  start: '2026-03-06T10:00:00Z'
  end: '2026-03-06T13:00:00Z'
account:
  equity: 100000
market:
  - symbol: BTC-USDT
    kind: crypto
    spot: 100000
    vol: 0.05
    drift: 0
    path: points
    points: [['10:00', 100000], ['10:30', 100000], ['11:00', 100600], ['13:00', 100600]]
    stepSeconds: 5
    tick: 0.1
venue:
  products: futures
  combos: false
  latencyMs: 80
  commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 }
  positionIds: distinct
  positionHistory: true
faults:
  # The take-profit (the second protective order) fills half, the rest ten minutes later.
  - { match: { intent: protect, nth: 2 }, partialFill: 0.5, delayFill: 600 }
strategies:
  - id: btc-perp
    kind: futures-protected
    params: { symbol: BTC-USDT, side: long, qty: 0.002, entryAt: '10:05', stopPct: 0.02, targetPrice: 100500 }
risk: { maxPositionPct: 1, maxDailyPct: 1, maxWeeklyPct: 1 }
`;

describe('a partly filled take-profit through the fake BingX', () => {
  it('leaves the stop working; keel re-sizes it to the remaining position; the checker is clean', async () => {
    const scenario = scenarioFromYaml(yaml);
    const lines: string[] = [];
    const wire = await runChecked(scenario, {
      through: (sim, clock) => ccxtThroughLink(sim, clock, (l) => lines.push(l)),
    });
    expect(wire.verdict.violations).toEqual([]);
    const log = wire.venueLog;
    const orders = log.flatMap((l) => (l.type === 'order' && l.origin === 'keel' ? [l] : []));
    const stops = orders.filter((o) => o.orderType === 'STP');
    const targets = orders.filter((o) => o.orderType === 'MIT');
    expect(targets.map((o) => o.qty)).toEqual([0.002]);
    // The stop of the whole position, then one of the half the take-profit left.
    expect(stops.map((o) => o.qty)).toEqual([0.002, 0.001]);
    const [first, second] = stops;
    const tpFills = log.flatMap((l) =>
      l.type === 'fill' && l.clientOrderId === targets[0]?.clientOrderId ? [l] : [],
    );
    expect(tpFills.map((l) => l.qty)).toEqual([0.001, 0.001]);
    const cancels = log.flatMap((l) => (l.type === 'cancel' ? [l] : []));
    // The first stop outlived the take-profit's partial fill: keel cancelled it, the venue did not.
    const firstEnd = cancels.find((c) => c.venueOrderId === first?.venueOrderId);
    expect(firstEnd?.reason).toBe('cancelled by client');
    expect(firstEnd?.t !== undefined && firstEnd.t > (tpFills[0]?.t ?? '')).toBe(true);
    // The second went with the position when the take-profit's rest closed it.
    const secondEnd = cancels.find((c) => c.venueOrderId === second?.venueOrderId);
    expect(secondEnd?.reason).toMatch(/filled|flat/);
    expect(secondEnd?.t !== undefined && secondEnd.t >= (tpFills[1]?.t ?? '~')).toBe(true);
    const g = wire.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(lines.filter((l) => /could not read|unexpected:/.test(l))).toEqual([]);
  });

  it('in-process the simulated venue makes them one-cancels-other: the same clean verdict', async () => {
    const inProcess = await runChecked(scenarioFromYaml(yaml));
    expect(inProcess.verdict.violations).toEqual([]);
    expect(inProcess.report.groups[0]?.status).toBe('closed');
  });
});
