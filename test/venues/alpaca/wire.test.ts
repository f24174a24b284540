// The alpaca adapter over the wire: the real client library against the loopback fake Alpaca (HTTP
// and a websocket on 127.0.0.1), the simulated venue behind it. What Alpaca refuses at once (403
// buying power, 422 qty, sub-penny, unknown asset, a client_order_id used before), what it leaves
// unclear (429, 5xx, a timeout, a malformed body: looked up by client order id before any resend,
// never a double order), the stream dropping while a fill happens (caught up through REST, passed
// on once), a malformed frame and an update for an order nobody placed: each a log line and a
// typed event or nothing, never a crash, a lost fill or a second order.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientOrderId, type Instrument } from '../../../src/domain';
import { AlpacaVenue, alpacaPaper, parseAlpacaSettings } from '../../../src/venues/alpaca';
import { alpacaHarness, type AlpacaHarness } from '../conformance/alpaca-harness';
import { comboOrder, filledQty, priceBook, Session, singleLeg } from '../conformance/session';
import { freePort } from '../../support/keel-process';

let h: AlpacaHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function open(options: Parameters<typeof alpacaHarness>[0] = {}) {
  h = await alpacaHarness(options);
  const s = await Session.open(h.venue);
  const r = await h.venue.resolveInstrument({ symbol: 'SPY' });
  if (!r.ok) throw new Error(r.reason);
  const book = priceBook(r.instrument);
  await h.setQuote(r.instrument.id, { bid: book.bid, ask: book.ask });
  return { h, s, i: r.instrument, book };
}

/** Orders the simulated venue received with this client order id (a double order would be two). */
function ordersAtVenue(harness: AlpacaHarness, id: string): number {
  return harness.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId === id).length;
}

const posts = (harness: AlpacaHarness) => harness.fake.requests.filter((r) => r === 'POST /v2/orders').length;

function buy(id: string, i: Instrument, qty: number, limit: number) {
  return singleLeg(ClientOrderId.of(id), i, 'BUY', qty, { limit });
}

