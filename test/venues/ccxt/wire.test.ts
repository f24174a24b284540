// The ccxt adapter over the wire: real ccxt (bingx) against the loopback fake BingX, backed by the
// simulated futures venue. Markets and precision, keel's ids on the wire, 19-digit order ids kept
// as strings, the exchange's errors through ccxt's classes (an order of unknown fate looked up by
// client order id before any retry, never doubled), malformed answers, funding in the position
// history, and keys never logged.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientOrderId, type Instrument } from '../../../src/domain';
import type { VenueEvent } from '../../../src/venues/venue';
import { ccxtHarness, type CcxtHarness } from '../conformance/ccxt-harness';
import type { CcxtHarnessOptions } from '../conformance/ccxt-harness';
import { singleLeg } from '../conformance/session';

let h: CcxtHarness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

async function open(options: CcxtHarnessOptions = {}) {
  h = await ccxtHarness(options);
  const events: VenueEvent[] = [];
  await h.venue.connect();
  h.venue.subscribe((e) => events.push(e));
  const r = await h.venue.resolveInstrument({ symbol: 'BTC-USDT' });
  if (!r.ok) throw new Error(r.reason);
  await h.setQuote(r.instrument.id, { bid: 100, ask: 100.2 });
  return { h, events, btc: r.instrument };
}

const of = <T extends VenueEvent['type']>(events: VenueEvent[], type: T) =>
  events.filter((e): e is Extract<VenueEvent, { type: T }> => e.type === type);

const keelOrders = (h: CcxtHarness) =>
  h.sim.venueLog().filter((l) => l.type === 'order' && l.origin === 'keel');

