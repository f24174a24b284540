// Fault `reject`: the venue refuses matching orders with the scenario's code and message. A refused
// combo makes keel fall back to leg orders (longs first on open, shorts first on close); a refused
// leg of the open unwinds what was already bought. Never a naked short, never a retry storm.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, legName, linesOf, positionsOf, xsp, type Line } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let combos: Run;
let shortCall: Run;

beforeAll(async () => {
  combos = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'reject-combos',
        faults: ['{ match: { combo: true }, reject: { code: 201, message: "No trading permissions" } }'],
      }),
    ),
  );
  shortCall = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'reject-short-call',
        faults: [
          `{ match: { instrument: ${xsp(692, 'C')} }, reject: { code: 201, message: "Not allowed" } }`,
        ],
      }),
    ),
  );
});

const isOpen = (id: string | null) => id !== null && /-o\d+$/.test(id);
const isClose = (id: string | null) => id !== null && /-c\d+$/.test(id);

/** Every BUY fill comes before every SELL fill. */
function buysFirst(fills: Line<'fill'>[]): boolean {
  const lastBuy = Math.max(...fills.filter((f) => f.side === 'BUY').map((f) => f.seq));
  const firstSell = Math.min(...fills.filter((f) => f.side === 'SELL').map((f) => f.seq));
  return lastBuy < firstSell;
}

describe('fault: reject', () => {
  it('the venue rejects each keel combo with the scenario code and message, and nothing else', () => {
    const sent = keelOrders(combos.venueLog).filter((o) => o.combo);
    const rejects = linesOf(combos.venueLog, 'reject');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(rejects.map((r) => r.venueOrderId)).toEqual(sent.map((o) => o.venueOrderId));
    for (const r of rejects) expect([r.code, r.message]).toEqual([201, 'No trading permissions']);
    for (const o of sent) expect(fillsOf(combos.venueLog, o.venueOrderId)).toEqual([]);
  });

  it('keel tries one combo per operation, then legs: longs before shorts to open, shorts before longs to close', () => {
    expect(combos.verdict.violations).toEqual([]);
    const sent = keelOrders(combos.venueLog).filter((o) => o.combo);
    expect(sent.map((o) => (isOpen(o.clientOrderId) ? 'open' : 'close'))).toEqual(['open', 'close']);
    const fills = linesOf(combos.venueLog, 'fill');
    const open = fills.filter((f) => isOpen(f.clientOrderId));
    const close = fills.filter((f) => isClose(f.clientOrderId));
    expect(open.map(legName).sort()).toEqual(['671P', '672P', '692C', '693C']);
    expect(close.map(legName).sort()).toEqual(['671P', '672P', '692C', '693C']);
    expect(buysFirst(open)).toBe(true);
    expect(buysFirst(close)).toBe(true);
  });

  it('the group opens and closes whole; the refused combos are in the report as rejected', () => {
    expect(combos.report.groups).toHaveLength(1);
    expect(combos.report.groups[0]?.status).toBe('closed');
    const rejected = combos.report.orders.filter((o) => o.state === 'rejected').map((o) => o.clientOrderId);
    expect(rejected).toEqual(
      keelOrders(combos.venueLog)
        .filter((o) => o.combo)
        .map((o) => o.clientOrderId),
    );
    for (const [strike, right] of [
      [671, 'P'],
      [672, 'P'],
      [692, 'C'],
      [693, 'C'],
    ] as const)
      expect(positionsOf(combos.venueLog, strike, right).at(-1)).toBe(0);
  });

  it('a refused short leg of the open: the 692C is never held, the bought legs are unwound, the report names it', () => {
    expect(shortCall.verdict.violations).toEqual([]);
    const rejected = linesOf(shortCall.venueLog, 'reject').map((r) => r.venueOrderId);
    const on692 = keelOrders(shortCall.venueLog).filter((o) => o.legs.some((l) => legName(l) === '692C'));
    expect(rejected).toEqual(on692.map((o) => o.venueOrderId));
    expect(on692.map((o) => o.combo)).toEqual([true, false]); // the combo, then the leg; no retry
    expect(positionsOf(shortCall.venueLog, 692, 'C')).toEqual([]);
    for (const [strike, right] of [
      [671, 'P'],
      [672, 'P'],
      [693, 'C'],
    ] as const)
      expect(positionsOf(shortCall.venueLog, strike, right).at(-1)).toBe(0);
    const g = shortCall.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.exitReason).toMatch(/open failed: .*rejected/);
    expect(shortCall.report.discrepancies.some((d) => d.kind === 'residual')).toBe(true);
  });
});
