// The simulated futures venue behaves like BingX where reconciliation needs it to: position ids
// distinct from order ids, fills and trade records without position ids, trade records without
// client order ids, a position history without order ids; bracket children are one-cancels-other,
// a flat position takes its reduce-only orders with it, take-profits (MIT) wait for their trigger,
// and a sell limit never fills below its limit.
import { describe, expect, it } from 'vitest';
import {
  ClientOrderId,
  fixedOffsetZone,
  seededRng,
  type ClientOrderId as ClientOrderIdType,
  type Instrument,
  type OrderSpec,
  type OrderType,
  type Side,
} from '../../domain';
import type { MarketData, Quote, VenueEvent } from '../venue';
import { SimInstrumentRegistry } from './instruments';
import type { VenueFaultPlan } from './faults';
import { SimVenue } from './sim-venue';

function futuresVenue(faults?: VenueFaultPlan) {
  let now = Date.UTC(2025, 9, 23, 9, 15);
  const queue: { t: number; fn: () => void }[] = [];
  const quotes = new Map<string, Quote>();
  const market: MarketData = {
    spot: () => null,
    quote: (id) => quotes.get(id) ?? null,
    optionChain: () => [],
  };
  const registry = new SimInstrumentRegistry(
    new Map([['BTC-USDT', { symbol: 'BTC-USDT', kind: 'crypto' }]]),
    'futures',
  );
  const venue = new SimVenue(
    {
      products: 'futures',
      combos: false,
      latencyMs: 50,
      commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 },
      positionIds: 'distinct',
      positionHistory: true,
      midFillChance: 0,
      timeZone: fixedOffsetZone(540),
    },
    registry,
    market,
    { at: (t, _label, fn) => queue.push({ t, fn }), now: () => now },
    seededRng(1),
    faults,
  );
  const events: VenueEvent[] = [];
  venue.subscribe((e) => events.push(e));
  const r = registry.resolve({ symbol: 'BTC-USDT' });
  if (!r.ok) throw new Error(r.reason);
  const btc: Instrument = r.instrument;
  const run = (ms = 100) => {
    now += ms;
    for (let next = queue.shift(); next; next = queue.shift()) next.fn();
  };
  const price = (mid: number) => {
    quotes.set(btc.id, { bid: mid - 0.1, ask: mid + 0.1, mid, t: now });
    venue.onMarketStep();
  };
  const send = (
    id: string,
    side: Side,
    qty: number,
    type: OrderType,
    o: { limit?: number; stop?: number; reduceOnly?: boolean; parent?: string } = {},
  ) => {
    const spec: OrderSpec = {
      clientOrderId: ClientOrderId.of(id),
      legs: [{ instrumentId: btc.id, side, ratio: 1 }],
      qty,
      type,
      limitPrice: o.limit ?? null,
      stopPrice: o.stop ?? null,
      tif: 'GTC',
      reduceOnly: o.reduceOnly ?? false,
      parentClientOrderId: o.parent === undefined ? null : (ClientOrderId.of(o.parent) as ClientOrderIdType),
    };
    venue.submit(spec);
    run();
  };
  return { venue, events, btc, price, send, run };
}

/** A long 0.0846 with a stop and a take-profit attached to the entry. */
function bracketedLong() {
  const v = futuresVenue();
  v.price(109206.8);
  v.send('g-o1', 'BUY', 0.0846, 'MKT');
  v.send('g-p2', 'SELL', 0.0846, 'STP', { stop: 108114.7, reduceOnly: true, parent: 'g-o1' });
  v.send('g-p3', 'SELL', 0.0846, 'MIT', { stop: 109953.4, reduceOnly: true, parent: 'g-o1' });
  return v;
}

