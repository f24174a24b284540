// The ccxt adapter's websocket: ccxt.pro's bingx class against the fake BingX's private swap stream
// (a listenKey from REST, gzip frames, Ping / Pong, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE), no
// polling. A fill arrives by the push (its details read by trade id from the fill history); the
// socket drops and the adapter polls until it is back, or reconciles when it reconnects: a fill made
// while it was down is not lost, and none is passed on twice.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientOrderId } from '../../../src/domain';
import type { VenueEvent } from '../../../src/venues/venue';
import { ccxtHarness, type CcxtHarness, type CcxtHarnessOptions } from '../conformance/ccxt-harness';
import { singleLeg } from '../conformance/session';
import { until } from '../../support/keel-process';

let h: CcxtHarness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

async function open(options: CcxtHarnessOptions) {
  h = await ccxtHarness({ settlePolls: false, streamPingMs: 50, ...options });
  const events: VenueEvent[] = [];
  await h.venue.connect();
  h.venue.subscribe((e) => events.push(e));
  const r = await h.venue.resolveInstrument({ symbol: 'BTC-USDT' });
  if (!r.ok) throw new Error(r.reason);
  await h.setQuote(r.instrument.id, { bid: 100, ask: 100.2 });
  const harness = h;
  await until('the websocket', () => harness.venue.streamConnected && harness.fake.streamsOpen > 0);
  await h.settle(); // the poll that follows the connect
  return { h, events, btc: r.instrument };
}

const fillsOf = (events: VenueEvent[]) =>
  events.flatMap((e) => (e.type === 'fill' ? [e.fill] : [])).map((f) => [f.clientOrderId, f.qty]);

const polls = (requests: readonly string[]) =>
  requests.filter((r) => r === 'GET /swap/v2/trade/openOrders').length;

