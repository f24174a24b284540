// `external.orders`: someone trading by hand in the same account. The venue logs their orders and
// fills with origin external and no client order id. On strikes keel does not hold nothing changes
// for keel; on a leg keel owns keel stops opening (REDUCING) and still closes only its own lot; a
// trade that nets keel's short to zero at the venue halts keel, whose exit then closes only the
// legs the venue still matches, and expiry leaves nothing naked.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, legName, linesOf, positionsOf, xsp } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let beside: Run;
let netted: Run;

beforeAll(async () => {
  beside = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'external-beside',
        orders: [
          `{ at: "10:30", instrument: ${xsp(693, 'C')}, side: BUY, qty: 2, type: MKT }`,
          `{ at: "10:40", instrument: ${xsp(700, 'C')}, side: SELL, qty: 3, type: MKT }`,
        ],
      }),
    ),
  );
  netted = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'external-netted',
        orders: [`{ at: "10:30", instrument: ${xsp(672, 'P')}, side: BUY, qty: 1, type: MKT }`],
      }),
    ),
  );
});

function outside(run: Run) {
  return linesOf(run.venueLog, 'order').filter((o) => o.origin === 'external');
}

describe('external.orders', () => {
  it('the venue logs the outside orders and fills: origin external, no client order id', () => {
    const orders = outside(beside);
    expect(
      orders.map(
        (o) => `${o.t.slice(11, 16)} ${o.legs[0]?.side} ${o.qty} ${legName(o.legs[0] ?? { instrument: {} })}`,
      ),
    ).toEqual(['10:30 BUY 2 693C', '10:40 SELL 3 700C']);
    for (const o of orders) {
      expect(o.clientOrderId).toBeNull();
      const fills = fillsOf(beside.venueLog, o.venueOrderId);
      expect(fills.map((f) => f.qty)).toEqual([o.qty]);
      expect(fills.every((f) => f.clientOrderId === null)).toBe(true);
    }
  });

  it('a trade on a leg keel owns: REDUCING, and keel closes exactly its own lot; the outside 2 stay', () => {
    expect(beside.verdict.violations).toEqual([]);
    const states = beside.report.tradingState.map((s) => `${s.state}: ${s.reason}`);
    expect(states).toEqual(['REDUCING: someone else traded XSP 2026-02-13 693C, which keel owns']);
    expect(beside.report.groups.map((g) => g.status)).toEqual(['closed']);
    const after = keelOrders(beside.venueLog).filter((o) => o.seq > (outside(beside)[0]?.seq ?? 0));
    expect(after.every((o) => /-c\d+$/.test(o.clientOrderId ?? '') && o.qty === 1)).toBe(true);
    expect(positionsOf(beside.venueLog, 693, 'C')).toEqual([1, 3, 2, 0]);
    expect(keelOrders(beside.venueLog).some((o) => o.legs.some((l) => legName(l) === '700C'))).toBe(false);
  });

  it("an outside buy that nets keel's short put to zero halts keel; its exit still closes the matched legs, never the netted put", () => {
    const buy = outside(netted)[0];
    expect(positionsOf(netted.venueLog, 672, 'P')).toEqual([-1, 0]);
    expect(netted.report.tradingState.at(-1)?.state).toBe('HALTED');
    expect(netted.report.tradingState.at(-1)?.reason).toMatch(/672P/);
    const after = keelOrders(netted.venueLog).filter((o) => o.seq > (buy?.seq ?? 0));
    // The take-profit closes what the venue still matches: the short call bought back before its
    // covering long is sold; the long put stays, since keel's books still hold the put it covers.
    expect(after.map((o) => `${o.legs.map((l) => `${l.side} ${legName(l)}`).join(',')} ${o.qty}`)).toEqual([
      'BUY 692C 1',
      'SELL 693C 1',
    ]);
    expect(after.every((o) => /-c\d+$/.test(o.clientOrderId ?? '') && o.reduceOnly)).toBe(true);
    const [group] = netted.report.groups;
    expect(group?.status).toBe('residual');
  });

  it('at expiry the venue settles the long put keel kept, not the netted put, and nothing is naked', () => {
    const settled = linesOf(netted.venueLog, 'settle').map(legName).sort();
    expect(settled).toEqual(['671P']);
    // keel's fills still say short 1 672P; the outside long 1 nets it; both end at expiry.
    expect(netted.verdict.violations).toEqual([]);
  });
});
