// The venue's own limits come from its capabilities: a client order id longer than the venue
// takes, or with characters it refuses, and a combo with more legs than it takes are refused by
// the gate before anything is journaled or sent.
import { describe, expect, it } from 'vitest';
import { ClientOrderId, GroupId, InstrumentId, StrategyId, type OrderIntent } from '../../src/domain';
import { checkVenueLimits } from '../../src/engine/pre-trade-gate';
import type { VenueCapabilities } from '../../src/venues/venue';

const venue = (maxLength: number, allowed: RegExp, comboLegsMax: number): VenueCapabilities => ({
  combos: true,
  nativeBrackets: false,
  positionHistory: false,
  reduceOnly: true,
  marketOrders: true,
  clientOrderId: { maxLength, allowed },
  comboLegsMax,
});

function order(id: string, legs: number): OrderIntent {
  return {
    clientOrderId: ClientOrderId.of(id),
    groupId: GroupId.of('ic-20260213-1'),
    strategyId: StrategyId.of('ic'),
    source: 'strategy',
    intent: 'open',
    legs: Array.from({ length: legs }, (_, k) => ({
      instrumentId: InstrumentId.of(String(100 + k)),
      side: k % 2 === 0 ? ('BUY' as const) : ('SELL' as const),
      ratio: 1,
    })),
    qty: 1,
    type: 'LMT',
    limitPrice: 0.5,
    stopPrice: null,
    tif: 'DAY',
    reduceOnly: false,
    parentClientOrderId: null,
  };
}

describe('venue limits in the gate', () => {
  const id = 'ic-20260213-1-o1';
  it('passes an id and a combo the venue takes', () => {
    expect(checkVenueLimits(order(id, 4), venue(48, /^[A-Za-z0-9._:-]+$/, 4))).toBeNull();
  });
  it('refuses an id longer than the venue takes, naming the limit', () => {
    const r = checkVenueLimits(order(id, 1), venue(12, /^[A-Za-z0-9._:-]+$/, 4));
    expect(r?.rule).toBe('venueLimits');
    expect(r?.message).toContain('at most 12 characters');
  });
  it('refuses an id with characters the venue does not take', () => {
    expect(checkVenueLimits(order(id, 1), venue(48, /^[A-Za-z0-9]+$/, 4))?.rule).toBe('venueLimits');
  });
  it('refuses a combo with more legs than the venue takes; a single leg is no combo', () => {
    expect(checkVenueLimits(order(id, 4), venue(48, /^[A-Za-z0-9._:-]+$/, 2))?.message).toContain(
      'at most 2 legs',
    );
    expect(checkVenueLimits(order(id, 1), venue(48, /^[A-Za-z0-9._:-]+$/, 0))).toBeNull();
  });
});
