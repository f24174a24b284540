// The ibkr adapter against the loopback fake TWS, through @stoqey/ib: what the wire itself can do
// wrong (a version mismatch, a malformed message, the server closing the socket, an unknown conId,
// error codes of every kind, a corrected execution) becomes a clear log line and a typed event,
// never a crash or a lost fill; order ids never repeat across restarts; a combo's legs arrive as
// one burst.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientOrderId, InstrumentId, type Instrument, type OrderSpec } from '../../../src/domain';
import { IbkrVenue } from '../../../src/venues/ibkr';
import type { VenueEvent } from '../../../src/venues/venue';
import type { FakeTws } from '../../fakes/tws';
import { pinnedServerVersion } from '../../fakes/tws';
import { ibkrHarness, type IbkrHarness } from '../conformance/ibkr-harness';

let h: IbkrHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Heard = { events: VenueEvent[]; bursts: number[] };

async function open(
  options: Parameters<typeof ibkrHarness>[0] = {},
): Promise<{ h: IbkrHarness; heard: Heard }> {
  h = await ibkrHarness(options);
  await h.venue.connect();
  const heard: Heard = { events: [], bursts: [] };
  let burst = 0;
  let marked = false;
  h.venue.subscribe((e) => {
    heard.events.push(e);
    heard.bursts.push(burst);
    if (!marked) {
      marked = true;
      // A new macrotask ends the synchronous run: events heard in one run share a burst number.
      setImmediate(() => {
        burst++;
        marked = false;
      });
    }
  });
  return { h, heard };
}

async function spy(harness: IbkrHarness): Promise<Instrument> {
  const r = await harness.venue.resolveInstrument({ symbol: 'SPY' });
  if (!r.ok) throw new Error(r.reason);
  await harness.setQuote(r.instrument.id, { bid: 99.99, ask: 100.01 });
  return r.instrument;
}

function buy(id: string, i: Instrument, qty: number, limit: number): OrderSpec {
  return {
    clientOrderId: ClientOrderId.of(id),
    legs: [{ instrumentId: i.id, side: 'BUY', ratio: 1 }],
    qty,
    type: 'LMT',
    limitPrice: limit,
    stopPrice: null,
    tif: 'GTC',
    reduceOnly: false,
    parentClientOrderId: null,
  };
}

const of = <T extends VenueEvent['type']>(heard: Heard, type: T) =>
  heard.events.filter((e): e is Extract<VenueEvent, { type: T }> => e.type === type);

