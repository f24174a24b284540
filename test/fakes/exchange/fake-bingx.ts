// A loopback fake of BingX's USDT-M perpetual swap REST API (the endpoints ccxt's bingx class calls)
// backed by keel's simulated venue configured as a futures venue with position ids and a position
// history, for testing the ccxt adapter through the real ccxt library. It listens on 127.0.0.1 on
// an ephemeral port. Requests are checked as BingX checks them (X-BX-APIKEY, the HMAC-SHA256
// signature of the query), become SimVenue calls, and come back in BingX's format: `{"code":0,
// "msg":"","data":...}`, order ids as bare 19-digit JSON numbers where BingX sends numbers (order
// endpoints) and as strings where it sends strings (fills, positions), errors as `{"code":N,"msg":..}`;
// the account's uid, which names the account keel journals.
// An order POST is answered when the venue has accepted or refused the order (BingX answers a
// refusal in the POST), a cancel when the venue has cancelled it or said why not: `held` counts the
// requests waiting on venue time. The venue going down drops every connection until it is back;
// then the fake reads the venue's own records for what happened meanwhile. Test faults of the wire:
// 429 / 5xx / a timeout / a malformed body on the next request of a kind (placed or not), a trade
// of an order nobody placed, funding charged on the next closed positions.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  assert,
  ClientOrderId,
  type Instrument,
  type InstrumentId,
  type OrderSpec,
  type OrderType,
} from '../../../src/domain';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import type { VenueEvent, VenuePositionHistoryRecord } from '../../../src/venues/venue';
import { bingxJson, RawNumber } from './json';

export type FakeBingxOptions = {
  readonly sim: SimVenue;
  /** The venue's clock (simulated time): order, fill and position times. */
  readonly now: () => number;
  readonly apiKey?: string;
  readonly secret?: string;
  /** Contracts listed (those the simulated venue resolves as perpetual futures). */
  readonly symbols?: readonly string[];
  /** Margin the account has; an order needing more (at `leverage`) is refused 101204. Default: plenty. */
  readonly availableMargin?: number;
  /** The account's uid (`GET /account/v1/uid`), a bare JSON number as BingX writes it. */
  readonly uid?: string;
  readonly log?: (line: string) => void;
  /** How often the private stream sends its `Ping` (BingX: every 5 s). */
  readonly streamPingMs?: number;
};

export type RequestKind = 'placeOrder' | 'cancelOrder' | 'queryOrder' | 'openOrders' | 'positions' | 'fills';

/** What the next request of a kind meets (then spent). `place`: whether an order reaches the venue anyway. */
export type WireFault =
  | { readonly kind: 'status'; readonly status: 429 | 500 | 503; readonly place: boolean }
  | { readonly kind: 'timeout'; readonly place: boolean }
  | { readonly kind: 'malformed'; readonly place: boolean }
  /** A lookup answered `order does not exist` though the order is there (BingX's order store lagging a POST). */
  | { readonly kind: 'lagging' };

type BingxStatus = 'PENDING' | 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'FAILED';

type FakeOrder = {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly instrument: Instrument;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly qty: number;
  readonly price: number | null;
  readonly stopPrice: number | null;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  status: BingxStatus;
  executedQty: number;
  cash: number;
  commission: number;
  readonly time: number;
  updateTime: number;
  venueOrderId: string | null;
  /** The POST or DELETE waiting for the venue's answer. */
  waiting: { res: http.ServerResponse; what: 'place' | 'cancel' } | null;
};

type FillRecord = {
  /** BingX's trade id: one per execution of the venue (a duplicate report lists the same id again). */
  readonly tradeId: string;
  readonly order: FakeOrder;
  readonly t: number;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
};

type Reply = { status: number; body: unknown };

const defaultApiKey = 'fake-bingx-key-never-real';
const defaultSecret = 'fake-bingx-secret-never-real';
const defaultUid = '1000001';
const defaultSymbols = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
const leverage = 10;
const firstOrderId = 1990000000000000000n;
/** The order of every trade this account made outside the API (the exchange's app, another bot). */
const foreignOrderId = firstOrderId - 7n;
const fakeLogLinesMax = 10_000;
const openStatuses: readonly BingxStatus[] = ['PENDING', 'NEW', 'PARTIALLY_FILLED'];

