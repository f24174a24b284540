// 2025-10-24 closed position lost on restart, replayed: a BTC-USDT long with a protective stop;
// the engine crashes; the position closes at the venue while keel is down; on restart the trade
// is in the report as closed with the venue's net PnL, and nothing is deleted.
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/incidents/2025-10-24-closed-position-lost-on-restart.yaml';

describe('oct24 closed position lost on restart', () => {
  it('loads as a valid scenario', () => {
    expect(scenarioFromFile(file).venue.positionIds).toBe('distinct');
  });

  it('reports the trade closed while down with the venue net PnL, nothing deleted (issues 6, 7)', async () => {
    const run = await runChecked(scenarioFromFile(file));
    expect(run.verdict.violations).toEqual([]);
    const closedAtVenue = run.venueLog.filter((l) => l.type === 'positionClosed');
    expect(closedAtVenue).toHaveLength(1);
    const g = run.report.groups[0];
    expect(g?.status).toBe('closed');
    const line = closedAtVenue[0];
    expect(g?.realizedPnl).toBe(line?.type === 'positionClosed' ? line.netPnl : NaN);
  });
});

describe('oct24: every id kept, the venue record matched by position id', () => {
  it('keeps every order, the venue position id, and books the close at the venue time', async () => {
    const run = await runChecked(scenarioFromFile(file));
    const sent = run.venueLog.flatMap((l) =>
      l.type === 'order' && l.origin === 'keel' ? [l.clientOrderId] : [],
    );
    expect(run.report.orders.map((o) => o.clientOrderId)).toEqual(sent);
    const closed = run.venueLog.find((l) => l.type === 'positionClosed');
    if (closed?.type !== 'positionClosed') throw new Error('the venue closed no position');
    const g = run.report.groups[0];
    expect(g?.venuePositionIds).toEqual([closed.venuePositionId]);
    expect(g?.venueClose).toMatchObject({
      closedAt: closed.t,
      venuePositionId: closed.venuePositionId,
      venueNetPnl: closed.netPnl,
    });
    expect(g?.exitReason).toMatch(/^take-profit .* filled at the venue while keel was down$/);
    // The trade record carried only the venue order id; the history record only the position id.
    const matched = (run.report.reconciliation?.matches ?? []).map((m) => `${m.record} by ${m.by}`);
    expect(matched).toEqual(['execution by venueOrderId', 'positionHistory by venuePositionId']);
    expect(run.dailyLog).toContain('closed at the venue');
  });
});