describe('ccxt bingx: the websocket', () => {
  it('a fill arrives by the push, without polling; its position follows with its position id', async () => {
    const { h, events, btc } = await open({ adapter: { stream: true, pollMs: 0 } });
    expect(h.fake.requests).toContain('POST /user/auth/userDataStream');
    const pollsBefore = polls(h.fake.requests);
    const fillReadsBefore = h.fake.requests.filter((r) => r === 'GET /swap/v2/trade/fillHistory').length;
    const id = ClientOrderId.of('ws-o1');
    h.venue.submit(singleLeg(id, btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    await until('the fill', () => events.some((e) => e.type === 'fill'));
    await until('the position', () => events.some((e) => e.type === 'position'));
    expect(fillsOf(events)).toEqual([[id, 0.001]]);
    const [fill] = events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
    expect(fill?.execId).toMatch(/^\d+$/); // BingX's trade id
    const position = events.find((e) => e.type === 'position');
    expect(position?.type === 'position' && position.venuePositionId).toMatch(/^\d+$/);
    expect(h.fake.streamFrames).toContain('ORDER_TRADE_UPDATE');
    expect(h.fake.streamFrames).toContain('ACCOUNT_UPDATE');
    // Pushed, not polled: no open-order list was read; the order's fills were read by its id.
    expect(polls(h.fake.requests)).toBe(pollsBefore);
    expect(h.fake.requests.filter((r) => r === 'GET /swap/v2/trade/fillHistory').length).toBeGreaterThan(
      fillReadsBefore,
    );
    expect(h.fake.fillQueries).toContain(fill?.venueOrderId);
    await until('a Pong', () => h.fake.streamPongs > 0);
  });

  it('a handshake that never completes: the adapter says the websocket is down and polls; the listenKey (in the url ccxt names) never reaches the log', async () => {
    h = await ccxtHarness({
      settlePolls: false,
      streamPingMs: 50,
      adapter: { stream: true, pollMs: 50, streamConnectTimeoutMs: 200 },
    });
    const harness = h;
    h.fake.hangStreams(true);
    await h.venue.connect();
    await until('the websocket down', () => harness.lines.some((l) => l.includes('websocket down')));
    const keys = h.fake.issuedListenKeys;
    expect(keys.length).toBeGreaterThan(0);
    const down = h.lines.filter((l) => l.includes('websocket down'));
    expect(down.join('\n')).toMatch(/connection timeout/);
    for (const key of keys) expect(h.lines.filter((l) => l.includes(key))).toEqual([]);
    h.fake.hangStreams(false);
    await until('the websocket back', () => harness.venue.streamConnected && harness.fake.streamsOpen > 0);
  });

  it('the socket drops: the adapter polls until it is back; a fill made meanwhile arrives once; it reconnects and reconciles', async () => {
    const { h, events, btc } = await open({ adapter: { stream: true, pollMs: 50 } });
    const pollsBefore = polls(h.fake.requests);
    h.fake.refuseStreams(true);
    h.fake.dropStreams();
    await until('the adapter to see the websocket down', () => !h.venue.streamConnected);
    const id = ClientOrderId.of('ws-o2');
    h.venue.submit(singleLeg(id, btc, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    await until('the fill, by polling', () => events.some((e) => e.type === 'fill'));
    expect(polls(h.fake.requests)).toBeGreaterThan(pollsBefore);
    expect(h.lines.some((l) => /websocket down .*polling every 50 ms/.test(l))).toBe(true);
    h.fake.refuseStreams(false);
    await until('the websocket back', () => h.venue.streamConnected && h.fake.streamsOpen > 0);
    expect(h.fake.streamConnections).toBeGreaterThanOrEqual(2);
    expect(h.lines.some((l) => l.includes('websocket connected again: reconciling'))).toBe(true);
    // Back on pushes: the polling stops (a poll already under way may finish).
    await h.settle();
    const pollsUp = polls(h.fake.requests);
    const id2 = ClientOrderId.of('ws-o3');
    h.venue.submit(singleLeg(id2, btc, 'SELL', 0.001, { limit: 100, reduceOnly: true }));
    await h.advance(1_000);
    await until('the second fill', () => fillsOf(events).length === 2);
    expect(polls(h.fake.requests)).toBeLessThanOrEqual(pollsUp + 1);
    expect(fillsOf(events)).toEqual([
      [id, 0.001],
      [id2, 0.001],
    ]);
  });

  it('a fill made while the socket was down and nothing polled is found by the reconcile after the reconnect', async () => {
    // No polling at all (pollMs 0): only the reconcile that follows the reconnect can find it.
    const { h, events, btc } = await open({ adapter: { stream: true, pollMs: 0 } });
    h.fake.refuseStreams(true);
    h.fake.dropStreams();
    await until('the adapter to see the websocket down', () => !h.venue.streamConnected);
    const id = ClientOrderId.of('ws-o4');
    h.venue.submit(singleLeg(id, btc, 'BUY', 0.002, { limit: 100.2 }));
    await h.advance(1_000);
    expect(h.sim.venueLog().some((l) => l.type === 'fill' && l.clientOrderId === id)).toBe(true);
    expect(fillsOf(events)).toEqual([]); // nothing pushed, nothing polled
    h.fake.refuseStreams(false);
    await until('the fill, by the reconcile', () => events.some((e) => e.type === 'fill'));
    await h.settle();
    expect(fillsOf(events)).toEqual([[id, 0.002]]);
    expect(h.lines.some((l) => l.includes('websocket connected again: reconciling'))).toBe(true);
    const snap = await h.venue.snapshot();
    expect(snap.positions.map((p) => p.qty)).toEqual([0.002]);
  });

  it('a REST request with no answer takes the link down while the websocket stays up: polling brings it back', async () => {
    const { h, events, btc } = await open({
      adapter: { stream: true, pollMs: 50, requestTimeoutMs: 300 },
    });
    h.fake.failNext('placeOrder', { kind: 'timeout', place: true });
    h.venue.submit(singleLeg(ClientOrderId.of('ws-o6'), btc, 'BUY', 0.001, { limit: 100.2 }));
    await until('the link down', () => events.some((e) => e.type === 'connection' && !e.up));
    expect(h.venue.streamConnected).toBe(true);
    await until('the link back', () => events.some((e) => e.type === 'connection' && e.up));
    await h.advance(1_000);
    await until('the fill', () => events.some((e) => e.type === 'fill'));
    expect(h.fake.orderPosts).toHaveLength(1);
    expect(events.filter((e) => e.type === 'accepted')).toHaveLength(1);
  });

  it('a push whose 19-digit order id lost its digits is refused, and the account polled instead', async () => {
    const { h, events } = await open({ adapter: { stream: true, pollMs: 0 } });
    const pollsBefore = polls(h.fake.requests);
    // "i" last in its object: ccxt re-quotes only a long number followed by a comma, so it parses
    // as a JS number that cannot hold 1990000000000000001.
    h.fake.pushRawFrame(
      '{"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTC-USDT","c":"ws-x","S":"BUY","o":"LIMIT","q":"0.001","z":"0.001","ap":"100","x":"TRADE","X":"FILLED","T":1,"i":1990000000000000001}}',
    );
    await until('the refusal', () => h.lines.some((l) => /cannot hold its digits/.test(l)));
    await h.settle();
    expect(h.lines.some((l) => l.includes('the account is polled instead'))).toBe(true);
    expect(polls(h.fake.requests)).toBeGreaterThan(pollsBefore);
    expect(events.filter((e) => e.type === 'fill' || e.type === 'accepted')).toEqual([]);
  });

  it('off (stream: false), the adapter polls and opens no websocket', async () => {
    h = await ccxtHarness({ adapter: { stream: false, pollMs: 50 } });
    const events: VenueEvent[] = [];
    await h.venue.connect();
    h.venue.subscribe((e) => events.push(e));
    const r = await h.venue.resolveInstrument({ symbol: 'BTC-USDT' });
    if (!r.ok) throw new Error(r.reason);
    await h.setQuote(r.instrument.id, { bid: 100, ask: 100.2 });
    h.venue.submit(singleLeg(ClientOrderId.of('ws-o5'), r.instrument, 'BUY', 0.001, { limit: 100.2 }));
    await h.advance(1_000);
    const harness = h;
    await until('the fill', () => events.some((e) => e.type === 'fill'));
    expect(harness.fake.streamConnections).toBe(0);
    expect(harness.fake.requests).not.toContain('POST /user/auth/userDataStream');
  });
});
