// The BingX incident replayed through the ccxt adapter, ccxt's bingx class and the fake BingX
// (`keel sim --through ccxt`): the outside checker's verdict is the one of the in-process run, the
// take-profit that closed the position while keel was down is booked at restart by the position
// id keel captured, with the venue's net PnL to the cent, and nothing was lost on the wire.
import { describe, expect, it } from 'vitest';
import { ccxtThroughLink } from '../fakes/exchange/through';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/incidents/2025-10-24-closed-position-lost-on-restart.yaml';

describe('the BingX incident through the wire (--through ccxt)', () => {
  it(`${file}: the same checker verdict as in-process, the close booked at restart to the cent`, async () => {
    const scenario = scenarioFromFile(file);
    const inProcess = await runChecked(scenario);
    const lines: string[] = [];
    const wire = await runChecked(scenario, {
      through: (sim, clock) => ccxtThroughLink(sim, clock, (l) => lines.push(l)),
    });
    expect(wire.verdict.ok).toBe(inProcess.verdict.ok);
    expect(wire.verdict.violations).toEqual(inProcess.verdict.violations);
    expect(wire.report.summary.crashes).toBe(inProcess.report.summary.crashes);
    const keelFills = wire.venueLog.filter((l) => l.type === 'fill' && l.clientOrderId !== null);
    expect(wire.report.summary.executions).toBe(
      new Set(keelFills.map((l) => (l.type === 'fill' ? l.execId : ''))).size,
    );
    const closed = wire.venueLog.find((l) => l.type === 'positionClosed');
    if (closed?.type !== 'positionClosed') throw new Error('the venue closed no position');
    const g = wire.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.venuePositionIds).toEqual([closed.venuePositionId]);
    expect(g?.venueClose).toMatchObject({
      venuePositionId: closed.venuePositionId,
      venueNetPnl: closed.netPnl,
    });
    expect(g?.realizedPnl).toBe(closed.netPnl);
    expect(lines.filter((l) => /could not read|unexpected:/.test(l))).toEqual([]);
  });
});