describe('simulated futures venue (BingX-like)', () => {
  it('gives positions ids of their own, never on fills or trade records, and no client ids on trade records', async () => {
    const { venue, events } = bracketedLong();
    const fill = events.find((e) => e.type === 'fill');
    expect(fill?.type === 'fill' && fill.fill.venuePositionId).toBe(null);
    const position = events.find((e) => e.type === 'position');
    const positionId = position?.type === 'position' ? position.venuePositionId : null;
    expect(positionId).toMatch(/^\d{19}$/);
    const snap = await venue.snapshot();
    expect(snap.positions[0]?.venuePositionId).toBe(positionId);
    expect(snap.orders.map((o) => o.venueOrderId)).not.toContain(positionId);
    expect(snap.executions[0]).toMatchObject({ clientOrderId: null, venuePositionId: null });
    expect(snap.orders.find((o) => o.clientOrderId === 'g-o1')?.avgFillPrice).toBe(109206.9);
  });

  it('rests a take-profit until the price touches it, then fills it and cancels the attached stop', async () => {
    const { venue, events, price } = bracketedLong();
    price(109953.3);
    expect(events.filter((e) => e.type === 'fill')).toHaveLength(1);
    price(109953.4);
    const fills = events.filter((e) => e.type === 'fill');
    expect(fills).toHaveLength(2);
    const cancelled = events.filter((e) => e.type === 'cancelled');
    expect(cancelled.map((e) => e.type === 'cancelled' && e.clientOrderId)).toEqual(['g-p2']);
    const snap = await venue.snapshot();
    expect(snap.positions).toEqual([]);
    const [closed] = snap.positionHistory;
    expect(closed).toMatchObject({ side: 'LONG', qty: 0.0846, avgPrice: 109206.9, avgClosePrice: 109953.3 });
    expect(Object.keys(closed ?? {})).not.toContain('clientOrderId');
    expect(snap.executions.filter((x) => x.t >= (closed?.closedAt ?? 0))).toHaveLength(1);
    const later = await venue.snapshot({ executionsSince: (closed?.closedAt ?? 0) + 1 });
    expect(later.executions).toEqual([]);
  });

  it('triggers a sell stop at or below its price', () => {
    const { events, price } = bracketedLong();
    price(108114.8);
    expect(events.filter((e) => e.type === 'fill')).toHaveLength(1);
    price(108114.7);
    expect(events.filter((e) => e.type === 'fill')).toHaveLength(2);
  });

  it('cancels reduce-only orders resting on a position that went flat', () => {
    const v = futuresVenue();
    v.price(100_000);
    v.send('g-o1', 'BUY', 0.01, 'MKT');
    v.send('g-p2', 'SELL', 0.01, 'STP', { stop: 99_000, reduceOnly: true });
    v.send('x-c1', 'SELL', 0.01, 'MKT');
    const cancelled = v.events.filter((e) => e.type === 'cancelled');
    expect(cancelled.map((e) => e.type === 'cancelled' && [e.reason, e.detail])).toEqual([
      ['venue', 'position closed: reduce-only order cancelled'],
    ]);
  });

  it('never fills a sell limit below its limit', () => {
    const v = futuresVenue();
    v.price(100_000);
    v.send('g-o1', 'SELL', 0.01, 'LMT', { limit: 100_050 });
    expect(v.events.filter((e) => e.type === 'fill')).toEqual([]);
    v.price(100_050.1);
    const fill = v.events.find((e) => e.type === 'fill');
    expect(fill?.type === 'fill' && fill.fill.price).toBe(100_050);
  });

  it('fills part of a fractional order under a partial-fill fault, on the lot, and the rest at the next step', () => {
    let faulted = false;
    const v = futuresVenue({
      onOrder: () => {
        if (faulted) return { kind: 'none' };
        faulted = true;
        return { kind: 'partialFill', fraction: 0.4, restDelaySec: null };
      },
      takeDuplicateFill: () => false,
    });
    v.price(100_000);
    v.send('g-o1', 'BUY', 0.001, 'MKT');
    const qtys = () => v.events.flatMap((e) => (e.type === 'fill' ? [e.fill.qty] : []));
    expect(qtys()).toEqual([0.0004]);
    v.price(100_000);
    expect(qtys()).toEqual([0.0004, 0.0006]);
    expect(v.events.filter((e) => e.type === 'position').map((e) => e.type === 'position' && e.qty)).toEqual([
      0.0004, 0.001,
    ]);
  });
});
