// A halt stops keel from sending anything, but never strips an open position of the stop-loss
// resting at the venue: a protective order only ever reduces risk.
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const yaml = `
name: halt-keeps-protection
seed: 5
clock: { start: '2025-10-23T18:00:00+09:00', end: '2025-10-23T20:00:00+09:00' }
account: { equity: 100000 }
market:
  - symbol: BTC-USDT
    kind: crypto
    spot: 109000
    path: points
    points: [['18:00', 109000], ['18:30', 109000], ['19:30', 107500], ['20:00', 107400]]
    stepSeconds: 5
    tick: 0.1
venue: { products: futures, combos: false, positionIds: distinct, positionHistory: true }
operator:
  - { at: '18:40', action: halt, reason: 'operator checks the account' }
strategies:
  - id: perp
    kind: futures-protected
    params: { symbol: BTC-USDT, side: long, qty: 0.05, entryAt: '18:15', stopPct: 0.01 }
risk: { maxPositionPct: 1, maxDailyPct: 1, maxWeeklyPct: 1 }
`;

describe('halt keeps protective orders', () => {
  it('the stop placed at entry is not cancelled by the halt and closes the position at the venue', async () => {
    const run = await runChecked(scenarioFromYaml(yaml));
    expect(run.verdict.violations).toEqual([]);
    expect(run.report.tradingState.map((s) => s.state)).toEqual(['HALTED']);
    const stop = run.venueLog.find((l) => l.type === 'order' && l.orderType === 'STP');
    expect(stop).toBeDefined();
    const stopId = stop?.type === 'order' ? stop.venueOrderId : '';
    expect(run.venueLog.filter((l) => l.type === 'cancel' && l.venueOrderId === stopId)).toEqual([]);
    const stopFills = run.venueLog.filter((l) => l.type === 'fill' && l.venueOrderId === stopId);
    expect(stopFills.length).toBeGreaterThan(0);
  });
});