describe('alpaca over the wire: what Alpaca refuses at once', () => {
  it("insufficient buying power (403 40310000) is a refusal with Alpaca's code and text", async () => {
    const { h, s, i, book } = await open({ buyingPower: 500 });
    s.submit(buy('bp-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    const [rejected] = s.of('rejected', ClientOrderId.of('bp-o1'));
    expect([rejected?.reason, rejected?.code, rejected?.message]).toEqual([
      'refused',
      40310000,
      'insufficient buying power',
    ]);
    expect(ordersAtVenue(h, 'bp-o1')).toBe(0);
  });

  it('a fractional quantity of a whole-share asset (422) is offLot; nothing reaches the venue', async () => {
    const { h, s, i, book } = await open();
    s.submit(buy('qty-o1', i, 1.5, book.marketableBuy));
    await h.advance(1_000);
    const [rejected] = s.of('rejected', ClientOrderId.of('qty-o1'));
    expect([rejected?.reason, rejected?.code, rejected?.message]).toEqual([
      'offLot',
      40010001,
      'qty must be integer',
    ]);
    expect(ordersAtVenue(h, 'qty-o1')).toBe(0);
  });

  it('a client_order_id used before a restart (its order filled and gone) is refused by Alpaca (40010001): duplicateId', async () => {
    const { h, s, i, book } = await open();
    s.submit(buy('dup-o1', i, 1, book.marketableBuy));
    await h.advance(1_000);
    expect(filledQty(s.fills(ClientOrderId.of('dup-o1')))).toBe(1);
    const fresh = await Session.open(await h.restart());
    expect((await h.venue.resolveInstrument({ symbol: 'SPY' })).ok).toBe(true);
    fresh.submit(buy('dup-o1', i, 1, book.restingBuy));
    await h.advance(1_000);
    const [rejected] = fresh.of('rejected', ClientOrderId.of('dup-o1'));
    expect([rejected?.reason, rejected?.code]).toEqual(['duplicateId', 40010001]);
    expect(ordersAtVenue(h, 'dup-o1')).toBe(1);
    expect(posts(h)).toBe(2);
  });
});

describe('alpaca over the wire: no clear answer to an order, never a double order', () => {
  for (const fault of [
    { kind: 'status', status: 429, place: false },
    { kind: 'status', status: 503, place: false },
    { kind: 'status', status: 500, place: true },
    { kind: 'timeout', place: true },
    { kind: 'timeout', place: false },
    { kind: 'malformed', place: true },
  ] as const) {
    const what = `${fault.kind}${'status' in fault ? ` ${fault.status}` : ''} (${fault.place ? 'placed' : 'not placed'})`;
    it(`${what}: looked up by client_order_id first; the order is at the venue exactly once and fills`, async () => {
      const { h, s, i, book } = await open({ adapter: { requestTimeoutMs: 300 } });
      h.fake.failNextOrder(fault);
      const id = `amb-${fault.kind}-${fault.place ? 'p' : 'n'}1`;
      s.submit(buy(id, i, 10, book.marketableBuy));
      await h.advance(1_000);
      await h.advance(1_000);
      expect(ordersAtVenue(h, id)).toBe(1);
      expect(posts(h)).toBe(fault.place ? 1 : 2);
      expect(h.fake.requests.filter((r) => r === 'GET /v2/orders:by_client_order_id').length).toBeGreaterThan(
        0,
      );
      expect(s.accepted(ClientOrderId.of(id))).toBeDefined();
      expect(filledQty(s.fills(ClientOrderId.of(id)))).toBe(10);
      expect(s.of('rejected')).toEqual([]);
      expect(h.lines.some((l) => l.includes('looking it up by client_order_id'))).toBe(true);
    });
  }
});

describe('alpaca over the wire: the stream', () => {
  it('drops while a resting order fills: keel hears down, then the fill once (caught up through REST), then up', async () => {
    const { h, s, i, book } = await open();
    const id = ClientOrderId.of('drop-o1');
    s.submit(buy('drop-o1', i, 10, book.restingBuy));
    await h.advance(1_000);
    expect(s.accepted(id)).toBeDefined();
    const mark = s.mark();
    h.fake.dropStream(true);
    await h.settle();
    expect(h.venue.isConnected()).toBe(false);
    await h.setQuote(i.id, { bid: book.ticks(-13), ask: book.restingBuy });
    await h.advance(1_000);
    expect(s.fills(id)).toEqual([]);
    h.fake.allowStream();
    await h.settle();
    expect(h.venue.isConnected()).toBe(true);
    const heard = s.events.slice(mark).map((e) => (e.type === 'connection' ? `connection ${e.up}` : e.type));
    expect(heard).toEqual(['connection false', 'fill', 'position', 'connection true']);
    expect(filledQty(s.fills(id))).toBe(10);
    const snap = await h.venue.snapshot();
    expect(snap.executions.filter((x) => x.clientOrderId === id).map((x) => x.execId)).toEqual(
      s.fills(id).map((f) => f.execId),
    );
  });

  it('a malformed frame is a log line; the updates after it still arrive', async () => {
    const { h, s, i, book } = await open();
    h.fake.sendRawFrame('{"stream": "trade_updates", "data": {"event": "fill"');
    h.fake.sendRawFrame(
      JSON.stringify({ stream: 'trade_updates', data: { event: 'fill', order: { id: 1 } } }),
    );
    s.submit(buy('after-junk-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    expect(filledQty(s.fills(ClientOrderId.of('after-junk-o1')))).toBe(10);
    expect(h.lines.some((l) => l.includes('failed to decode message'))).toBe(true);
    expect(h.lines.some((l) => l.includes('a trade update keel cannot read'))).toBe(true);
  });

  it('an update for an order nobody placed is a log line, never a fill of keel', async () => {
    const { h, s } = await open();
    h.fake.sendUnknownOrderUpdate('fill');
    h.fake.sendUnknownOrderUpdate('canceled');
    await h.settle();
    expect(s.of('fill')).toEqual([]);
    expect(s.of('cancelled')).toEqual([]);
    expect(h.lines.some((l) => l.includes('that keel did not place'))).toBe(true);
  });
});

describe('alpaca keys and config', () => {
  it('keys come only from the environment and are never logged', async () => {
    const { h, s, i, book } = await open();
    s.submit(buy('keys-o1', i, 1, book.marketableBuy));
    await h.advance(1_000);
    for (const line of h.lines) {
      expect(line).not.toContain(h.fake.secret);
      expect(line).not.toContain(h.fake.keyId);
    }
    const missing = parseAlpacaSettings({}, {});
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.join()).toContain('APCA_API_KEY_ID and APCA_API_SECRET_KEY');
    const paper = parseAlpacaSettings({}, { APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' });
    expect(paper.ok && paper.config.tradingUrl).toBe(alpacaPaper.tradingUrl);
    expect(parseAlpacaSettings({ secret: 'x' }, {}).ok).toBe(false);
  });

  it('apiBaseUrl (for tests) points REST and the stream at a fake on this machine, never elsewhere, never live', async () => {
    const { h } = await open();
    const env = { APCA_API_KEY_ID: h.fake.keyId, APCA_API_SECRET_KEY: h.fake.secret };
    const parsed = parseAlpacaSettings({ apiBaseUrl: h.fake.urls.tradingUrl }, env);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect([parsed.config.tradingUrl, parsed.config.dataUrl, parsed.config.streamUrl]).toEqual([
      h.fake.urls.tradingUrl,
      h.fake.urls.dataUrl,
      h.fake.urls.streamUrl,
    ]);
    const venue = new AlpacaVenue({ config: parsed.config, quotePollMs: 0, requestsPerMinute: null });
    await venue.connect();
    expect(venue.isConnected()).toBe(true);
    await venue.close();
    const elsewhere = parseAlpacaSettings({ apiBaseUrl: 'https://127.0.0.3' }, env);
    expect(elsewhere.ok ? [] : elsewhere.errors).toEqual([
      'venue.apiBaseUrl https://127.0.0.3 is not an http url on this machine: it is only for testing against a fake Alpaca (127.0.0.1)',
    ]);
    expect(parseAlpacaSettings({ apiBaseUrl: h.fake.urls.tradingUrl, live: true }, env)).toEqual({
      ok: false,
      errors: [
        'venue: live: true but apiBaseUrl points at a fake Alpaca on this machine: remove apiBaseUrl to trade the live account, or remove live: true to test against the fake',
      ],
    });
  });

  it('a stream nobody answers is said to be unreachable, with its url and the error, not blamed on the keys', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const nowhere = new AlpacaVenue({
      config: {
        tradingUrl: url,
        dataUrl: url,
        streamUrl: `ws://127.0.0.1:${port}/stream`,
        feed: 'iex',
        live: false,
        keyId: 'PKNOWHERE',
        secret: 'nowhere-secret',
      },
      connectTimeoutMs: 2_000,
      quotePollMs: 0,
    });
    const failed = await nowhere.connect().then(
      () => 'connected',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    await nowhere.close();
    const stream = `ws://127.0.0.1:${port}/stream`.replaceAll('.', '\\.');
    expect(failed).toMatch(
      new RegExp(`could not reach the trade_updates stream at ${stream}: .*ECONNREFUSED`),
    );
    expect(failed).not.toMatch(/did not authenticate/);
  });

  it('a wrong key is refused at connect, with the reason and without the key', async () => {
    const { h } = await open();
    const wrong = new AlpacaVenue({
      config: { ...h.fake.urls, feed: 'iex', live: false, keyId: 'PKWRONG', secret: 'wrong-secret' },
      connectTimeoutMs: 2_000,
      quotePollMs: 0,
    });
    await expect(wrong.connect()).rejects.toThrow(/did not authenticate.*check APCA_API_KEY_ID/);
    await wrong.close();
  });
});

describe('alpaca over the wire: a stop-loss and a take-profit as one native OCO order', () => {
  it('sent in one turn they go as one order_class oco (both keel ids named); the take-profit fills and Alpaca cancels the stop (reason venue), keel sends no cancel', async () => {
    const { h, s, i, book } = await open();
    const entry = ClientOrderId.of('oco-o1');
    s.submit(buy('oco-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    expect(filledQty(s.fills(entry))).toBe(10);
    const [stop, target] = [ClientOrderId.of('oco-p2'), ClientOrderId.of('oco-p3')];
    const exit = { parent: entry, tif: 'GTC', reduceOnly: true } as const;
    s.submit(singleLeg(stop, i, 'SELL', 10, { ...exit, type: 'STP', stop: book.ticks(-20) }));
    s.submit(singleLeg(target, i, 'SELL', 10, { ...exit, type: 'MIT', stop: book.ticks(20) }));
    await h.advance(1_000);
    expect(posts(h)).toBe(2);
    const parent = s.accepted(entry).venueOrderId;
    for (const child of [stop, target]) expect(s.accepted(child).parentVenueOrderId).toBe(parent);
    const atVenue = h.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId !== 'oco-o1');
    expect(
      atVenue.map((l) => (l.type === 'order' ? [l.clientOrderId, l.reduceOnly, l.parentVenueOrderId] : [])),
    ).toEqual([
      ['oco-p3', true, '10001'],
      ['oco-p2', true, '10001'],
    ]);
    const fresh = await Session.open(await h.restart());
    const listed = (await h.venue.snapshot()).orders.filter((o) => o.status === 'working');
    expect(listed.map((o) => o.clientOrderId).sort()).toEqual([stop, target]);
    await h.setQuote(i.id, { bid: book.ticks(20), ask: book.ticks(22) });
    await h.advance(1_000);
    expect(filledQty(fresh.fills(target))).toBe(10);
    expect(fresh.of('cancelled', stop).map((e) => [e.reason, e.remainingQty])).toEqual([['venue', 10]]);
    expect(h.fake.requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
  });
});

describe('alpaca over the wire: an OCO of long keel ids', () => {
  it("a group id of 26 characters (two full ids would pass Alpaca's 48) still sends its stop-loss and take-profit as one OCO, and a restarted keel names both legs by keel's id", async () => {
    const { h, s, i, book } = await open();
    const group = 'momentum-swing-20260105-12';
    const entry = ClientOrderId.of(`${group}-o1`);
    s.submit(buy(entry, i, 10, book.marketableBuy));
    await h.advance(1_000);
    expect(filledQty(s.fills(entry))).toBe(10);
    const [stop, target] = [ClientOrderId.of(`${group}-p2`), ClientOrderId.of(`${group}-p3`)];
    const exit = { parent: entry, tif: 'GTC', reduceOnly: true } as const;
    s.submit(singleLeg(stop, i, 'SELL', 10, { ...exit, type: 'STP', stop: book.ticks(-20) }));
    s.submit(singleLeg(target, i, 'SELL', 10, { ...exit, type: 'MIT', stop: book.ticks(20) }));
    await h.advance(1_000);
    expect(posts(h)).toBe(2); // the entry, then one OCO order (not two separate exits)
    const atVenue = h.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId !== entry);
    expect(atVenue.map((l) => (l.type === 'order' ? [l.clientOrderId, l.reduceOnly] : []))).toEqual([
      [target, true],
      [stop, true],
    ]);
    const fresh = await Session.open(await h.restart());
    const listed = (await h.venue.snapshot()).orders.filter((o) => o.status === 'working');
    expect(listed.map((o) => o.clientOrderId).sort()).toEqual([stop, target]);
    await h.setQuote(i.id, { bid: book.ticks(20), ask: book.ticks(22) });
    await h.advance(1_000);
    expect(filledQty(fresh.fills(target))).toBe(10);
    expect(fresh.of('cancelled', stop).map((e) => [e.reason, e.remainingQty])).toEqual([['venue', 10]]);
  });
});

describe('alpaca over the wire: an order from before a restart', () => {
  it('a resting sell found after a restart fills as a sell, named by keel id, and the position goes flat', async () => {
    const { h, s, i, book } = await open();
    s.submit(buy('rs-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    const sell = ClientOrderId.of('rs-c2');
    s.submit(singleLeg(sell, i, 'SELL', 10, { limit: book.restingSell }));
    await h.advance(1_000);
    expect(s.accepted(sell)).toBeDefined();
    const fresh = await Session.open(await h.restart());
    await h.setQuote(i.id, { bid: book.restingSell, ask: book.ticks(13) });
    await h.advance(1_000);
    expect(fresh.fills(sell).map((f) => [f.side, f.qty, f.clientOrderId])).toEqual([['SELL', 10, sell]]);
    expect(fresh.of('position').at(-1)?.qty).toBe(0);
  });
});

describe('alpaca over the wire: a bracket child sent alone never stands beside a lone sibling', () => {
  /** keel's sell orders working at the venue for the instrument, and how each is tied to the position. */
  function workingSells(harness: AlpacaHarness) {
    const log = harness.sim.venueLog();
    const ended = new Set(
      log.flatMap((l) => (l.type === 'cancel' || l.type === 'reject' ? [l.venueOrderId] : [])),
    );
    const filled = new Map<string, number>();
    for (const l of log)
      if (l.type === 'fill') filled.set(l.venueOrderId, (filled.get(l.venueOrderId) ?? 0) + l.qty);
    return log.flatMap((l) =>
      l.type === 'order' &&
      l.origin === 'keel' &&
      l.legs[0]?.side === 'SELL' &&
      !ended.has(l.venueOrderId) &&
      (filled.get(l.venueOrderId) ?? 0) < l.qty
        ? [[l.clientOrderId, l.reduceOnly, l.parentVenueOrderId !== null] as const]
        : [],
    );
  }

  it('an OCO whose stop-loss leg is refused leaves its take-profit alone: the stop sent again is kept back, the take-profit cancelled, both reported ended in one burst; sent again together they are one OCO, which a restarted keel leaves to Alpaca: the stop ends with the position', async () => {
    const { h, s, i, book } = await open();
    const entry = ClientOrderId.of('lone-o1');
    s.submit(buy('lone-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    expect(filledQty(s.fills(entry))).toBe(10);
    const exit = { parent: entry, tif: 'GTC', reduceOnly: true } as const;
    const tp = (id: string) =>
      singleLeg(ClientOrderId.of(id), i, 'SELL', 10, { ...exit, type: 'MIT', stop: book.ticks(20) });
    const sl = (id: string) =>
      singleLeg(ClientOrderId.of(id), i, 'SELL', 10, { ...exit, type: 'STP', stop: book.ticks(-20) });
    h.fake.refuseNextOcoStopLeg();
    s.submit(sl('lone-p2'));
    s.submit(tp('lone-p3'));
    await h.advance(1_000);
    expect(s.of('rejected', ClientOrderId.of('lone-p2')).length).toBe(1);
    expect(workingSells(h)).toEqual([['lone-p3', true, true]]);
    // keel sends the refused stop again, alone.
    const mark = s.mark();
    s.submit(sl('lone-p4'));
    await h.advance(1_000);
    // It never reached Alpaca as a plain order beside the take-profit: both ended, the stop unsent.
    expect(ordersAtVenue(h, 'lone-p4')).toBe(0);
    const ended = s.events
      .slice(mark)
      .flatMap((e) => (e.type === 'cancelled' ? [[e.clientOrderId, e.reason, e.remainingQty]] : []));
    expect(ended).toEqual([
      ['lone-p3', 'venue', 10],
      ['lone-p4', 'venue', 10],
    ]);
    expect(workingSells(h)).toEqual([]);
    // keel sends the pair again in one turn: one OCO order, both legs reduce-only and attached.
    s.submit(sl('lone-p5'));
    s.submit(tp('lone-p6'));
    await h.advance(1_000);
    expect(workingSells(h)).toEqual([
      ['lone-p6', true, true],
      ['lone-p5', true, true],
    ]);
    // A restarted keel knows no link between the two: Alpaca's OCO ends the stop when the target fills.
    const fresh = await Session.open(await h.restart());
    await h.setQuote(i.id, { bid: book.ticks(20), ask: book.ticks(22) });
    await h.advance(1_000);
    expect(filledQty(fresh.fills(ClientOrderId.of('lone-p6')))).toBe(10);
    expect(fresh.of('position').at(-1)?.qty).toBe(0);
    expect(workingSells(h)).toEqual([]);
    expect(fresh.of('cancelled', ClientOrderId.of('lone-p5')).map((e) => e.reason)).toEqual(['venue']);
  });

  it('an OCO whose take-profit was refused leaves its stop leg alone: a take-profit sent again regroups with it: never two separate exits', async () => {
    const { h, s, i, book } = await open();
    const entry = ClientOrderId.of('leg-o1');
    s.submit(buy('leg-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    const exit = { parent: entry, tif: 'GTC', reduceOnly: true } as const;
    const tp = (id: string) =>
      singleLeg(ClientOrderId.of(id), i, 'SELL', 10, { ...exit, type: 'MIT', stop: book.ticks(20) });
    const sl = (id: string) =>
      singleLeg(ClientOrderId.of(id), i, 'SELL', 10, { ...exit, type: 'STP', stop: book.ticks(-20) });
    h.nextOrder({ kind: 'reject', code: 201, message: 'Order rejected' }); // the OCO's limit leg, first at the venue
    s.submit(sl('leg-p2'));
    s.submit(tp('leg-p3'));
    await h.advance(1_000);
    expect(s.of('rejected', ClientOrderId.of('leg-p3')).length).toBe(1);
    expect(workingSells(h)).toEqual([['leg-p2', true, true]]);
    s.submit(tp('leg-p4'));
    await h.advance(1_000);
    expect(ordersAtVenue(h, 'leg-p4')).toBe(0);
    expect(s.of('cancelled', ClientOrderId.of('leg-p2')).map((e) => e.reason)).toEqual(['venue']);
    expect(s.of('cancelled', ClientOrderId.of('leg-p4')).map((e) => e.reason)).toEqual(['venue']);
    expect(workingSells(h)).toEqual([]);
  });
});

describe('alpaca over the wire: an exit sent alone', () => {
  it("a stop-loss with no sibling (its take-profit refused twice, managed by keel) goes as a plain order with position_intent sell_to_close: Alpaca's venue holds it as an exit of the position, reduce-only", async () => {
    const { h, s, i, book } = await open();
    const entry = ClientOrderId.of('solo-o1');
    s.submit(buy('solo-o1', i, 10, book.marketableBuy));
    await h.advance(1_000);
    const stop = ClientOrderId.of('solo-p2');
    s.submit(
      singleLeg(stop, i, 'SELL', 10, {
        parent: entry,
        tif: 'GTC',
        reduceOnly: true,
        type: 'STP',
        stop: book.ticks(-20),
      }),
    );
    await h.advance(1_000);
    expect(s.accepted(stop)).toBeDefined();
    const atVenue = h.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId === 'solo-p2');
    expect(
      atVenue.map((l) => (l.type === 'order' ? [l.reduceOnly, l.parentVenueOrderId !== null] : [])),
    ).toEqual([[true, true]]);
    // A plain sell that is not reduce-only (an open, a short) carries no closing intent.
    s.submit(singleLeg(ClientOrderId.of('solo-o3'), i, 'SELL', 5, { limit: book.restingSell, tif: 'DAY' }));
    await h.advance(1_000);
    const plain = h.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId === 'solo-o3');
    expect(plain.map((l) => (l.type === 'order' ? [l.reduceOnly, l.parentVenueOrderId] : []))).toEqual([
      [false, null],
    ]);
  });
});

describe('alpaca over the wire: multi-leg options (order_class mleg)', () => {
  async function quotedCalls(harness: AlpacaHarness) {
    const chain = await harness.venue.optionChain('XSP', '2026-02-20');
    const calls = chain.filter((x) => x.kind === 'option' && x.right === 'C').slice(0, 3);
    let n = 0;
    for (const c of calls) {
      const mid = 5 - 0.4 * n++;
      await harness.setQuote(c.id, {
        bid: Math.round((mid - 0.05) * 100) / 100,
        ask: Math.round((mid + 0.05) * 100) / 100,
      });
    }
    return calls;
  }

  it('options level 3: a butterfly goes as one mleg order (OCC symbols, ratios, one net debit); its legs fill as one execution, passed on together', async () => {
    h = await alpacaHarness();
    const s = await Session.open(h.venue);
    expect(h.venue.capabilities.combos).toBe(true);
    const [k1, k2, k3] = await quotedCalls(h);
    if (k1 === undefined || k2 === undefined || k3 === undefined) throw new Error('no chain');
    expect(k1.id).toBe('XSP260220C00096000');
    const legs = [
      { instrumentId: k1.id, side: 'BUY' as const, ratio: 1 },
      { instrumentId: k2.id, side: 'SELL' as const, ratio: 2 },
      { instrumentId: k3.id, side: 'BUY' as const, ratio: 1 },
    ];
    const id = ClientOrderId.of('fly-o1');
    s.submit(comboOrder(id, legs, 2, { limit: 0.3, tif: 'DAY' }));
    await h.advance(1_000);
    expect(posts(h)).toBe(1);
    const atVenue = h.sim.venueLog().filter((l) => l.type === 'order' && l.clientOrderId === 'fly-o1');
    expect(
      atVenue.map((l) => (l.type === 'order' ? [l.combo, l.legs.length, l.qty, l.limitPrice] : [])),
    ).toEqual([[true, 3, 2, 0.3]]);
    const fills = s.fills(id);
    expect(fills.map((f) => [f.instrumentId, f.side, f.qty])).toEqual([
      [k1.id, 'BUY', 2],
      [k2.id, 'SELL', 4],
      [k3.id, 'BUY', 2],
    ]);
    expect(new Set(fills.map((f) => f.comboExecId)).size).toBe(1);
    expect(fills.every((f) => f.venueOrderId === s.accepted(id).venueOrderId)).toBe(true);
    const snap = await h.venue.snapshot();
    expect(
      snap.executions
        .filter((x) => x.clientOrderId === id)
        .map((x) => x.execId)
        .sort(),
    ).toEqual(fills.map((f) => f.execId).sort());
  });

  it("a resting mleg order found after a restart is keel's again, legs and all: its later fills come as one execution of it", async () => {
    h = await alpacaHarness();
    const s = await Session.open(h.venue);
    const [k1, k2, k3] = await quotedCalls(h);
    if (k1 === undefined || k2 === undefined || k3 === undefined) throw new Error('no chain');
    const legs = [
      { instrumentId: k1.id, side: 'BUY' as const, ratio: 1 },
      { instrumentId: k2.id, side: 'SELL' as const, ratio: 2 },
      { instrumentId: k3.id, side: 'BUY' as const, ratio: 1 },
    ];
    const id = ClientOrderId.of('rfly-o1');
    const spec = comboOrder(id, legs, 1, { limit: 0.1, tif: 'DAY' }); // the natural debit is 0.20: it rests
    s.submit(spec);
    await h.advance(1_000);
    expect(s.accepted(id)).toBeDefined();
    expect(s.fills(id)).toEqual([]);
    const fresh = await Session.open(await h.restart());
    const listed = (await h.venue.snapshot()).orders.filter((o) => o.clientOrderId === id);
    expect(listed.map((o) => [o.status, o.remainingQty, o.spec?.legs])).toEqual([['working', 1, legs]]);
    await h.setQuote(k2.id, { bid: 4.6, ask: 4.7 }); // natural debit 0.10
    await h.advance(1_000);
    const fills = fresh.fills(id);
    expect(fills.map((f) => [f.instrumentId, f.qty])).toEqual([
      [k1.id, 1],
      [k2.id, 2],
      [k3.id, 1],
    ]);
    expect(new Set(fills.map((f) => f.comboExecId)).size).toBe(1);
    expect(fresh.of('fill').filter((e) => e.fill.clientOrderId !== id)).toEqual([]);
  });

  it('an mleg order fills while the stream is down: its legs are caught up through the FILL activities and passed on together, once', async () => {
    h = await alpacaHarness();
    const s = await Session.open(h.venue);
    const [k1, k2, k3] = await quotedCalls(h);
    if (k1 === undefined || k2 === undefined || k3 === undefined) throw new Error('no chain');
    const legs = [
      { instrumentId: k1.id, side: 'BUY' as const, ratio: 1 },
      { instrumentId: k2.id, side: 'SELL' as const, ratio: 2 },
      { instrumentId: k3.id, side: 'BUY' as const, ratio: 1 },
    ];
    const id = ClientOrderId.of('dfly-o1');
    s.submit(comboOrder(id, legs, 1, { limit: 0.1, tif: 'DAY' }));
    await h.advance(1_000);
    expect(s.accepted(id)).toBeDefined();
    h.fake.dropStream(true);
    await h.settle();
    await h.setQuote(k2.id, { bid: 4.6, ask: 4.7 });
    await h.advance(1_000);
    expect(s.fills(id)).toEqual([]);
    h.fake.allowStream();
    await h.settle();
    const fills = s.fills(id);
    expect(fills.map((f) => [f.instrumentId, f.qty])).toEqual([
      [k1.id, 1],
      [k2.id, 2],
      [k3.id, 1],
    ]);
    expect(new Set(fills.map((f) => f.comboExecId)).size).toBe(1);
    const snap = await h.venue.snapshot();
    expect(snap.executions.filter((x) => x.clientOrderId === id).map((x) => x.comboExecId)).toEqual(
      fills.map((f) => f.comboExecId),
    );
  });

  it('options level 2: no multi-leg orders (capabilities.combos false, a combo refused unsupported naming the level, nothing sent); single-leg option orders still go', async () => {
    h = await alpacaHarness({ optionsLevel: 2 });
    const s = await Session.open(h.venue);
    expect([h.venue.capabilities.combos, h.venue.capabilities.comboLegsMax]).toEqual([false, 1]);
    const [k1, k2] = await quotedCalls(h);
    if (k1 === undefined || k2 === undefined) throw new Error('no chain');
    const legs = [
      { instrumentId: k1.id, side: 'BUY' as const, ratio: 1 },
      { instrumentId: k2.id, side: 'SELL' as const, ratio: 1 },
    ];
    s.submit(comboOrder(ClientOrderId.of('vert-o1'), legs, 1, { limit: 0.5, tif: 'DAY' }));
    await h.advance(1_000);
    const [rejected] = s.of('rejected', ClientOrderId.of('vert-o1'));
    expect(rejected?.reason).toBe('unsupported');
    expect(rejected?.message).toContain('options level (2)');
    expect(posts(h)).toBe(0);
    // keel's per-leg sequencing: the long first, as one plain order for its OCC symbol.
    s.submit(singleLeg(ClientOrderId.of('vert-o2'), k1, 'BUY', 1, { limit: 5.05, tif: 'DAY' }));
    await h.advance(1_000);
    expect(filledQty(s.fills(ClientOrderId.of('vert-o2')))).toBe(1);
    expect((await h.venue.snapshot()).positions.map((p) => [p.instrumentId, p.qty])).toEqual([[k1.id, 1]]);
  });
});
