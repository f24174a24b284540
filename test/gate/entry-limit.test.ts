// An operator's limit is the price the gate measured the order at, so it is the price sent: never
// re-priced above it. Otherwise a limit far below the market (BUY 100 PLTR at $100 while it
// trades at $170.77) passes the 10% cap as $10,000 and fills as $17,077.
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../../src/sim/run/test-support';
import { gateYaml, keelOrders, linesOf } from './gate-scenario';

async function runOrder(name: string, symbol: string, qty: number, limit: number, seed = 2) {
  const run = await runChecked(
    scenarioFromYaml(
      gateYaml({
        name,
        seed,
        end: '2026-01-02T11:00:00-05:00',
        operator: [`{ at: '09:45', action: order, symbol: ${symbol}, side: BUY, qty: ${qty}, type: LMT, limit: ${limit} }`],
      }),
    ),
  );
  const opens = keelOrders(run.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
  const fills = linesOf(run.venueLog, 'fill');
  return { run, opens, fills };
}

describe('an operator limit is never exceeded', () => {
  it('a limit below the market passes the gate at its price and is sent at that price', async () => {
    const { run, opens, fills } = await runOrder('gate-low-limit', 'PLTR', 100, 100);
    expect(run.report.refusals).toEqual([]);
    expect(opens.length).toBeGreaterThan(0);
    for (const o of opens) expect(o.limitPrice).toBe(100);
    for (const f of fills) expect(f.qty * f.price).toBeLessThanOrEqual(0.1 * 105_000);
  });

  it('a limit at the market is not chased past (the incident TSLA order, 23 at 443.18)', async () => {
    // Several seeds: whether the first order fills at mid is the venue's draw.
    for (const seed of [1, 2, 3, 4, 5]) {
      const { opens, fills } = await runOrder('gate-at-limit', 'TSLA', 23, 443.18, seed);
      expect(opens.length).toBeGreaterThan(0);
      for (const o of opens) expect(o.limitPrice, `seed ${seed}`).toBeLessThanOrEqual(443.18);
      for (const f of fills) expect(f.price, `seed ${seed}`).toBeLessThanOrEqual(443.18);
    }
  });
});
