// Fault `partialFill`: the venue fills the fraction now (rounded down, at least one unit) and the
// rest later: after `delayFill` seconds, or at the market when no delay is given. keel counts
// exactly what filled, opens and closes whole, and a partly filled close never flips a leg.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, legName, secondsBetween } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let comboOpen: Run;
let legCloses: Run;

beforeAll(async () => {
  comboOpen = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'partial-open',
        qty: 2,
        faults: ['{ match: { combo: true, intent: open }, partialFill: 0.5, delayFill: 6 }'],
      }),
    ),
  );
  legCloses = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'partial-close',
        qty: 3,
        combos: false,
        faults: ['{ match: { intent: close }, partialFill: 0.5 }'],
      }),
    ),
  );
});

describe('fault: partialFill', () => {
  it('the venue fills half the open combo, then the rest exactly delayFill (6 s) later', () => {
    const filled = keelOrders(comboOpen.venueLog).filter(
      (o) => o.combo && fillsOf(comboOpen.venueLog, o.venueOrderId).length > 0 && o.legs[0]?.side === 'BUY',
    );
    expect(filled).toHaveLength(1);
    const order = filled[0];
    if (order === undefined) return;
    expect(order.qty).toBe(2);
    const fills = fillsOf(comboOpen.venueLog, order.venueOrderId);
    const executions = [...new Set(fills.map((f) => f.comboExecId))];
    expect(executions).toHaveLength(2);
    const [first, rest] = executions.map((id) => fills.filter((f) => f.comboExecId === id));
    expect(first?.map((f) => f.qty)).toEqual([1, 1, 1, 1]);
    expect(rest?.map((f) => f.qty)).toEqual([1, 1, 1, 1]);
    expect(secondsBetween(first?.[0]?.t ?? '', rest?.[0]?.t ?? '')).toBe(6);
  });

  it('keel waits for the rest, owns two units, and closes exactly two', () => {
    expect(comboOpen.verdict.violations).toEqual([]);
    const g = comboOpen.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.legs.map((l) => l.qty)).toEqual([2, -2, -2, 2]);
    const closes = keelOrders(comboOpen.venueLog).filter((o) => /-c\d+$/.test(o.clientOrderId ?? ''));
    const closed = closes.flatMap((o) => fillsOf(comboOpen.venueLog, o.venueOrderId));
    for (const leg of ['671P', '672P', '692C', '693C'])
      expect(closed.filter((f) => legName(f) === leg).reduce((s, f) => s + f.qty, 0)).toBe(2);
  });

  it('each close order fills half (at least one) first and the rest later; none goes past flat', () => {
    expect(legCloses.verdict.violations).toEqual([]); // no-flip and defined-risk at every line
    const closes = keelOrders(legCloses.venueLog).filter((o) => /-c\d+$/.test(o.clientOrderId ?? ''));
    const filled = closes.filter((o) => fillsOf(legCloses.venueLog, o.venueOrderId).length > 0);
    for (const o of filled) {
      const qty = fillsOf(legCloses.venueLog, o.venueOrderId).map((f) => f.qty);
      expect(qty[0]).toBe(Math.max(1, Math.floor(o.qty * 0.5)));
    }
    expect(filled.some((o) => fillsOf(legCloses.venueLog, o.venueOrderId).length > 1)).toBe(true);
    const closed = filled.flatMap((o) => fillsOf(legCloses.venueLog, o.venueOrderId));
    for (const leg of ['671P', '672P', '692C', '693C'])
      expect(closed.filter((f) => legName(f) === leg).reduce((sum, f) => sum + f.qty, 0)).toBe(3);
    expect(legCloses.report.groups[0]?.status).toBe('closed');
  });
});