export class FakeBingx {
  private server: http.Server | null = null;
  private readonly contracts = new Map<string, Instrument>();
  private readonly orders = new Map<string, FakeOrder>();
  private readonly byClientOrderId = new Map<string, FakeOrder>();
  private readonly byVenueOrderId = new Map<string, FakeOrder>();
  private readonly fills: FillRecord[] = [];
  private readonly seenExecs = new Set<string>();
  /** The venue's execution ids and the trade ids BingX gives them. */
  private readonly tradeIds = new Map<string, string>();
  private nextTradeNo = 1;
  private readonly faults = new Map<RequestKind, WireFault[]>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly holdWaiters: (() => void)[] = [];
  private readonly fundingQueue: number[] = [];
  private readonly fundingByPosition = new Map<string, number>();
  private readonly foreignFills: {
    symbol: string;
    side: 'BUY' | 'SELL';
    qty: number;
    price: number;
    t: number;
    tradeId: string;
  }[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly streams = new Set<WebSocket>();
  private readonly listenKeys = new Set<string>();
  private streamsRefused = false;
  private streamsHung = false;
  private readonly hungSockets = new Set<Duplex>();
  private pinger: ReturnType<typeof setInterval> | null = null;
  /** Private-stream connections accepted so far (a reconnect is one more). */
  streamConnections = 0;
  /** Frames pushed on the private stream (pings left out), as `e` names them, and the Pongs heard. */
  readonly streamFrames: string[] = [];
  streamPongs = 0;
  private linkUp: boolean;
  private nextOrderNo = 1n;
  private changes = 0;
  private port = 0;
  readonly lines: string[] = [];
  /** Every request as `METHOD /path` (the order POSTs a test counts). */
  readonly requests: string[] = [];
  /** The order id each fill-history request asked for (null: the whole market). */
  readonly fillQueries: (string | null)[] = [];
  /** The parameters of every order POST, as sent (signature left out). */
  readonly orderPosts: Record<string, string>[] = [];

  constructor(private readonly o: FakeBingxOptions) {
    this.linkUp = o.sim.isConnected();
  }

  get apiKey(): string {
    return this.o.apiKey ?? defaultApiKey;
  }

  get secret(): string {
    return this.o.secret ?? defaultSecret;
  }

  /** Where ccxt's bingx urls point (every api section). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/openApi`;
  }

  /** Bumps whenever something the client reads changed (an order, a fill, a position, the link). */
  get seq(): number {
    return this.changes;
  }

  /** Requests waiting on venue time (an order or a cancel the venue has not answered yet). */
  get held(): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.waiting !== null) n++;
    return n;
  }

  /** Resolves when the next request starts waiting on venue time. */
  nextHold(): Promise<void> {
    return new Promise((resolve) => this.holdWaiters.push(resolve));
  }

  async start(): Promise<number> {
    assert(this.server === null, 'the fake BingX is already listening');
    for (const symbol of this.o.symbols ?? defaultSymbols) {
      const r = this.o.sim.resolveInstrument({ symbol });
      if (r.ok && r.instrument.kind === 'future') this.contracts.set(symbol, r.instrument);
    }
    // A partly filled take-profit leaves the stop working for the rest of the position, as at BingX.
    this.o.sim.keepSiblingsOnPartialFill();
    this.unsubscribe = this.o.sim.subscribe((e) => this.onVenue(e));
    const server = http.createServer((req, res) => void this.onHttp(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => this.sockets.delete(s));
      if (!this.linkUp) s.destroy();
    });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.pinger = setInterval(() => this.pingStreams(), this.o.streamPingMs ?? 5_000);
    this.pinger.unref();
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    for (const ws of this.streams) ws.terminate();
    this.streams.clear();
    this.wss.close();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.hungSockets) socket.destroy();
    this.hungSockets.clear();
    for (const o of this.orders.values()) o.waiting = null;
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  // ---- faults of the wire -------------------------------------------------------------------

  failNext(kind: RequestKind, fault: WireFault): void {
    this.faults.set(kind, [...(this.faults.get(kind) ?? []), fault]);
  }

  /** A trade of an order this account never placed through the API (the exchange's app, another bot). */
  addForeignTrade(symbol: string, side: 'BUY' | 'SELL', qty: number, price: number): void {
    this.foreignFills.push({
      symbol,
      side,
      qty,
      price,
      t: this.o.now(),
      tradeId: this.tradeIdOf(`foreign-${this.nextTradeNo}`),
    });
    this.changed();
  }

  /** The next closed positions carry this funding (negative: paid), in the order they close. */
  chargeFunding(...amounts: number[]): void {
    this.fundingQueue.push(...amounts);
  }

  // ---- the private stream (websocket) ---------------------------------------------------------

  /** Drops every private-stream connection now (the link to the REST API stays up). */
  dropStreams(): void {
    this.note(`private stream: ${this.streams.size} connection(s) dropped`);
    for (const ws of this.streams) ws.terminate();
  }

  /** While on, a private-stream connection is refused (the client must poll). */
  refuseStreams(on: boolean): void {
    this.streamsRefused = on;
  }

  /** While on, a private-stream handshake is never answered (the client's connection timeout ends it). */
  hangStreams(on: boolean): void {
    this.streamsHung = on;
  }

  /** The listenKeys handed out and still valid. */
  get issuedListenKeys(): readonly string[] {
    return [...this.listenKeys];
  }

  /** Pushes this text as one frame on the private stream (a frame BingX might garble). */
  pushRawFrame(text: string): void {
    const data = gzipSync(Buffer.from(text));
    this.streamFrames.push('raw');
    for (const ws of this.streams) if (ws.readyState === ws.OPEN) ws.send(data);
  }

  /** Private-stream connections open now. */
  get streamsOpen(): number {
    return this.streams.size;
  }

  /**
   * `GET /swap-market?listenKey=...`: BingX's swap user-data stream. Frames are gzip-compressed
   * JSON (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) pushed to every connection of the account; a `Ping`
   * every few seconds wants a `Pong`. Refused while the link is down or a test refuses it, or for
   * a listenKey the account never made.
   */
  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = url.searchParams.get('listenKey') ?? '';
    this.requests.push(`WS ${url.pathname}`);
    if (this.streamsHung) {
      this.note('private stream: handshake left unanswered (hung by the test)');
      this.hungSockets.add(socket);
      socket.on('close', () => this.hungSockets.delete(socket));
      return;
    }
    if (!this.linkUp || this.streamsRefused || url.pathname !== '/swap-market' || !this.listenKeys.has(key)) {
      this.note(
        `private stream refused (${!this.linkUp ? 'link down' : this.streamsRefused ? 'refused by the test' : 'unknown listenKey or path'})`,
      );
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.streams.add(ws);
      this.streamConnections++;
      ws.on('message', (data) => {
        if (String(data) === 'Pong') this.streamPongs++;
      });
      ws.on('close', () => this.streams.delete(ws));
      ws.on('error', () => this.streams.delete(ws));
    });
  }

  private pingStreams(): void {
    const frame = gzipSync(Buffer.from('Ping'));
    for (const ws of this.streams) if (ws.readyState === ws.OPEN) ws.send(frame);
  }

  private pushFrame(name: string, frame: Record<string, unknown>): void {
    if (this.streams.size === 0) return;
    const data = gzipSync(Buffer.from(bingxJson(frame)));
    this.streamFrames.push(name);
    for (const ws of this.streams) if (ws.readyState === ws.OPEN) ws.send(data);
  }

  /** ORDER_TRADE_UPDATE as BingX pushes it: cumulative filled `z`, average price `ap`, no trade id. */
  private pushOrder(o: FakeOrder, x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED', t: number, fee = 0): void {
    const status = o.status === 'CANCELLED' ? 'CANCELED' : o.status;
    this.pushFrame('ORDER_TRADE_UPDATE', {
      e: 'ORDER_TRADE_UPDATE',
      E: t,
      o: {
        s: o.instrument.symbol,
        c: o.clientOrderId,
        i: new RawNumber(o.orderId),
        S: o.side,
        o: o.type,
        q: String(o.qty),
        p: o.price === null ? '0' : String(o.price),
        sp: o.stopPrice === null ? '' : String(o.stopPrice),
        ap: o.executedQty > 0 ? String(Math.round((o.cash / o.executedQty) * 1e6) / 1e6) : '0',
        x,
        X: status,
        N: 'USDT',
        n: String(-fee),
        T: t,
        wt: 'MARK_PRICE',
        ps: 'BOTH',
        rp: '0',
        z: String(o.executedQty),
      },
    });
  }

  /** ACCOUNT_UPDATE of a position that changed (BingX pushes no position id here). */
  private pushAccount(instrumentId: InstrumentId, qty: number, avgPrice: number, t: number): void {
    const i = this.o.sim.instrument(instrumentId);
    if (!i || !this.contracts.has(i.symbol)) return;
    const margin = this.o.availableMargin ?? 1_000_000_000;
    this.pushFrame('ACCOUNT_UPDATE', {
      e: 'ACCOUNT_UPDATE',
      E: t,
      T: t,
      a: {
        m: 'ORDER',
        B: [{ a: 'USDT', wb: String(margin), cw: String(margin), bc: '0' }],
        P: [
          {
            s: i.symbol,
            pa: String(Math.abs(qty)),
            ep: String(avgPrice),
            up: '0',
            mt: 'cross',
            iw: '0',
            ps: qty > 0 ? 'LONG' : qty < 0 ? 'SHORT' : 'BOTH',
          },
        ],
      },
    });
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/openApi/, '');
    this.requests.push(`${method} ${path}`);
    await drain(req);
    if (!this.linkUp) return void res.destroy();
    const q = url.searchParams;
    if (isPrivate(path)) {
      const refused = this.authenticate(req, url);
      if (refused) return this.send(res, refused);
    }
    const kind = requestKindOf(method, path);
    if (kind === 'placeOrder')
      this.orderPosts.push(Object.fromEntries([...q.entries()].filter(([k]) => k !== 'signature')));
    const fault = kind === null ? undefined : this.faults.get(kind)?.shift();
    if (fault !== undefined && kind !== null) return this.faulty(kind, fault, method, path, q, res);
    if (method === 'POST' && path === '/swap/v2/trade/order') return this.placeOrder(q, res);
    if (method === 'DELETE' && path === '/swap/v2/trade/order') return this.cancelOrder(q, res);
    this.send(res, await this.route(method, path, q));
  }

  private faulty(
    kind: RequestKind,
    fault: WireFault,
    method: string,
    path: string,
    q: URLSearchParams,
    res: http.ServerResponse,
  ): void {
    this.note(
      `${method} ${path}: ${fault.kind} fault${kind === 'placeOrder' && 'place' in fault ? ` (${fault.place ? 'placed' : 'not placed'})` : ''}`,
    );
    if (kind === 'placeOrder' && 'place' in fault && fault.place) {
      const checked = this.checkOrder(q);
      if ('order' in checked) this.submitToVenue(checked.order);
    }
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end(fault.status === 429 ? 'Too Many Requests' : 'Service Unavailable');
        return;
      case 'timeout':
        this.hanging.add(res); // never answered: the client's timeout ends it
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"code":0,"msg":"","data":{"order":{"orderId":19');
        return;
      case 'lagging':
        return this.send(res, ok400(80016, 'order does not exist'));
    }
  }

  /** X-BX-APIKEY and the signature: HMAC-SHA256 (hex) of the query as sent, unescaped, signature left out. */
  private authenticate(req: http.IncomingMessage, url: URL): Reply | null {
    if (req.headers['x-bx-apikey'] !== this.apiKey) return ok400(100001, 'the api key is invalid');
    const raw = url.search.replace(/^\?/, '');
    const parts = raw.split('&').filter((p) => p !== '');
    const sig = parts.find((p) => p.startsWith('signature='))?.slice('signature='.length) ?? '';
    const payload = parts
      .filter((p) => !p.startsWith('signature='))
      .map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))
      .join('&');
    const expected = createHmac('sha256', this.secret).update(payload).digest('hex');
    if (sig !== expected) return ok400(100001, 'Signature verification failed');
    return null;
  }

  private async route(method: string, path: string, q: URLSearchParams): Promise<Reply> {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /swap/v2/server/time':
        return ok({ serverTime: this.o.now() });
      case 'GET /swap/v2/quote/contracts':
        return ok([...this.contracts.entries()].map(([symbol, i], n) => contractJson(symbol, i, n)));
      case 'GET /cswap/v1/market/contracts':
        return ok([]);
      case 'GET /spot/v1/common/symbols':
        return ok({ symbols: [] });
      case 'GET /wallets/v1/capital/config/getall':
        return ok([]);
      case 'GET /swap/v2/quote/ticker':
        return ok(this.tickers(q.get('symbol')));
      case 'POST /user/auth/userDataStream': {
        // BingX answers the listenKey bare, without its {code, data} envelope.
        const key = randomBytes(32).toString('hex');
        this.listenKeys.add(key);
        return { status: 200, body: { listenKey: key } };
      }
      case 'PUT /user/auth/userDataStream':
      case 'DELETE /user/auth/userDataStream': {
        const key = q.get('listenKey') ?? '';
        if (!this.listenKeys.has(key)) return ok400(80017, 'listenKey does not exist');
        if (method === 'DELETE') this.listenKeys.delete(key);
        return { status: 200, body: {} };
      }
      case 'GET /account/v1/uid':
        return ok({ uid: new RawNumber(this.o.uid ?? defaultUid) });
      case 'GET /swap/v3/user/balance':
        return ok([this.balanceJson()]);
      case 'GET /swap/v2/trade/order':
        return this.queryOrder(q);
      case 'GET /swap/v2/trade/openOrders':
        return ok({
          orders: [...this.orders.values()]
            .filter((o) => openStatuses.includes(o.status) && o.venueOrderId !== null)
            .filter((o) => !q.has('symbol') || o.instrument.symbol === q.get('symbol'))
            .map((o) => this.orderJson(o)),
        });
      case 'GET /swap/v2/user/positions':
        return ok(await this.positionsJson(q.get('symbol')));
      case 'GET /swap/v2/trade/allFillOrders':
        return ok({ fill_orders: this.fillsJson(q) });
      case 'GET /swap/v2/trade/fillHistory':
        return this.fillHistory(q);
      case 'GET /swap/v1/trade/positionHistory':
        return ok({ positionHistory: await this.positionHistoryJson(q) });
      default:
        this.note(`${key} is not implemented by the fake`);
        return { status: 404, body: { code: 100400, msg: `${path} not found` } };
    }
  }

  // ---- orders -------------------------------------------------------------------------------------

  private placeOrder(q: URLSearchParams, res: http.ServerResponse): void {
    const checked = this.checkOrder(q);
    if ('reply' in checked) return this.send(res, checked.reply);
    checked.order.waiting = { res, what: 'place' };
    res.on('close', () => {
      if (checked.order.waiting?.res === res) checked.order.waiting = null;
    });
    this.submitToVenue(checked.order);
    for (const w of this.holdWaiters.splice(0)) w();
  }

  /** What BingX refuses at once, with its codes; else the order, recorded and ready for the venue. */
  private checkOrder(q: URLSearchParams): { reply: Reply } | { order: FakeOrder } {
    const refuse = (code: number, msg: string) => ({ reply: ok400(code, msg) });
    const symbol = q.get('symbol') ?? '';
    const instrument = this.contracts.get(symbol);
    if (!instrument) return refuse(80014, `Invalid parameters, symbol ${symbol} does not exist`);
    const cid = q.get('clientOrderID') ?? '';
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(cid))
      return refuse(80014, 'Invalid parameters, clientOrderID must be 1-40 letters, digits, _ or -');
    if (this.byClientOrderId.has(cid))
      return refuse(80014, `Invalid parameters, clientOrderID ${cid} already exists`);
    const side = q.get('side');
    if (side !== 'BUY' && side !== 'SELL') return refuse(80014, 'Invalid parameters, side');
    if ((q.get('positionSide') ?? 'BOTH') !== 'BOTH')
      return refuse(80014, 'Invalid parameters, positionSide must be BOTH in one-way mode');
    const type = q.get('type') ?? '';
    const qty = Number(q.get('quantity'));
    if (!(qty > 0)) return refuse(80014, 'Invalid parameters, quantity');
    const price = q.has('price') ? Number(q.get('price')) : null;
    const stopPrice = q.has('stopPrice') ? Number(q.get('stopPrice')) : null;
    if (typeToKeel(type) === null)
      return refuse(80014, `Invalid parameters, type ${type} is not supported here`);
    const reduceOnly = q.get('reduceOnly') === 'true';
    const mark = this.o.sim.market.quote(instrument.id)?.mid ?? price ?? 0;
    const available = this.o.availableMargin ?? Infinity;
    if (!reduceOnly && (qty * mark) / leverage > available) return refuse(101204, 'Insufficient margin');
    const t = this.o.now();
    const order: FakeOrder = {
      orderId: (firstOrderId + this.nextOrderNo++ * 1024n).toString(),
      clientOrderId: cid,
      instrument,
      side,
      type,
      qty,
      price,
      stopPrice,
      timeInForce: q.get('timeInForce') ?? 'GTC',
      reduceOnly,
      status: 'PENDING',
      executedQty: 0,
      cash: 0,
      commission: 0,
      time: t,
      updateTime: t,
      venueOrderId: null,
      waiting: null,
    };
    this.orders.set(order.orderId, order);
    this.byClientOrderId.set(cid, order);
    return { order };
  }

  private submitToVenue(o: FakeOrder): void {
    const type = typeToKeel(o.type) as OrderType;
    const spec: OrderSpec = {
      clientOrderId: ClientOrderId.of(o.clientOrderId),
      legs: [{ instrumentId: o.instrument.id, side: o.side, ratio: 1 }],
      qty: o.qty,
      type,
      limitPrice: type === 'LMT' || type === 'STP_LMT' ? o.price : null,
      stopPrice: type === 'STP' || type === 'MIT' || type === 'STP_LMT' ? o.stopPrice : null,
      tif: o.timeInForce === 'IOC' ? 'IOC' : 'GTC',
      reduceOnly: o.reduceOnly,
      parentClientOrderId: this.attachedTo(o, type),
    };
    this.o.sim.submit(spec);
  }

  /**
   * BingX ties a reduce-only stop-loss or take-profit to the position it closes and drops it when
   * the position goes: at the simulated venue it is attached to the latest order that opened the
   * position (one-cancels-other with its sibling once one of them is wholly filled; a partly filled
   * take-profit leaves the stop working for the rest of the position, as at BingX, and a flat
   * position takes its reduce-only orders with it), as keel's bracket children are in-process.
   */
  private attachedTo(o: FakeOrder, type: OrderType): ClientOrderId | null {
    if (!o.reduceOnly || (type !== 'STP' && type !== 'MIT' && type !== 'STP_LMT')) return null;
    let opener: FakeOrder | null = null;
    for (const other of this.orders.values())
      if (
        other.instrument.id === o.instrument.id &&
        !other.reduceOnly &&
        other.side !== o.side &&
        other.executedQty > 0
      )
        opener = other; // insertion order: the last one wins
    return opener === null ? null : ClientOrderId.of(opener.clientOrderId);
  }

  private cancelOrder(q: URLSearchParams, res: http.ServerResponse): void {
    const o = this.find(q);
    if (!o) return this.send(res, ok400(80016, 'order does not exist'));
    if (!openStatuses.includes(o.status))
      return this.send(res, ok400(80018, `order is already ${o.status === 'FILLED' ? 'filled' : 'closed'}`));
    o.waiting = { res, what: 'cancel' };
    res.on('close', () => {
      if (o.waiting?.res === res) o.waiting = null;
    });
    this.o.sim.cancel(ClientOrderId.of(o.clientOrderId));
    for (const w of this.holdWaiters.splice(0)) w();
  }

  private queryOrder(q: URLSearchParams): Reply {
    const o = this.find(q);
    return o ? ok({ order: this.orderJson(o) }) : ok400(80016, 'order does not exist');
  }

  private find(q: URLSearchParams): FakeOrder | undefined {
    const id = q.get('orderId');
    if (id !== null) return this.orders.get(id);
    const cid = q.get('clientOrderID') ?? q.get('clientOrderId');
    return cid === null ? undefined : this.byClientOrderId.get(cid);
  }

  private answer(o: FakeOrder, reply: Reply): void {
    const w = o.waiting;
    o.waiting = null;
    if (w !== null) this.send(w.res, reply);
  }

  // ---- what the simulated venue says ----------------------------------------------------------

  private onVenue(e: VenueEvent): void {
    this.changed();
    switch (e.type) {
      case 'connection':
        return this.onLink(e.up);
      case 'accepted': {
        const o = this.byClientOrderId.get(e.clientOrderId);
        if (!o) return;
        this.learnVenueId(o, e.venueOrderId);
        if (o.status === 'PENDING') o.status = 'NEW';
        o.updateTime = e.t;
        if (o.waiting?.what === 'place') this.answer(o, ok({ order: this.placedJson(o) }));
        this.pushOrder(o, 'NEW', e.t);
        return;
      }
      case 'rejected': {
        const o = this.byClientOrderId.get(e.clientOrderId);
        if (!o) return;
        o.status = 'FAILED';
        o.updateTime = e.t;
        if (o.waiting?.what === 'place') this.answer(o, ok400(e.code, e.message));
        return;
      }
      case 'fill':
        return this.onFill(e.fill);
      case 'cancelled': {
        const o = this.byClientOrderId.get(e.clientOrderId);
        if (!o) return;
        o.status = e.reason === 'expired' ? 'EXPIRED' : 'CANCELLED';
        o.updateTime = e.t;
        if (o.waiting?.what === 'cancel') this.answer(o, ok({ order: this.orderJson(o) }));
        this.pushOrder(o, o.status === 'EXPIRED' ? 'EXPIRED' : 'CANCELED', e.t);
        return;
      }
      case 'cancelRejected': {
        const o = this.byClientOrderId.get(e.clientOrderId);
        if (o?.waiting?.what === 'cancel')
          this.answer(
            o,
            ok400(80018, `order is already ${o.status === 'FILLED' ? 'filled' : 'closed'}: ${e.detail}`),
          );
        return;
      }
      case 'position':
        return this.pushAccount(e.instrumentId, e.qty, e.avgPrice, e.t);
      case 'settlement':
        return;
    }
  }

  private tradeIdOf(execId: string): string {
    let id = this.tradeIds.get(execId);
    if (id === undefined) {
      id = String(81_000_000 + this.nextTradeNo++);
      this.tradeIds.set(execId, id);
    }
    return id;
  }

  private learnVenueId(o: FakeOrder, venueOrderId: string): void {
    o.venueOrderId = venueOrderId;
    this.byVenueOrderId.set(venueOrderId, o);
  }

  private onFill(f: Extract<VenueEvent, { type: 'fill' }>['fill']): void {
    const o = this.byClientOrderId.get(f.clientOrderId);
    if (!o) return this.note(`fill of ${f.clientOrderId}: not placed through the fake`);
    if (o.venueOrderId === null) this.learnVenueId(o, f.venueOrderId);
    if (!this.seenExecs.has(f.execId)) {
      this.seenExecs.add(f.execId);
      o.executedQty = roundQty(o.executedQty + f.qty);
      o.cash += f.qty * f.price;
      o.commission += f.commission / 1e6;
      if (o.executedQty >= o.qty) o.status = 'FILLED';
      else if (o.status === 'NEW' || o.status === 'PENDING') o.status = 'PARTIALLY_FILLED';
      o.updateTime = f.t;
      this.pushOrder(o, 'TRADE', f.t, f.commission / 1e6);
    } else this.note(`execution ${f.execId} reported again: listed twice in the fill history`);
    this.fills.push({
      tradeId: this.tradeIdOf(f.execId),
      order: o,
      t: f.t,
      qty: f.qty,
      price: f.price,
      commission: f.commission / 1e6,
    });
  }

  private onLink(up: boolean): void {
    this.linkUp = up;
    if (!up) {
      for (const o of this.orders.values()) o.waiting = null;
      for (const ws of this.streams) ws.terminate();
      for (const s of this.sockets) s.destroy();
      return;
    }
    void this.refresh();
  }

  /** After the venue was unreachable: its own records say what happened meanwhile. */
  private async refresh(): Promise<void> {
    if (!this.o.sim.isConnected()) return;
    const snap = await this.o.sim.snapshot();
    for (const v of snap.orders) {
      const o = v.clientOrderId === null ? undefined : this.byClientOrderId.get(v.clientOrderId);
      if (!o) continue;
      if (o.venueOrderId === null) this.learnVenueId(o, v.venueOrderId);
      o.status =
        v.status === 'working'
          ? v.filledQty > 0
            ? 'PARTIALLY_FILLED'
            : 'NEW'
          : v.status === 'filled'
            ? 'FILLED'
            : v.status === 'expired'
              ? 'EXPIRED'
              : v.status === 'rejected'
                ? 'FAILED'
                : 'CANCELLED';
    }
    for (const x of snap.executions) {
      if (this.seenExecs.has(x.execId)) continue;
      const o = this.byVenueOrderId.get(x.venueOrderId);
      if (!o) continue;
      this.seenExecs.add(x.execId);
      o.executedQty = roundQty(o.executedQty + x.qty);
      o.cash += x.qty * x.price;
      o.commission += x.commission / 1e6;
      this.fills.push({
        tradeId: this.tradeIdOf(x.execId),
        order: o,
        t: x.t,
        qty: x.qty,
        price: x.price,
        commission: x.commission / 1e6,
      });
    }
    this.fills.sort((a, b) => a.t - b.t);
    this.changed();
  }

  // ---- BingX's records ----------------------------------------------------------------------------

  /** createOrder's answer: the order as placed. */
  private placedJson(o: FakeOrder): Record<string, unknown> {
    return {
      symbol: o.instrument.symbol,
      orderId: new RawNumber(o.orderId),
      side: o.side,
      positionSide: 'BOTH',
      type: o.type,
      clientOrderID: o.clientOrderId,
      workingType: 'MARK_PRICE',
      price: o.price ?? 0,
      quantity: o.qty,
      stopPrice: o.stopPrice ?? 0,
      timeInForce: o.timeInForce,
      reduceOnly: o.reduceOnly,
    };
  }

  private orderJson(o: FakeOrder): Record<string, unknown> {
    return {
      symbol: o.instrument.symbol,
      orderId: new RawNumber(o.orderId),
      side: o.side,
      positionSide: 'BOTH',
      type: o.type,
      origQty: String(o.qty),
      price: o.price === null ? '0' : String(o.price),
      executedQty: String(o.executedQty),
      avgPrice: o.executedQty > 0 ? String(Math.round((o.cash / o.executedQty) * 1e6) / 1e6) : '0.0',
      cumQuote: String(Math.round(o.cash * 1e6) / 1e6),
      stopPrice: o.stopPrice === null ? '' : String(o.stopPrice),
      profit: '0.0000',
      commission: String(-o.commission),
      status: o.status,
      time: o.time,
      updateTime: o.updateTime,
      clientOrderId: o.clientOrderId,
      leverage: `${leverage}X`,
      workingType: 'MARK_PRICE',
      onlyOnePosition: true,
      reduceOnly: o.reduceOnly,
      timeInForce: o.timeInForce,
    };
  }

  private fillsJson(q: URLSearchParams): Record<string, unknown>[] {
    const from = Number(q.get('startTs') ?? 0);
    const to = Number(q.get('endTs') ?? Number.MAX_SAFE_INTEGER);
    const symbol = q.get('symbol');
    const orderId = q.get('orderId');
    const mine = this.fills
      .filter((f) => f.t >= from && f.t <= to)
      .filter((f) => symbol === null || f.order.instrument.symbol === symbol)
      .filter((f) => orderId === null || f.order.orderId === orderId)
      .map((f) => ({
        filledTm: secondsIso(f.t),
        symbol: f.order.instrument.symbol,
        volume: String(f.qty),
        price: String(f.price),
        amount: String(Math.round(f.qty * f.price * 1e4) / 1e4),
        commission: String(-f.commission),
        currency: 'USDT',
        orderId: f.order.orderId,
        liquidatedPrice: '0.00',
        liquidatedMarginRatio: '0.00',
        workingType: 'MARK_PRICE',
        filledTime: plus8Iso(f.t),
        side: f.order.side,
        type: f.order.type,
        positionSide: 'BOTH',
        clientOrderID: f.order.clientOrderId,
        onlyOnePosition: true,
      }));
    const foreign = this.foreignFills
      .filter((f) => symbol === null || f.symbol === symbol)
      .map((f) => ({
        filledTm: secondsIso(f.t),
        symbol: f.symbol,
        volume: String(f.qty),
        price: String(f.price),
        amount: String(f.qty * f.price),
        commission: '0',
        currency: 'USDT',
        orderId: String(foreignOrderId),
        liquidatedPrice: '0',
        liquidatedMarginRatio: '0',
        workingType: 'MARK_PRICE',
        filledTime: plus8Iso(f.t),
        side: f.side,
        type: 'MARKET',
        positionSide: 'BOTH',
        clientOrderID: '',
        onlyOnePosition: true,
      }));
    return [...mine, ...foreign];
  }

  /**
   * `GET /swap/v2/trade/fillHistory`: BingX's fill history with a trade id per fill, `filledTime` to
   * the ms (+0800), a window of at most 7 days (startTs and endTs required), pages of at most 1,000.
   */
  private fillHistory(q: URLSearchParams): Reply {
    const symbol = q.get('symbol');
    if (symbol === null || symbol === '') return ok400(80014, 'Invalid parameters, symbol is required');
    const from = Number(q.get('startTs'));
    const to = Number(q.get('endTs'));
    if (!q.has('startTs') || !q.has('endTs') || !Number.isSafeInteger(from) || !Number.isSafeInteger(to))
      return ok400(80014, 'Invalid parameters, startTs and endTs are required');
    if (to < from || to - from > 7 * 86_400_000)
      return ok400(80014, 'Invalid parameters, the time window of startTs and endTs is at most 7 days');
    const orderId = q.get('orderId');
    this.fillQueries.push(orderId);
    const pageSize = Math.min(1000, Number(q.get('pageSize') ?? 50) || 50);
    const pageIndex = Math.max(1, Number(q.get('pageIndex') ?? 1) || 1);
    const row = (r: {
      symbol: string;
      orderId: string;
      tradeId: string;
      side: 'BUY' | 'SELL';
      qty: number;
      price: number;
      commission: number;
      t: number;
    }) => ({
      symbol: r.symbol,
      qty: String(r.qty),
      price: String(r.price),
      quoteQty: String(Math.round(r.qty * r.price * 1e4) / 1e4),
      commission: String(-r.commission),
      commissionAsset: 'USDT',
      orderId: r.orderId,
      tradeId: r.tradeId,
      filledTime: plus8Iso(r.t),
      side: r.side,
      positionSide: 'BOTH',
      role: 'taker',
    });
    const all = [
      ...this.fills.map((f) => ({
        symbol: f.order.instrument.symbol,
        orderId: f.order.orderId,
        tradeId: f.tradeId,
        side: f.order.side,
        qty: f.qty,
        price: f.price,
        commission: f.commission,
        t: f.t,
      })),
      ...this.foreignFills.map((f) => ({
        symbol: f.symbol,
        orderId: String(foreignOrderId),
        tradeId: f.tradeId,
        side: f.side,
        qty: f.qty,
        price: f.price,
        commission: 0,
        t: f.t,
      })),
    ]
      .filter((f) => f.symbol === symbol && f.t >= from && f.t <= to)
      .filter((f) => orderId === null || f.orderId === orderId)
      .sort((a, b) => a.t - b.t);
    const page = all.slice((pageIndex - 1) * pageSize, pageIndex * pageSize);
    return ok({ fill_history_orders: page.map(row) });
  }

  private async positionsJson(symbol: string | null): Promise<Record<string, unknown>[]> {
    const snap = await this.o.sim.snapshot();
    return snap.positions.flatMap((p) => {
      const i = this.o.sim.instrument(p.instrumentId);
      if (!i || !this.contracts.has(i.symbol) || (symbol !== null && symbol !== i.symbol)) return [];
      const mark = this.o.sim.market.quote(i.id)?.mid ?? p.avgPrice;
      const qty = Math.abs(p.qty);
      return [
        {
          positionId: p.venuePositionId ?? '',
          symbol: i.symbol,
          currency: 'USDT',
          positionAmt: String(qty),
          availableAmt: String(qty),
          positionSide: p.qty > 0 ? 'LONG' : 'SHORT',
          isolated: false,
          avgPrice: String(p.avgPrice),
          initialMargin: String(Math.round(((qty * p.avgPrice) / leverage) * 1e4) / 1e4),
          leverage,
          unrealizedProfit: String(Math.round(p.qty * (mark - p.avgPrice) * 1e4) / 1e4),
          realisedProfit: '0',
          liquidationPrice: 0,
          markPrice: String(mark),
          positionValue: String(Math.round(qty * mark * 1e4) / 1e4),
          onlyOnePosition: true,
          updateTime: this.o.now(),
        },
      ];
    });
  }

  private async positionHistoryJson(q: URLSearchParams): Promise<Record<string, unknown>[]> {
    const snap = await this.o.sim.snapshot();
    const symbol = q.get('symbol');
    const from = Number(q.get('startTs') ?? 0);
    const to = Number(q.get('endTs') ?? Number.MAX_SAFE_INTEGER);
    return snap.positionHistory.flatMap((r) => {
      const i = this.o.sim.instrument(r.instrumentId);
      if (!i || (symbol !== null && i.symbol !== symbol)) return [];
      if (r.closedAt < from || r.closedAt > to) return [];
      return [this.historyJson(r, i)];
    });
  }

  /** BingX's netProfit is realised profit, less commission, plus funding (both signed as paid < 0). */
  private historyJson(r: VenuePositionHistoryRecord, i: Instrument): Record<string, unknown> {
    let funding = this.fundingByPosition.get(r.venuePositionId);
    if (funding === undefined) {
      funding = this.fundingQueue.shift() ?? 0;
      this.fundingByPosition.set(r.venuePositionId, funding);
    }
    const cents = (m: number) => Math.round(m / 1e4) / 100;
    const commission = (r.commission ?? 0) / 1e6;
    return {
      positionId: r.venuePositionId,
      symbol: i.symbol,
      isolated: false,
      positionSide: r.side ?? 'LONG',
      openTime: r.openedAt,
      updateTime: r.closedAt,
      avgPrice: String(r.avgPrice),
      avgClosePrice: String(r.avgClosePrice),
      realisedProfit: String(cents(r.realisedPnl)),
      netProfit: String(Math.round((cents(r.netPnl) + funding) * 100) / 100),
      positionAmt: String(r.qty),
      closePositionAmt: String(r.qty),
      leverage,
      closeAllPositions: true,
      positionCommission: String(-commission),
      totalFunding: String(funding),
    };
  }

  private tickers(symbol: string | null): unknown {
    const list = [...this.contracts.entries()]
      .filter(([s]) => symbol === null || s === symbol)
      .flatMap(([s, i]) => {
        const q = this.o.sim.market.quote(i.id);
        if (q === null) return [];
        const last = this.o.sim.market.spot(s) ?? q.mid;
        return [
          {
            symbol: s,
            priceChange: '0',
            priceChangePercent: '0',
            lastPrice: String(last),
            lastQty: '0',
            highPrice: String(last),
            lowPrice: String(last),
            volume: '0',
            quoteVolume: '0',
            openPrice: String(last),
            openTime: this.o.now(),
            closeTime: this.o.now(),
            bidPrice: String(q.bid),
            bidQty: '1',
            askPrice: String(q.ask),
            askQty: '1',
          },
        ];
      });
    return symbol === null ? list : (list[0] ?? {});
  }

  private balanceJson(): Record<string, unknown> {
    const margin = this.o.availableMargin ?? 1_000_000_000;
    return {
      userId: '116***295',
      asset: 'USDT',
      balance: String(margin),
      equity: String(margin),
      unrealizedProfit: '0',
      realisedProfit: '0',
      availableMargin: String(margin),
      usedMargin: '0',
      freezedMargin: '0',
      shortUid: '12851936',
    };
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private send(res: http.ServerResponse, r: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(bingxJson(r.body));
  }

  private changed(): void {
    this.changes++;
  }

  private note(line: string): void {
    if (this.lines.length < fakeLogLinesMax) this.lines.push(line);
    this.o.log?.(`fake BingX: ${line}`);
  }
}

