// An open is filled at no worse a price than the one the gate measured its budget at. Otherwise a
// limit far below the market (BUY 100 PLTR at $100 while it trades at $170.77) passes the 10%
// cap as $10,000 and fills as $17,077; a sell limit under the market fills at the market; and a
// market order may be chased up to the slippage cap past the ask it was checked at.
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { gateYaml, keelOrders, linesOf, rulesOf, type GateScenario } from './gate-scenario';

async function runOrders(name: string, operator: string[], more: Partial<GateScenario> = {}) {
  const run = await runChecked(
    scenarioFromYaml(gateYaml({ name, end: '2026-01-02T11:00:00-05:00', operator, ...more })),
  );
  const opens = keelOrders(run.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
  const fills = linesOf(run.venueLog, 'fill');
  return { run, opens, fills };
}

const order = (symbol: string, side: string, qty: number, price: string) =>
  `{ at: '09:45', action: order, symbol: ${symbol}, side: ${side}, qty: ${qty}, ${price} }`;
const seeds = [1, 2, 3, 4, 5]; // whether an order fills at mid at once is the venue's draw

describe('an open never fills worse than the price its budget was measured at', () => {
  it('a buy limit below the market is sent at its limit, never at the market', async () => {
    // Until the close, so the day order ends (expires) at the venue.
    const { run, opens, fills } = await runOrders(
      'gate-low-limit',
      [order('PLTR', 'BUY', 100, 'type: LMT, limit: 100')],
      { end: '2026-01-02T16:00:00-05:00' },
    );
    expect(run.verdict.violations).toEqual([]);
    expect(run.report.refusals).toEqual([]);
    expect(opens.length).toBeGreaterThan(0);
    for (const o of opens) expect(o.limitPrice).toBe(100);
    expect(fills).toEqual([]);
  });

  it('a buy limit at the market is not chased past (the incident TSLA order, 23 at 443.18)', async () => {
    for (const seed of seeds) {
      const { opens, fills } = await runOrders(
        'gate-at-limit',
        [order('TSLA', 'BUY', 23, 'type: LMT, limit: 443.18')],
        { seed },
      );
      expect(opens.length).toBeGreaterThan(0);
      for (const o of opens) expect(o.limitPrice, `seed ${seed}`).toBeLessThanOrEqual(443.18);
      for (const f of fills) expect(f.price, `seed ${seed}`).toBeLessThanOrEqual(443.18);
    }
  });

  it('a sell limit under the market is measured at the market: --fit stays within 10%', async () => {
    const { run, fills } = await runOrders('gate-sell-under', [
      order('PLTR', 'SELL', 70, 'type: LMT, limit: 165, fit: true'),
    ]);
    // At the ask, 170.78: 61 shares; at the limit it would have been 63, filled at ~170.76.
    expect(rulesOf(run.report.refusals)).toEqual([['maxPositionPct', 61]]);
    expect(fills.map((f) => f.qty)).toEqual([61]);
    for (const f of fills) expect(f.qty * f.price).toBeLessThanOrEqual(0.1 * 105_000);
  });

  it('a market buy chased up a rising market stays within the cap: measured with the chase cap', async () => {
    // 10% of $105,000 over the ask 104.99 is 100.01 shares; the chase may pay up to 20 ticks more.
    const rising =
      "{ symbol: ACME, kind: equity, spot: 104.98, path: points, points: [['09:45', 104.98], ['09:45:05', 105.1]], stepSeconds: 5 }";
    let chased = 0;
    for (const seed of seeds) {
      const { run, fills } = await runOrders(
        'gate-market-buy',
        [order('ACME', 'BUY', 200, 'type: MKT, fit: true')],
        {
          seed,
          markets: [rising],
        },
      );
      expect(rulesOf(run.report.refusals), `seed ${seed}`).toEqual([['maxPositionPct', 99]]);
      expect(run.report.refusals[0]?.message).toContain('ACME 200 @ 105.19');
      for (const f of fills) {
        expect(f.qty * f.price, `seed ${seed}`).toBeLessThanOrEqual(0.1 * 105_000);
        if (f.price > 104.99) chased++;
      }
    }
    expect(chased).toBeGreaterThan(0); // some fill came above the ask the order was checked at
  });

  it('a day order that expired ends the open: not sent again to rest overnight and fill at the gap', async () => {
    // Monday: SELL 40 AAPL at 257.51 rests above the market and expires at the close. Sent again,
    // it would fill at Tuesday's open bid of 263.39: $10,536, past the 10% cap it was measured in.
    const gap =
      "{ symbol: AAPL, kind: equity, spot: 251.3, path: points, points: [['2026-02-09T16:00:00-05:00', 251.3], ['2026-02-10T09:30:00-05:00', 263.4]], stepSeconds: 60 }";
    const { run, opens, fills } = await runOrders(
      'gate-stale-day-order',
      [
        "{ at: '2026-02-09T09:45:00-05:00', action: order, symbol: AAPL, side: SELL, qty: 40, type: LMT, limit: 257.51 }",
      ],
      {
        start: '2026-02-09T09:30:00-05:00',
        end: '2026-02-10T16:00:00-05:00',
        session: { open: '09:30', close: '16:00' },
        stepSeconds: 60,
        markets: [gap],
      },
    );
    expect(run.verdict.violations).toEqual([]);
    expect(opens.map((o) => [o.t.slice(0, 16), o.limitPrice])).toEqual([['2026-02-09T09:45', 257.51]]);
    expect(fills).toEqual([]);
    const failed =
      'operator-20260209-1 failed: open failed: open order operator-20260209-1-o1 expired at the end of the day';
    expect(run.engineLog.some((l) => l.endsWith(failed))).toBe(true);
  });
});