describe('ccxt bingx over the wire', () => {
  it('loads the market with its precision and contract size; the order carries keel id, reduceOnly and a 19-digit id kept as a string', async () => {
    const { h, events, btc } = await open();
    expect([btc.kind, btc.tick, btc.lot, btc.multiplier]).toEqual(['future', 0.1, 0.0001, 1]);
    const id = ClientOrderId.of('wire-o1');
    h.venue.submit(singleLeg(id, btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    const [accepted] = of(events, 'accepted');
    expect(accepted?.venueOrderId).toMatch(/^\d{19}$/);
    expect(BigInt(accepted?.venueOrderId ?? '0') > 2n ** 53n).toBe(true);
    expect(of(events, 'fill').map((e) => [e.fill.venueOrderId, e.fill.qty])).toEqual([
      [accepted?.venueOrderId, 0.001],
    ]);
    const close = ClientOrderId.of('wire-c2');
    h.venue.submit(singleLeg(close, btc, 'SELL', 0.001, { limit: 100, reduceOnly: true }));
    await h.advance(1_000);
    expect(
      h.fake.orderPosts.map((p) => [p['clientOrderID'], p['reduceOnly'] ?? 'false', p['positionSide']]),
    ).toEqual([
      ['wire-o1', 'false', 'BOTH'],
      ['wire-c2', 'true', 'BOTH'],
    ]);
    const snap = await h.venue.snapshot();
    expect(snap.orders.find((o) => o.clientOrderId === id)?.venueOrderId).toBe(accepted?.venueOrderId);
    expect(snap.positionHistory).toHaveLength(1);
  });

  it('an off-tick price or off-lot amount is refused by ccxt precision before anything is sent', async () => {
    const { h, events, btc } = await open();
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 100.15 }));
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o2'), btc, 'BUY', 0.00015, { limit: 100.2 }));
    await h.advance(1_000);
    expect(of(events, 'rejected').map((e) => e.reason)).toEqual(['offTick', 'offLot']);
    expect(h.fake.orderPosts).toEqual([]);
  });

  it('InsufficientFunds: rejected refused with BingX code 101204, the ccxt class logged', async () => {
    const { h, events, btc } = await open({ availableMargin: 1 });
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 1, { limit: 100.2 }));
    await h.advance(1_000);
    expect(of(events, 'rejected').map((e) => [e.reason, e.code])).toEqual([['refused', 101204]]);
    expect(h.lines.some((l) => l.includes('InsufficientFunds'))).toBe(true);
    expect(keelOrders(h)).toEqual([]);
  });

  for (const placed of [false, true])
    it(`RateLimitExceeded (429) on an order the exchange ${placed ? 'took' : 'did not take'}: looked up by client order id, one order at the venue`, async () => {
      const { h, events, btc } = await open();
      h.fake.failNext('placeOrder', { kind: 'status', status: 429, place: placed });
      h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 100.2 }));
      await h.advance(1_000);
      await h.advance(1_000);
      expect(keelOrders(h)).toHaveLength(1);
      expect(of(events, 'accepted')).toHaveLength(1);
      expect(h.fake.requests.filter((r) => r === 'GET /swap/v2/trade/order').length).toBeGreaterThan(0);
      expect(h.fake.orderPosts).toHaveLength(placed ? 1 : 2);
    });

  it('a resend after a lookup that did not find the order (the exchange lagging) refused as a duplicate clientOrderID: the first is at the exchange, so it is looked up again, never rejected', async () => {
    const { h, events, btc } = await open();
    h.fake.failNext('placeOrder', { kind: 'status', status: 429, place: true });
    h.fake.failNext('queryOrder', { kind: 'lagging' });
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    await h.advance(1_000);
    expect(h.fake.orderPosts).toHaveLength(2); // the resend, refused 80014 as a duplicate
    expect(keelOrders(h)).toHaveLength(1);
    expect(of(events, 'rejected')).toEqual([]);
    expect(of(events, 'accepted')).toHaveLength(1);
    expect(of(events, 'fill').map((e) => e.fill.qty)).toEqual([0.001]);
  });

  it('RequestTimeout on an order the exchange took: the link goes down, the order is found by client order id when it is back, never sent twice', async () => {
    const { h, events, btc } = await open({ adapter: { requestTimeoutMs: 300 } });
    h.fake.failNext('placeOrder', { kind: 'timeout', place: true });
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    await h.advance(1_000);
    expect(of(events, 'connection').map((e) => e.up)).toEqual([false, true]);
    expect(keelOrders(h)).toHaveLength(1);
    expect(h.fake.orderPosts).toHaveLength(1);
    expect(of(events, 'accepted')).toHaveLength(1);
    expect(of(events, 'fill').map((e) => e.fill.qty)).toEqual([0.001]);
  });

  it('a malformed answer: an order is looked up, not resent; a malformed open-order list is never read as empty', async () => {
    const { h, events, btc } = await open();
    h.fake.failNext('placeOrder', { kind: 'malformed', place: true });
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 90 }));
    await h.advance(1_000);
    expect(keelOrders(h)).toHaveLength(1);
    expect(of(events, 'accepted')).toHaveLength(1);
    h.fake.failNext('openOrders', { kind: 'malformed', place: false });
    await expect(h.venue.snapshot()).rejects.toThrow(/malformed/);
    expect((await h.venue.snapshot()).orders.filter((o) => o.status === 'working')).toHaveLength(1);
  });

  it("funding in the position history is booked as the exchange reports it; a foreign trade is never passed on as keel's", async () => {
    const { h, events, btc } = await open();
    h.fake.chargeFunding(-2.92);
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.01, { limit: 100.2 }));
    await h.advance(1_000);
    h.venue.submit(
      singleLeg(ClientOrderId.of('wire-c2'), btc, 'SELL', 0.01, { limit: 100, reduceOnly: true }),
    );
    await h.advance(1_000);
    h.fake.addForeignTrade('BTC-USDT', 'BUY', 0.5, 100.1);
    await h.settle();
    const snap = await h.venue.snapshot();
    const [rec] = snap.positionHistory;
    const venue = h.sim.venueLog().find((l) => l.type === 'positionClosed');
    if (venue?.type !== 'positionClosed') throw new Error('no closed position');
    expect(rec?.funding).toBe(-2_920_000);
    expect(rec?.netPnl).toBe(Math.round((venue.netPnl - 2.92) * 1e6));
    expect(rec?.venuePositionId).toBe(venue.venuePositionId);
    expect(of(events, 'fill')).toHaveLength(2);
    // The foreign trade is in the snapshot as the exchange lists it, naming no order of keel's.
    expect(snap.executions.filter((x) => x.clientOrderId === null).map((x) => [x.side, x.qty])).toEqual([
      ['BUY', 0.5],
    ]);
  });

  it("two fills of one order in the same millisecond at the same price and size stay two: named by BingX's trade id", async () => {
    const { h, events, btc } = await open();
    h.nextOrder({ kind: 'partialFill', fraction: 0.5, restAfterMs: 0 });
    const id = ClientOrderId.of('wire-o1');
    h.venue.submit(singleLeg(id, btc, 'BUY', 0.002, { limit: 100.2 }));
    await h.advance(1_000);
    const venueFills = h.sim.venueLog().filter((l) => l.type === 'fill' && l.clientOrderId === id);
    const times = venueFills.map((l) => (l.type === 'fill' ? [l.t, l.qty, l.price] : []));
    expect(times).toHaveLength(2);
    expect(times[0]).toEqual(times[1]); // the same ms, size and price at the venue
    const fills = of(events, 'fill').map((e) => e.fill);
    expect(fills.map((f) => f.qty)).toEqual([0.001, 0.001]);
    expect(new Set(fills.map((f) => f.execId)).size).toBe(2);
    for (const f of fills) expect(f.execId).toMatch(/^\d+$/);
    const snap = await h.venue.snapshot();
    expect(snap.executions.filter((x) => x.clientOrderId === id).map((x) => x.execId)).toEqual(
      fills.map((f) => f.execId),
    );
    expect(snap.orders.find((o) => o.clientOrderId === id)?.filledQty).toBe(0.002);
  });

  it('keys never reach the log', async () => {
    const { h, btc } = await open();
    h.venue.submit(singleLeg(ClientOrderId.of('wire-o1'), btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    expect(h.lines.length).toBeGreaterThan(0);
    for (const l of h.lines) {
      expect(l).not.toContain(h.fake.secret);
      expect(l).not.toContain(h.fake.apiKey);
    }
  });
});

export type { Instrument };