/** The simulated venue's view of an order type BingX names. */
function typeToKeel(type: string): OrderType | null {
  switch (type) {
    case 'LIMIT':
      return 'LMT';
    case 'MARKET':
      return 'MKT';
    case 'STOP_MARKET':
    case 'TRIGGER_MARKET':
      return 'STP';
    case 'TAKE_PROFIT_MARKET':
      return 'MIT';
    case 'STOP':
    case 'TRIGGER_LIMIT':
      return 'STP_LMT';
    default:
      return null;
  }
}

function requestKindOf(method: string, path: string): RequestKind | null {
  if (path === '/swap/v2/trade/order')
    return method === 'POST' ? 'placeOrder' : method === 'DELETE' ? 'cancelOrder' : 'queryOrder';
  if (path === '/swap/v2/trade/openOrders') return 'openOrders';
  if (path === '/swap/v2/user/positions') return 'positions';
  if (path === '/swap/v2/trade/allFillOrders' || path === '/swap/v2/trade/fillHistory') return 'fills';
  return null;
}

function isPrivate(path: string): boolean {
  return !/^\/(swap\/v2\/(server\/time|quote\/)|cswap\/v1\/market\/|spot\/v1\/common\/)/.test(path);
}

function contractJson(symbol: string, i: Instrument, n: number): Record<string, unknown> {
  return {
    contractId: String(100 + n),
    symbol,
    size: String(i.lot),
    quantityPrecision: decimals(i.lot),
    pricePrecision: decimals(i.tick),
    feeRate: '0.0005',
    makerFeeRate: '0.0002',
    takerFeeRate: '0.0005',
    tradeMinLimit: 0,
    tradeMinQuantity: String(i.lot),
    tradeMinUSDT: '2',
    maxLongLeverage: 125,
    maxShortLeverage: 125,
    currency: 'USDT',
    asset: symbol.split('-')[0] ?? symbol,
    status: 1,
    apiStateOpen: 'true',
    apiStateClose: 'true',
    ensureTrigger: true,
    triggerFeeRate: '0.00020000',
  };
}

function decimals(step: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 12;
}

/** `2024-10-24T17:13:12Z`: BingX's filledTm, to the second. */
function secondsIso(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

/** `2006-01-02T15:04:05.999+0800`: BingX's filledTime, to the millisecond, in Beijing time. */
function plus8Iso(t: number): string {
  return `${new Date(t + 8 * 3_600_000).toISOString().slice(0, 23)}+0800`;
}

function roundQty(q: number): number {
  return Math.round(q * 1e9) / 1e9;
}

function ok(data: unknown): Reply {
  return { status: 200, body: { code: 0, msg: '', timestamp: 0, data } };
}

/** BingX answers refusals with HTTP 200 and a code in the body. */
function ok400(code: number, msg: string): Reply {
  return { status: 200, body: { code, msg, data: {} } };
}

function drain(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on('data', () => undefined);
    req.on('end', () => resolve());
    req.on('error', () => resolve());
  });
}

export type { InstrumentId };
