// A fill is a fact and is booked even past a cap; a position filled beyond its reservation is an
// incident: raised as a budget-breach discrepancy, and no new positions (REDUCING).
import { describe, expect, it } from 'vitest';
import { ExecId, InstrumentId, VenueOrderId, ZERO_MICROS, type Instrument } from '../domain';
import { incidentBudgetLimits } from '../risk';
import { defaultEngineSettings } from './settings';
import { startTestEngine } from '../../test/support/engine-fixtures';

const pltr: Instrument = {
  id: InstrumentId.of('900001'),
  symbol: 'PLTR',
  kind: 'equity',
  multiplier: 1,
  tick: 0.01,
  lot: 1,
};

const risk = {
  accountEquity: 100_000,
  limits: incidentBudgetLimits,
  strategyLimits: [],
  riskPerTradePct: 0.02,
  fatFingerPct: 0.05,
  scanTimes: ['10:30', '15:55'],
};

describe('budget breach by a fill', () => {
  it('a fill past the reservation raises budget-breach and trips REDUCING', async () => {
    const { engine, clock, venue } = await startTestEngine([pltr], Date.UTC(2026, 0, 2, 15, 0), {
      ...defaultEngineSettings,
      risk,
    });
    venue.quotes.set(pltr.id, { bid: 99.99, ask: 100.01, mid: 100, t: 0 });
    const result = engine.operator({
      action: 'order',
      instrument: { symbol: 'PLTR' },
      side: 'BUY',
      qty: 100,
      type: 'LMT',
      limit: 100,
      stop: null,
      fit: false,
    });
    expect(result.ok).toBe(true);
    const sent = venue.sent[0];
    expect(sent?.limitPrice).toBe(100); // reserved and sent at $10,000: exactly the 10% cap
    const clientOrderId = sent?.clientOrderId;
    if (clientOrderId === undefined) throw new Error('no order sent');
    engine.onVenueEvent({
      type: 'accepted',
      t: clock.now(),
      clientOrderId,
      venueOrderId: VenueOrderId.of('V1'),
    });
    const fillAt = (execId: string, qty: number) =>
      engine.onVenueEvent({
        type: 'fill',
        t: clock.now(),
        fill: {
          execId: ExecId.of(execId),
          clientOrderId,
          venueOrderId: VenueOrderId.of('V1'),
          instrumentId: pltr.id,
          side: 'BUY',
          qty,
          price: 110,
          commission: ZERO_MICROS,
          comboExecId: null,
          venuePositionId: null,
          t: clock.now(),
        },
      });
    // The venue fills at 110 (a venue that ignores the limit): $11,000, past the cap.
    fillAt('E1', 99);
    engine.flush();
    const p = engine.projection;
    const breach = [...p.discrepancies.values()].filter((d) => d.kind === 'budget-breach');
    expect(breach.length).toBeGreaterThan(0);
    expect(p.tradingState).toBe('REDUCING');
    // Once per rule and day: the next fill does not raise it again.
    fillAt('E2', 1);
    engine.flush();
    expect([...p.discrepancies.values()].filter((d) => d.kind === 'budget-breach')).toHaveLength(
      breach.length,
    );
  });
});
