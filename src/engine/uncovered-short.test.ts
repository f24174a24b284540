// A venue that fills only the short leg of a combo leaves keel holding a naked short: detected on
// the spot from keel's own holdings, raised, and trading goes REDUCING (only risk comes off).
import { describe, expect, it } from 'vitest';
import { ExecId, StrategyId, VenueOrderId, ZERO_MICROS } from '../domain';
import { option, startTestEngine } from '../../test/support/engine-fixtures';

const short692 = option(692, 692, 'C');
const long693 = option(693, 693, 'C');

describe('uncovered short in keel holdings', () => {
  it('a combo filled on its short leg alone trips REDUCING with an uncovered-short discrepancy', async () => {
    const { engine, clock, venue } = await startTestEngine([short692, long693], Date.UTC(2026, 1, 13, 15, 0));
    const opened = engine.openStructure(StrategyId.of('vert'), 'strategy', {
      kind: 'call-vertical',
      legs: [
        { instrumentId: long693.id, qtyPerUnit: 1 },
        { instrumentId: short692.id, qtyPerUnit: -1 },
      ],
      units: 1,
      note: null,
    });
    expect(opened.ok).toBe(true);
    const combo = venue.sent[0];
    expect(combo?.legs).toHaveLength(2);
    const clientOrderId = combo?.clientOrderId;
    if (clientOrderId === undefined) throw new Error('no combo sent');
    engine.onVenueEvent({
      type: 'accepted',
      t: clock.now(),
      clientOrderId,
      venueOrderId: VenueOrderId.of('V1'),
    });
    engine.flush();
    expect(engine.projection.tradingState).toBe('ACTIVE');
    engine.onVenueEvent({
      type: 'fill',
      t: clock.now(),
      fill: {
        execId: ExecId.of('E1'),
        clientOrderId,
        venueOrderId: VenueOrderId.of('V1'),
        instrumentId: short692.id,
        side: 'SELL',
        qty: 1,
        price: 0.5,
        commission: ZERO_MICROS,
        comboExecId: 'C1',
        venuePositionId: null,
        t: clock.now(),
      },
    });
    engine.flush();
    const p = engine.projection;
    const raised = [...p.discrepancies.values()].filter((d) => d.kind === 'uncovered-short');
    expect(raised.map((d) => d.detail)).toEqual([
      'keel is short 1x XSP 2026-02-13 692C with no covering long in its holdings',
    ]);
    expect(p.tradingState).toBe('REDUCING');
    // The operator resolves it once checked; the trading state is a separate decision.
    const id = raised[0]?.id ?? '';
    const resolved = engine.operator({ action: 'resolve', id, reason: 'bought back by hand' });
    expect(resolved.ok).toBe(true);
    expect(p.discrepancies.get(id)?.resolution).toBe('operator: bought back by hand');
    expect(p.tradingState).toBe('REDUCING');
    expect(engine.operator({ action: 'resolve', id, reason: 'again' }).ok).toBe(false);
  });
});