describe('ibkr over the wire: session', () => {
  it(`speaks server version ${pinnedServerVersion} and refuses a version the client does not accept, clearly`, async () => {
    for (const version of [99, 250]) {
      const inner = await ibkrHarness({ serverVersion: version });
      try {
        await expect(inner.venue.connect()).rejects.toThrow(
          /server version|Unsupported Version|closed the connection/i,
        );
        expect(inner.venue.isConnected()).toBe(false);
      } finally {
        await inner.close();
      }
    }
  });

  it('refuses an account the login does not manage, and a live port without live: true', async () => {
    const inner = await ibkrHarness();
    try {
      const port = (inner.venue as unknown as { options: { config: { port: number } } }).options.config.port;
      const wrong = new IbkrVenue({
        config: { host: '127.0.0.1', port, clientId: 9, account: 'U999', live: false, lastOrderId: null },
      });
      await expect(wrong.connect()).rejects.toThrow(/account U999 is not one this login manages/);
      await wrong.close();
      const live = new IbkrVenue({
        config: { host: '127.0.0.1', port: 7496, clientId: 9, account: null, live: false, lastOrderId: null },
      });
      await expect(live.connect()).rejects.toThrow(/live-trading port/);
    } finally {
      await inner.close();
    }
  });

  it('order ids: max(nextValidId, last + 1), never reused by a restarted client', async () => {
    const { h: harness } = await open({ firstValidId: 5 });
    const i = await spy(harness);
    harness.venue.submit(buy('ids-o1', i, 1, 100.01));
    await harness.advance(1000);
    expect(harness.venue.lastOrderIdUsed).toBe(5);
    const fresh = await harness.restart();
    await fresh.connect();
    expect(fresh.lastOrderIdUsed).toBe(5);
    fresh.submit(buy('ids-o2', i, 1, 100.01));
    expect(fresh.lastOrderIdUsed).toBe(6);
    await harness.advance(1000);
    const journaled = await ibkrHarness({ lastOrderId: 1000 });
    try {
      await journaled.venue.connect();
      const j = await spy(journaled);
      journaled.venue.submit(buy('ids-o3', j, 1, 100.01));
      expect(journaled.venue.lastOrderIdUsed).toBe(1001);
    } finally {
      await journaled.close();
    }
  });

  it('a malformed message: a log line, the link reported down and up with data lost, and the next fill still arrives', async () => {
    const { h: harness, heard } = await open();
    const i = await spy(harness);
    harness.fake.sendMalformed();
    harness.fake.sendGarbage();
    await harness.settle();
    await harness.settle();
    expect(harness.lines.some((l) => /could not read a message from TWS/.test(l))).toBe(true);
    const links = of(heard, 'connection').map((e) => [e.up, e.dataLost ?? null]);
    expect(links.slice(0, 2)).toEqual([
      [false, null],
      [true, true],
    ]);
    harness.venue.submit(buy('mal-o1', i, 3, 100.01));
    await harness.advance(1000);
    expect(of(heard, 'fill').reduce((s, e) => s + e.fill.qty, 0)).toBe(3);
  });

  it('the server closes the socket: connection down, then the adapter reconnects and says up with data lost', async () => {
    const { h: harness, heard } = await open();
    await spy(harness);
    harness.fake.closeClients();
    await new Promise((r) => setTimeout(r, 1500));
    expect(of(heard, 'connection').map((e) => [e.up, e.dataLost ?? null])).toEqual([
      [false, null],
      [true, true],
    ]);
    expect(harness.venue.isConnected()).toBe(true);
    expect(harness.lines.some((l) => /closed the connection/.test(l))).toBe(true);
    const snap = await harness.venue.snapshot();
    expect(snap.orders).toEqual([]);
  });

  it('an unknown conId: the position is passed on and the instrument cannot be described (an unknown-instrument discrepancy in keel)', async () => {
    const { h: harness, heard } = await open();
    harness.fake.injectUnknownPosition(987654321, 5);
    await harness.settle();
    const pos = of(heard, 'position');
    expect(pos.map((p) => [p.instrumentId, p.qty])).toEqual([[InstrumentId.of('987654321'), 5]]);
    expect(await harness.venue.instrument(InstrumentId.of('987654321'))).toBeNull();
  });

  it('1100 down, 1101 up with data lost (market data asked for again); orders while down are not sent', async () => {
    const { h: harness, heard } = await open({ reconnectCode: 1101 });
    const i = await spy(harness);
    await harness.disconnect(2000);
    expect(harness.venue.isConnected()).toBe(false);
    harness.venue.submit(buy('down-o1', i, 1, 100.01));
    await harness.advance(3000);
    expect(of(heard, 'rejected').map((e) => [e.reason, e.code])).toEqual([['notSent', 1100]]);
    expect(of(heard, 'connection').map((e) => [e.up, e.dataLost ?? null])).toEqual([
      [false, null],
      [true, true],
    ]);
    expect(harness.venue.market.quote(i.id)?.mid).toBe(100);
    expect(harness.lines.filter((l) => /1100|1101/.test(l)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('ibkr over the wire: error codes and executions', () => {
  it('10349 is informational: the order stands and fills; 2104 is a notice; an unknown code is logged with its order', async () => {
    const { h: harness, heard } = await open();
    const i = await spy(harness);
    harness.venue.submit(buy('err-o1', i, 2, 99.5));
    await harness.advance(1000);
    harness.fake.injectError('err-o1', 10349, 'Order TIF was set to DAY based on order preset.');
    harness.fake.injectError('err-o1', 9999, 'Something TWS has never said before');
    harness.fake.sendNotice(2104, 'Market data farm connection is OK:usfarm');
    await harness.settle();
    await harness.setQuote(i.id, { bid: 99.3, ask: 99.5 });
    await harness.advance(1000);
    expect(of(heard, 'rejected')).toEqual([]);
    expect(of(heard, 'cancelled')).toEqual([]);
    expect(of(heard, 'fill').reduce((s, e) => s + e.fill.qty, 0)).toBe(2);
    expect(harness.lines.some((l) => /err-o1: 10349 .*informational/.test(l))).toBe(true);
    expect(harness.lines.some((l) => /err-o1: unmapped error 9999/.test(l))).toBe(true);
    expect(harness.lines.some((l) => /notice 2104: Market data farm/.test(l))).toBe(true);
    expect(of(heard, 'connection')).toEqual([]);
  });

  it('201 is a rejection with the venue code and text; a duplicate execDetails is the same fill twice, counted once in the snapshot', async () => {
    const { h: harness, heard } = await open();
    const i = await spy(harness);
    harness.nextOrder({
      kind: 'reject',
      code: 201,
      message: 'Order rejected - reason: No trading permissions',
    });
    harness.venue.submit(buy('rej-o1', i, 1, 100.01));
    await harness.advance(1000);
    expect(of(heard, 'rejected').map((e) => [e.clientOrderId, e.reason, e.code])).toEqual([
      ['rej-o1', 'refused', 201],
    ]);
    harness.nextOrder({ kind: 'duplicateFill' });
    harness.venue.submit(buy('dup-o2', i, 4, 100.01));
    await harness.advance(1000);
    const fills = of(heard, 'fill').map((e) => e.fill);
    expect(fills).toHaveLength(2);
    expect(fills[0]).toEqual(fills[1]);
    const snap = await harness.venue.snapshot();
    expect(snap.executions.filter((x) => x.clientOrderId === 'dup-o2').map((x) => x.qty)).toEqual([4]);
  });

  it('a corrected execution (same prefix, new suffix) replaces the first and is never counted twice', async () => {
    const { h: harness, heard } = await open();
    const i = await spy(harness);
    harness.venue.submit(buy('cor-o1', i, 5, 100.01));
    await harness.advance(1000);
    const [first] = of(heard, 'fill');
    expect(first?.fill.qty).toBe(5);
    harness.fake.injectCorrection(first?.fill.execId ?? '', 5, 100.0);
    await harness.settle();
    expect(of(heard, 'fill')).toHaveLength(1);
    expect(harness.lines.some((l) => /corrected by/.test(l))).toBe(true);
    const snap = await harness.venue.snapshot();
    const execs = snap.executions.filter((x) => x.clientOrderId === 'cor-o1');
    expect(execs.map((x) => [x.execId, x.qty, x.price])).toEqual([[first?.fill.execId, 5, 100]]);
  });

  it("a combo's leg fills (a BAG execution and its legs) reach the listener in one synchronous burst, with one comboExecId", async () => {
    const { h: harness, heard } = await open();
    const chain = await harness.venue.optionChain('XSP', '2026-02-20');
    const calls = chain.filter((x) => x.kind === 'option' && x.right === 'C').slice(0, 3);
    let mid = 5;
    for (const c of calls) {
      await harness.setQuote(c.id, { bid: mid - 0.05, ask: mid + 0.05 });
      mid -= 0.4;
    }
    const [a, b, c] = calls as [Instrument, Instrument, Instrument];
    const spec: OrderSpec = {
      ...buy('combo-o1', a, 2, 1),
      legs: [
        { instrumentId: a.id, side: 'BUY', ratio: 1 },
        { instrumentId: b.id, side: 'SELL', ratio: 2 },
        { instrumentId: c.id, side: 'BUY', ratio: 1 },
      ],
      limitPrice: 0.5,
    };
    harness.venue.submit(spec);
    await harness.advance(1000);
    const fillIdx = heard.events.map((e, n) => (e.type === 'fill' ? n : -1)).filter((n) => n >= 0);
    expect(fillIdx).toHaveLength(3);
    expect(new Set(fillIdx.map((n) => heard.bursts[n])).size).toBe(1);
    const fills = of(heard, 'fill').map((e) => e.fill);
    expect(new Set(fills.map((f) => f.comboExecId)).size).toBe(1);
    expect(fills[0]?.comboExecId).not.toBeNull();
    expect(fills.map((f) => [f.instrumentId, f.side, f.qty])).toEqual([
      [a.id, 'BUY', 2],
      [b.id, 'SELL', 4],
      [c.id, 'BUY', 2],
    ]);
    expect(harness.fake.lines).toEqual([]);
  });
});

describe('ibkr over the wire: a disconnect mid-combo', () => {
  it('a BAG that fills while the link is down: nothing heard while down, the whole combo found in the snapshot after 1102', async () => {
    const { h: harness, heard } = await open();
    const chain = await harness.venue.optionChain('XSP', '2026-02-20');
    const [a, b] = chain.filter((x) => x.kind === 'option' && x.right === 'C').slice(0, 2) as [
      Instrument,
      Instrument,
    ];
    await harness.setQuote(a.id, { bid: 4.95, ask: 5.05 });
    await harness.setQuote(b.id, { bid: 4.55, ask: 4.65 });
    const before = harness.sim.market.quote(a.id)?.t ?? 0;
    harness.venue.submit({
      ...buy('mid-combo-o1', a, 3, 1),
      legs: [
        { instrumentId: a.id, side: 'BUY', ratio: 1 },
        { instrumentId: b.id, side: 'SELL', ratio: 1 },
      ],
      limitPrice: 0.5,
    });
    // The order reaches TWS, then the link drops before the venue fills it.
    await harness.disconnect(2000);
    await harness.advance(3000);
    expect(of(heard, 'connection').map((e) => e.up)).toEqual([false, true]);
    const snap = await harness.venue.snapshot({ executionsSince: before });
    const legs = snap.executions.filter((x) => x.clientOrderId === 'mid-combo-o1');
    expect(legs.map((x) => [x.instrumentId, x.side, x.qty])).toEqual([
      [a.id, 'BUY', 3],
      [b.id, 'SELL', 3],
    ]);
    expect(new Set(legs.map((x) => x.comboExecId)).size).toBe(1);
    expect(legs[0]?.comboExecId).not.toBeNull();
    expect(snap.positions.map((p) => [p.instrumentId, p.qty])).toEqual(
      expect.arrayContaining([
        [a.id, 3],
        [b.id, -3],
      ]),
    );
  });
});

describe('the fake TWS', () => {
  it('listens on 127.0.0.1 only, on a port the system picked', async () => {
    const inner = await ibkrHarness();
    try {
      const fake: FakeTws = inner.fake;
      const server = (fake as unknown as { server: { address(): { address: string; port: number } } }).server;
      expect(server.address().address).toBe('127.0.0.1');
      expect(server.address().port).toBeGreaterThan(0);
    } finally {
      await inner.close();
    }
  });
});

describe('ibkr over the wire: an account without a market data subscription', () => {
  it('sees no quote (354) and says how to take delayed ones; nothing is marked delayed', async () => {
    const { h: harness } = await open({ marketDataSubscribed: false });
    const i = await spy(harness);
    expect(harness.venue.market.quote(i.id)).toBeNull();
    expect(harness.venue.marketData).toBe('live');
    expect(
      harness.lines.some((l) =>
        /354 .*no quote, so nothing is opened on it \(venue\.delayedData: true/.test(l),
      ),
    ).toBe(true);
  });

  it('with delayedData asks for IB delayed quotes (type 3) and marks every one delayed', async () => {
    const { h: harness } = await open({ marketDataSubscribed: false, delayedData: true });
    const i = await spy(harness);
    await harness.settle();
    expect(harness.venue.market.quote(i.id)).toEqual(
      expect.objectContaining({ bid: 99.99, ask: 100.01, mid: 100, delayed: true }),
    );
    expect(harness.venue.marketData).toBe('delayed');
    expect(harness.lines.some((l) => /asking for IB's delayed quotes/.test(l))).toBe(true);
  });

  it('a subscribed account gets live quotes, never marked delayed', async () => {
    const { h: harness } = await open();
    const i = await spy(harness);
    const q = harness.venue.market.quote(i.id);
    expect(q?.mid).toBe(100);
    expect(q?.delayed).toBeUndefined();
    expect(harness.venue.marketData).toBe('live');
  });
});
