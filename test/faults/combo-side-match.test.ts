// The leg keys of a fault's match (side, symbol, instrument) match one leg together, on any leg of
// a combo: `{ side: SELL, instrument: 692C }` hits the condor that sells 692C as its third leg, and
// `{ side: BUY, instrument: 692C }` passes the open by and hits the combo close that buys it back.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, keelOrders, linesOf, xsp } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let sells: Run;
let buys: Run;

const fault = (side: 'BUY' | 'SELL') =>
  `{ match: { combo: true, side: ${side}, instrument: ${xsp(692, 'C')}, nth: 1 }, reject: { code: 201, message: "Order rejected - test" } }`;

beforeAll(async () => {
  sells = await runChecked(scenarioFromYaml(condorYaml({ name: 'side-sell-692', faults: [fault('SELL')] })));
  buys = await runChecked(scenarioFromYaml(condorYaml({ name: 'side-buy-692', faults: [fault('BUY')] })));
});

const rejectedCodes = (run: Run) => linesOf(run.venueLog, 'reject').map((r) => r.code);

describe('fault matching on a combo leg other than the first', () => {
  it('side SELL on 692C rejects the condor combo, whose first leg buys 671P', () => {
    const first = keelOrders(sells.venueLog)[0];
    expect(first?.legs[0]?.side).toBe('BUY');
    expect(rejectedCodes(sells)).toEqual([201]);
    expect(linesOf(sells.venueLog, 'reject')[0]?.venueOrderId).toBe(first?.venueOrderId);
    expect(sells.verdict.violations).toEqual([]);
  });

  it('side BUY on 692C leaves the opening condor alone (it sells 692C) and hits the close that buys it back', () => {
    const orders = keelOrders(buys.venueLog);
    const rejected = new Set(linesOf(buys.venueLog, 'reject').map((r) => r.venueOrderId));
    const opens = orders.filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
    expect(opens.length).toBeGreaterThan(0);
    expect(opens.some((o) => rejected.has(o.venueOrderId))).toBe(false);
    const hit = orders.filter((o) => rejected.has(o.venueOrderId));
    expect(hit.map((o) => [/-c\d+$/.test(o.clientOrderId ?? ''), o.combo])).toEqual([[true, true]]);
    expect(buys.verdict.violations).toEqual([]);
  });
});
