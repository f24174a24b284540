// A loopback fake of Alpaca (trading REST, market-data snapshots and the trade_updates websocket)
// backed by keel's simulated venue, for testing the alpaca adapter through the real client library
// (@alpacahq/alpaca-trade-api). It listens on 127.0.0.1 on an ephemeral port, over real HTTP and a
// real websocket. Requests become SimVenue calls; what the simulated venue says comes back as
// Alpaca's JSON: trade_updates events (pending_new, new, partial_fill, fill, canceled, expired,
// rejected, order_cancel_rejected), order records, positions and FILL activities, and Alpaca's
// error bodies for what Alpaca refuses at once (403 insufficient buying power, 422 invalid qty,
// sub-penny prices, unknown assets, 40010001 duplicate client_order_id). A venue disconnect drops
// the websocket and refuses it (and answers 503) until the venue is back. Test faults of the wire:
// 429 / 5xx / a timeout / a malformed body on the next order (placed or not), a dropped stream, a
// malformed frame, an update for an order nobody placed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  assert,
  ClientOrderId,
  type Instrument,
  type InstrumentId,
  type OrderSpec,
  type OrderType,
  type TimeInForce,
} from '../../../src/domain';
import { occSymbol } from '../../../src/venues/alpaca';
import type { SimVenue } from '../../../src/venues/sim/sim-venue';
import type { VenueEvent } from '../../../src/venues/venue';

export type FakeAlpacaOptions = {
  readonly sim: SimVenue;
  /** The venue's clock (simulated time): order and activity times. */
  readonly now: () => number;
  readonly keyId?: string;
  readonly secret?: string;
  /** Buying power the account reports; a buy costing more is refused 403 (default: plenty). */
  readonly buyingPower?: number;
  /** Equity the account reports (default: the buying power). */
  readonly equity?: number;
  /** The account's options trading level: 3 (the default) takes multi-leg (mleg) orders, below it they are refused 403. */
  readonly optionsLevel?: number;
  readonly log?: (line: string) => void;
};

/** What the next order POST meets (one order; then spent). `place`: whether the order reaches the venue anyway. */
export type OrderPostFault =
  | { readonly kind: 'status'; readonly status: 429 | 500 | 502 | 503 | 504; readonly place: boolean }
  | { readonly kind: 'timeout'; readonly place: boolean }
  | { readonly kind: 'malformed'; readonly place: boolean };

type AlpacaStatus =
  | 'pending_new'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'pending_cancel'
  | 'canceled'
  | 'expired'
  | 'rejected';

type FakeOrder = {
  readonly id: string;
  /** The client_order_id at Alpaca. */
  readonly clientOrderId: string;
  /** The id the simulated venue knows it by (an OCO's legs: the two keel ids its client_order_id names). */
  readonly simId: string;
  readonly orderClass: 'simple' | 'oco' | 'mleg';
  /** A leg of a multi-leg order: its ratio to the order's quantity. */
  readonly ratio: number;
  readonly legs: FakeOrder[];
  readonly parent: FakeOrder | null;
  readonly instrument: Instrument;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly tif: 'day' | 'gtc' | 'ioc';
  readonly qty: number;
  readonly limit: number | null;
  readonly stop: number | null;
  status: AlpacaStatus;
  filledQty: number;
  cash: number;
  readonly createdAt: number;
  updatedAt: number;
};

type CheckedOrder = Pick<
  FakeOrder,
  'clientOrderId' | 'instrument' | 'side' | 'type' | 'tif' | 'qty' | 'limit' | 'stop'
> & {
  readonly oco: { readonly stop: number; readonly stopLimit: number | null } | null;
  /** position_intent `*_to_close`: the order closes a position (reduce-only at the venue). */
  readonly closes: boolean;
  /** A multi-leg order's legs (its own instrument is the first leg's). */
  readonly mleg:
    | readonly { readonly instrument: Instrument; readonly side: 'buy' | 'sell'; readonly ratio: number }[]
    | null;
};

type Activity = {
  readonly id: string;
  readonly t: number;
  readonly order: FakeOrder;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
  readonly cumQty: number;
};

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const defaultKeyId = 'PKTEST0000000000FAKE';
const defaultSecret = 'fake-secret-never-real';
const fakeLogLinesMax = 10_000;
const openStatuses: readonly AlpacaStatus[] = ['pending_new', 'new', 'partially_filled', 'pending_cancel'];

export class FakeAlpaca {
  private server: http.Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly listening = new Set<WebSocket>();
  private readonly orders = new Map<string, FakeOrder>();
  private readonly byClientOrderId = new Map<string, FakeOrder>();
  private readonly bySimId = new Map<string, FakeOrder>();
  /** Per instrument, the keel order that last added to the position: what an OCO exit is attached to. */
  private readonly openers = new Map<InstrumentId, string>();
  private readonly activities: Activity[] = [];
  private readonly sentExecs = new Set<string>();
  private readonly positions = new Map<InstrumentId, number>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly postFaults: OrderPostFault[] = [];
  private readonly ocoLegRefusals: string[] = [];
  private unsubscribe: (() => void) | null = null;
  private linkUp: boolean;
  private streamRefused = false;
  private nextId = 1;
  private buyingPower: number;
  private equity: number;
  private optionsLevel: number;
  private port = 0;
  readonly lines: string[] = [];
  /** Every request as `METHOD /path` (the order POSTs a test counts). */
  readonly requests: string[] = [];

  constructor(private readonly o: FakeAlpacaOptions) {
    this.linkUp = o.sim.isConnected();
    this.buyingPower = o.buyingPower ?? 1_000_000_000;
    this.equity = o.equity ?? this.buyingPower;
    this.optionsLevel = o.optionsLevel ?? 3;
  }

  get keyId(): string {
    return this.o.keyId ?? defaultKeyId;
  }

  get secret(): string {
    return this.o.secret ?? defaultSecret;
  }

  /** The base URLs an adapter is pointed at. */
  get urls(): { tradingUrl: string; dataUrl: string; streamUrl: string } {
    const base = `http://127.0.0.1:${this.port}`;
    return { tradingUrl: base, dataUrl: base, streamUrl: `ws://127.0.0.1:${this.port}/stream` };
  }

  get isLinkUp(): boolean {
    return this.linkUp && !this.streamRefused;
  }

  async start(): Promise<number> {
    assert(this.server === null, 'the fake Alpaca is already listening');
    this.unsubscribe = this.o.sim.subscribe((e) => this.onVenue(e));
    const server = http.createServer(
      { noDelay: true, keepAlive: true },
      (req, res) => void this.onHttp(req, res),
    );
    server.keepAliveTimeout = 60_000;
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/stream' || !this.isLinkUp) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
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
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.listening.clear();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  // ---- faults of the wire -------------------------------------------------------------------

  /** The next order POST meets this. */
  failNextOrder(fault: OrderPostFault): void {
    this.postFaults.push(fault);
  }

  /** The next OCO order's stop-loss leg is refused (its take-profit works on alone). */
  refuseNextOcoStopLeg(message = 'stop_loss leg refused'): void {
    this.ocoLegRefusals.push(message);
  }

  /** The stream drops now; with `refuse`, reconnects are refused until allowStream(). */
  dropStream(refuse = false): void {
    this.streamRefused = refuse;
    for (const ws of this.sockets) ws.terminate();
  }

  allowStream(): void {
    this.streamRefused = false;
  }

  /** A frame the client cannot read. */
  sendRawFrame(text: string): void {
    for (const ws of this.listening) ws.send(text);
  }

  /** A trade update about an order nobody placed here. */
  sendUnknownOrderUpdate(event: 'fill' | 'canceled'): void {
    const ghost: FakeOrder = {
      id: this.mintId(),
      clientOrderId: 'ghost-order-1',
      simId: 'ghost-order-1',
      orderClass: 'simple',
      ratio: 1,
      legs: [],
      parent: null,
      instrument: {
        id: '0' as InstrumentId,
        symbol: 'GHST',
        kind: 'equity',
        multiplier: 1,
        tick: 0.01,
        lot: 1,
      },
      side: 'buy',
      type: 'limit',
      tif: 'day',
      qty: 1,
      limit: 1,
      stop: null,
      status: event === 'fill' ? 'filled' : 'canceled',
      filledQty: event === 'fill' ? 1 : 0,
      cash: event === 'fill' ? 1 : 0,
      createdAt: this.o.now(),
      updatedAt: this.o.now(),
    };
    this.update(
      event,
      ghost,
      event === 'fill' ? { execution_id: 'ghost-exec', price: '1', qty: '1', position_qty: '1' } : {},
    );
  }

  setBuyingPower(amount: number): void {
    this.buyingPower = amount;
  }

  setEquity(amount: number): void {
    this.equity = amount;
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    const body = await readBody(req);
    if (req.headers['apca-api-key-id'] !== this.keyId || req.headers['apca-api-secret-key'] !== this.secret)
      return send(res, { status: 401, body: { code: 40110000, message: 'request is not authorized' } });
    if (!this.linkUp)
      return send(res, { status: 503, body: { code: 50300000, message: 'service unavailable' } });
    if (method === 'POST' && url.pathname === '/v2/orders') return this.postOrder(body, res);
    const reply = await this.route(method, url);
    send(res, reply);
  }

  private async route(method: string, url: URL): Promise<Reply> {
    const q = url.searchParams;
    const path = url.pathname;
    if (method === 'GET' && path === '/v2/account') return ok(this.account());
    if (method === 'GET' && path === '/v2/positions') return ok(await this.positionsJson());
    if (method === 'GET' && path === '/v2/orders') return ok(await this.listOrders(q));
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      await this.refresh();
      const o = this.byClientOrderId.get(q.get('client_order_id') ?? '');
      return o ? ok(this.orderJson(o)) : notFound('order not found');
    }
    const orderPath = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (orderPath) {
      const o = this.orders.get(decodeURIComponent(orderPath[1] ?? ''));
      if (!o) return notFound('order not found');
      if (method === 'GET') return ok(this.orderJson(o));
      if (method === 'DELETE') return this.cancel(o);
    }
    if (method === 'GET' && path === '/v2/account/activities/FILL') return ok(this.fillActivities(q));
    const assetPath = /^\/v2\/assets\/([^/]+)$/.exec(path);
    if (method === 'GET' && assetPath) return this.asset(decodeURIComponent(assetPath[1] ?? ''));
    if (method === 'GET' && path === '/v2/stocks/snapshots')
      return ok(this.snapshots(q.get('symbols') ?? ''));
    if (method === 'GET' && path === '/v1beta1/options/snapshots')
      return ok({ snapshots: this.snapshots(q.get('symbols') ?? ''), next_page_token: null });
    const contractPath = /^\/v2\/options\/contracts\/([^/]+)$/.exec(path);
    if (method === 'GET' && contractPath) {
      const r = this.resolveWire(decodeURIComponent(contractPath[1] ?? ''));
      return r !== null && r.kind === 'option' ? ok(this.contractJson(r)) : notFound('contract not found');
    }
    if (method === 'GET' && path === '/v2/options/contracts') return ok(this.contracts(q));
    this.note(`${method} ${path} is not implemented by the fake`);
    return notFound('endpoint not found');
  }

  private postOrder(raw: string, res: http.ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, { status: 400, body: { code: 40010000, message: 'request body format is invalid' } });
    }
    const checked = this.checkOrder(body);
    if ('status' in checked) return send(res, checked);
    const fault = this.postFaults.shift();
    const refusedLeg = checked.oco === null ? undefined : this.ocoLegRefusals.shift();
    const order = fault === undefined || fault.place ? this.place(checked, refusedLeg !== undefined) : null;
    const leg = order?.legs[0];
    if (fault === undefined) {
      send(res, ok(this.orderJson(order as FakeOrder)));
      if (refusedLeg !== undefined && leg !== undefined)
        this.update('rejected', leg, { reason: refusedLeg, reason_code: 40310000 });
      return;
    }
    this.note(
      `order ${checked.clientOrderId}: ${fault.kind} fault (${fault.place ? 'placed' : 'not placed'})`,
    );
    switch (fault.kind) {
      case 'status':
        return send(res, {
          status: fault.status,
          body:
            fault.status === 429
              ? { code: 42910000, message: 'rate limit exceeded' }
              : { code: 50010000, message: 'internal server error' },
          headers: fault.status === 429 ? { 'retry-after': '0' } : {},
        });
      case 'timeout':
        this.hanging.add(res); // never answered: the client's timeout ends it
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "half an order');
        return;
    }
  }

  /** What Alpaca refuses at once, with its error bodies; else the order to place. */
  private checkOrder(b: Record<string, unknown>): Reply | CheckedOrder {
    const unprocessable = (code: number, message: string): Reply => ({
      status: 422,
      body: { code, message },
    });
    const cid = typeof b['client_order_id'] === 'string' ? b['client_order_id'] : this.mintId();
    if (cid.length > 48) return unprocessable(40010001, 'client_order_id must be no more than 48 characters');
    if (this.byClientOrderId.has(cid)) return unprocessable(40010001, 'client_order_id must be unique');
    const orderClass = b['order_class'] ?? 'simple';
    if (orderClass === 'mleg') return this.checkMleg(b, cid);
    const symbol = typeof b['symbol'] === 'string' ? b['symbol'] : '';
    const resolved = this.resolveWire(symbol);
    if (resolved === null) return unprocessable(42210000, `asset "${symbol}" not found`);
    const r = { instrument: resolved };
    const qty = Number(b['qty']);
    if (!(qty > 0)) return unprocessable(40010001, 'qty must be > 0');
    if (!Number.isInteger(qty)) return unprocessable(40010001, 'qty must be integer');
    const side = b['side'];
    const type = b['type'];
    const tif = b['time_in_force'];
    if (side !== 'buy' && side !== 'sell') return unprocessable(40010001, 'invalid side');
    if (type !== 'market' && type !== 'limit' && type !== 'stop' && type !== 'stop_limit')
      return unprocessable(40010001, `invalid order type for this fake: ${String(type)}`);
    if (tif !== 'day' && tif !== 'gtc' && tif !== 'ioc')
      return unprocessable(40010001, 'invalid time_in_force');
    if (orderClass !== 'simple' && orderClass !== 'oco')
      return unprocessable(42210000, `order_class ${String(orderClass)} is not supported by this fake`);
    const price = (
      field: 'limit_price' | 'stop_price',
      needed: boolean,
      from: Record<string, unknown> = b,
    ): number | Reply | null => {
      const v = from[field];
      if (v === undefined || v === null)
        return needed ? unprocessable(40010001, `${field} is required`) : null;
      const p = Number(v);
      if (!(p > 0)) return unprocessable(40010001, `invalid ${field}`);
      const decimals = p >= 1 ? 2 : 4;
      if (Math.abs(Math.round(p * 10 ** decimals) - p * 10 ** decimals) > 1e-6)
        return unprocessable(
          42210000,
          `invalid ${field} ${String(v)}. sub-penny increment does not fulfill minimum pricing criteria`,
        );
      return p;
    };
    const limit = price('limit_price', type === 'limit' || type === 'stop_limit');
    const stop = price('stop_price', type === 'stop' || type === 'stop_limit');
    if (limit !== null && typeof limit === 'object') return limit;
    if (stop !== null && typeof stop === 'object') return stop;
    let oco: CheckedOrder['oco'] = null;
    if (orderClass === 'oco') {
      const tp = (b['take_profit'] ?? {}) as Record<string, unknown>;
      const sl = (b['stop_loss'] ?? {}) as Record<string, unknown>;
      if (type !== 'limit') return unprocessable(42210000, 'oco orders must be limit orders');
      const target = price('limit_price', true, tp);
      const stopLoss = price('stop_price', true, sl);
      const stopLimit = price('limit_price', false, sl);
      for (const p of [target, stopLoss, stopLimit]) if (p !== null && typeof p === 'object') return p;
      oco = { stop: stopLoss as number, stopLimit: stopLimit as number | null };
    }
    const quote = this.o.sim.market.quote(r.instrument.id);
    const cost = qty * r.instrument.multiplier * (limit ?? quote?.ask ?? this.o.sim.market.spot(symbol) ?? 0);
    if (side === 'buy' && cost > this.buyingPower)
      return {
        status: 403,
        body: {
          code: 40310000,
          message: 'insufficient buying power',
          buying_power: String(this.buyingPower),
          cost_basis: cost.toFixed(2),
        },
      };
    const intent = b['position_intent'];
    const closes = intent === 'buy_to_close' || intent === 'sell_to_close';
    if (closes && (intent === 'buy_to_close') !== (side === 'buy'))
      return unprocessable(40010001, `position_intent ${String(intent)} does not match side ${side}`);
    return {
      clientOrderId: cid,
      instrument: r.instrument,
      side,
      type,
      tif,
      qty,
      limit,
      stop,
      oco,
      closes,
      mleg: null,
    };
  }

  /** A multi-leg options order: the account's level, 2-4 option legs with whole ratios, one net limit (negative: a credit). */
  private checkMleg(b: Record<string, unknown>, cid: string): Reply | CheckedOrder {
    const unprocessable = (code: number, message: string): Reply => ({
      status: 422,
      body: { code, message },
    });
    if (this.optionsLevel < 3)
      return {
        status: 403,
        body: {
          code: 40310000,
          message: 'account not eligible to trade multi-leg options (options level 3)',
        },
      };
    const legsIn = Array.isArray(b['legs']) ? (b['legs'] as Record<string, unknown>[]) : [];
    if (legsIn.length < 2 || legsIn.length > 4)
      return unprocessable(40010001, 'mleg orders take 2 to 4 legs');
    const legs: { instrument: Instrument; side: 'buy' | 'sell'; ratio: number }[] = [];
    for (const l of legsIn) {
      const symbol = typeof l['symbol'] === 'string' ? l['symbol'] : '';
      const i = this.resolveWire(symbol);
      if (i === null || i.kind !== 'option') return unprocessable(42210000, `asset "${symbol}" not found`);
      const ratio = Number(l['ratio_qty']);
      if (!Number.isInteger(ratio) || ratio < 1)
        return unprocessable(40010001, 'ratio_qty must be a whole number');
      const side = l['side'];
      if (side !== 'buy' && side !== 'sell') return unprocessable(40010001, 'invalid side');
      legs.push({ instrument: i, side, ratio });
    }
    const qty = Number(b['qty']);
    if (!(qty > 0) || !Number.isInteger(qty)) return unprocessable(40010001, 'qty must be integer');
    if (b['type'] !== 'limit') return unprocessable(42210000, 'mleg orders must be limit orders');
    const tif = b['time_in_force'];
    if (tif !== 'day' && tif !== 'gtc')
      return unprocessable(42210000, 'mleg orders must be day or gtc orders');
    const limit = Number(b['limit_price']);
    if (!Number.isFinite(limit) || limit === 0) return unprocessable(40010001, 'invalid limit_price');
    if (Math.abs(Math.round(Math.abs(limit) * 100) - Math.abs(limit) * 100) > 1e-6)
      return unprocessable(42210000, `invalid limit_price ${String(b['limit_price'])}. sub-penny increment`);
    const first = legs[0] as (typeof legs)[number];
    return {
      clientOrderId: cid,
      instrument: first.instrument,
      side: limit > 0 ? 'buy' : 'sell',
      type: 'limit',
      tif,
      qty,
      limit,
      stop: null,
      oco: null,
      closes: false,
      mleg: legs,
    };
  }

  private place(c: CheckedOrder, refuseLeg = false): FakeOrder {
    if (c.mleg !== null) return this.placeMleg(c, c.mleg);
    const now = this.o.now();
    const [first, second] = splitWireId(c.clientOrderId);
    const base = {
      instrument: c.instrument,
      side: c.side,
      tif: c.tif,
      qty: c.qty,
      status: 'pending_new' as const,
      filledQty: 0,
      cash: 0,
      createdAt: now,
      updatedAt: now,
    };
    const order: FakeOrder = {
      ...base,
      id: this.mintId(),
      clientOrderId: c.clientOrderId,
      simId: c.oco === null ? c.clientOrderId : first,
      orderClass: c.oco === null ? 'simple' : 'oco',
      ratio: 1,
      legs: [],
      parent: null,
      type: c.type,
      limit: c.limit,
      stop: c.stop,
    };
    this.remember(order);
    if (c.oco !== null) {
      const legClientId = this.mintId();
      const leg: FakeOrder = {
        ...base,
        id: this.mintId(),
        clientOrderId: legClientId,
        simId: second ?? legClientId,
        orderClass: 'oco',
        ratio: 1,
        legs: [],
        parent: order,
        type: c.oco.stopLimit === null ? 'stop' : 'stop_limit',
        limit: c.oco.stopLimit,
        stop: c.oco.stop,
      };
      order.legs.push(leg);
      this.remember(leg);
    }
    this.update('pending_new', order, {});
    // An OCO, or an order that closes (position_intent *_to_close), may only reduce the position:
    // reduce-only at the venue. An exit left resting (an OCO, a GTC *_to_close) is attached to the
    // order that opened the position, as Alpaca keeps it with the position.
    const exit = c.oco !== null || (c.closes && c.tif === 'gtc');
    const attachedTo = exit ? (this.openers.get(c.instrument.id) ?? null) : null;
    for (const o of [order, ...order.legs]) {
      if (refuseLeg && o !== order) {
        o.status = 'rejected'; // refused by the fake itself: the simulated venue never sees it
        continue;
      }
      this.o.sim.submit(this.specOf(o, c.oco !== null || c.closes, attachedTo));
    }
    return order;
  }

  /** A multi-leg order: one combo order at the simulated venue, each leg an Alpaca order of its own. */
  private placeMleg(c: CheckedOrder, legs: NonNullable<CheckedOrder['mleg']>): FakeOrder {
    const now = this.o.now();
    const order: FakeOrder = {
      id: this.mintId(),
      clientOrderId: c.clientOrderId,
      simId: c.clientOrderId,
      orderClass: 'mleg',
      ratio: 1,
      legs: [],
      parent: null,
      instrument: c.instrument,
      side: c.side,
      type: 'limit',
      tif: c.tif,
      qty: c.qty,
      limit: c.limit,
      stop: null,
      status: 'pending_new',
      filledQty: 0,
      cash: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.orders.set(order.id, order);
    this.byClientOrderId.set(order.clientOrderId, order);
    this.bySimId.set(order.simId, order);
    for (const l of legs) {
      const leg: FakeOrder = {
        id: this.mintId(),
        clientOrderId: this.mintId(),
        simId: '',
        orderClass: 'mleg',
        ratio: l.ratio,
        legs: [],
        parent: order,
        instrument: l.instrument,
        side: l.side,
        type: 'limit',
        tif: c.tif,
        qty: c.qty * l.ratio,
        limit: null,
        stop: null,
        status: 'pending_new',
        filledQty: 0,
        cash: 0,
        createdAt: now,
        updatedAt: now,
      };
      order.legs.push(leg);
      this.orders.set(leg.id, leg);
      this.byClientOrderId.set(leg.clientOrderId, leg);
    }
    this.update('pending_new', order, {});
    this.o.sim.submit({
      clientOrderId: ClientOrderId.of(order.simId),
      legs: legs.map((l) => ({
        instrumentId: l.instrument.id,
        side: l.side === 'buy' ? 'BUY' : 'SELL',
        ratio: l.ratio,
      })),
      qty: c.qty,
      type: 'LMT',
      limitPrice: c.limit,
      stopPrice: null,
      tif: c.tif === 'gtc' ? 'GTC' : 'DAY',
      reduceOnly: false,
      parentClientOrderId: null,
    });
    return order;
  }

  /** An instrument by Alpaca's name for it: an OCC symbol for an option, else the symbol. */
  resolveWire(symbol: string): Instrument | null {
    const occ = /^([A-Z]{1,6})(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(symbol);
    const r = occ
      ? this.o.sim.resolveInstrument({
          symbol: occ[1] ?? '',
          expiry: `20${occ[2]}-${occ[3]}-${occ[4]}`,
          right: occ[5] === 'C' ? 'C' : 'P',
          strike: Number(occ[6]) / 1000,
        })
      : this.o.sim.resolveInstrument({ symbol });
    if (!r.ok || (r.instrument.kind !== 'equity' && r.instrument.kind !== 'option')) return null;
    return r.instrument;
  }

  private contractJson(i: Instrument): Record<string, unknown> {
    if (i.kind !== 'option') return {};
    const symbol = wireSymbolOf(i);
    return {
      id: `0c7a0000-0000-4000-8000-${String(i.id).padStart(12, '0').slice(-12)}`,
      symbol,
      name: `${i.symbol} ${i.expiry} ${i.right === 'C' ? 'Call' : 'Put'} ${i.strike}`,
      status: 'active',
      tradable: true,
      expiration_date: i.expiry,
      root_symbol: i.symbol,
      underlying_symbol: i.symbol,
      underlying_asset_id: `a55e7000-0000-4000-8000-000000000000`,
      type: i.right === 'C' ? 'call' : 'put',
      style: 'american',
      strike_price: String(i.strike),
      multiplier: String(i.multiplier),
      size: String(i.multiplier),
    };
  }

  private contracts(q: URLSearchParams): Record<string, unknown> {
    const underlying = q.get('underlying_symbols') ?? '';
    const expiry = q.get('expiration_date') ?? '';
    const chain = this.o.sim.optionChain(underlying, expiry) as readonly Instrument[];
    return { option_contracts: chain.map((i) => this.contractJson(i)), next_page_token: null };
  }

  private remember(o: FakeOrder): void {
    this.orders.set(o.id, o);
    this.byClientOrderId.set(o.clientOrderId, o);
    this.bySimId.set(o.simId, o);
  }

  private specOf(o: FakeOrder, exit: boolean, parent: string | null): OrderSpec {
    const typeOf: Record<FakeOrder['type'], OrderType> = {
      market: 'MKT',
      limit: 'LMT',
      stop: 'STP',
      stop_limit: 'STP_LMT',
    };
    const tifOf: Record<FakeOrder['tif'], TimeInForce> = { day: 'DAY', gtc: 'GTC', ioc: 'IOC' };
    return {
      clientOrderId: ClientOrderId.of(o.simId),
      legs: [{ instrumentId: o.instrument.id, side: o.side === 'buy' ? 'BUY' : 'SELL', ratio: 1 }],
      qty: o.qty,
      type: typeOf[o.type],
      limitPrice: o.limit,
      stopPrice: o.stop,
      tif: tifOf[o.tif],
      reduceOnly: exit,
      parentClientOrderId: parent === null ? null : ClientOrderId.of(parent),
    };
  }

  private cancel(o: FakeOrder): Reply {
    if (!openStatuses.includes(o.status))
      return { status: 422, body: { code: 42210000, message: `order is already in "${o.status}" state` } };
    // Cancelling any part of an OCO cancels all of it.
    const top = o.parent ?? o;
    for (const part of o.orderClass === 'oco' ? [top, ...top.legs] : [o]) {
      if (!openStatuses.includes(part.status)) continue;
      part.status = 'pending_cancel';
      part.updatedAt = this.o.now();
      this.o.sim.cancel(ClientOrderId.of(part.simId));
    }
    return { status: 204, body: null };
  }

  private account(): Record<string, unknown> {
    return {
      id: 'fa4e0000-0000-4000-8000-000000000001',
      account_number: 'PA0000FAKE01',
      status: 'ACTIVE',
      currency: 'USD',
      cash: this.buyingPower.toFixed(2),
      equity: this.equity.toFixed(2),
      buying_power: this.buyingPower.toFixed(2),
      options_trading_level: this.optionsLevel,
      pattern_day_trader: false,
      trading_blocked: false,
    };
  }

  private async positionsJson(): Promise<unknown[]> {
    const snap = await this.o.sim.snapshot();
    return snap.positions.flatMap((p) => {
      const i = this.o.sim.instrument(p.instrumentId);
      if (!i || (i.kind !== 'equity' && i.kind !== 'option')) return [];
      const price =
        (i.kind === 'option' ? this.o.sim.market.quote(i.id)?.mid : this.o.sim.market.spot(i.symbol)) ??
        p.avgPrice;
      return [
        {
          asset_id: `a55e7000-0000-4000-8000-${String(i.id).padStart(12, '0')}`,
          symbol: wireSymbolOf(i),
          exchange: 'NASDAQ',
          asset_class: i.kind === 'option' ? 'us_option' : 'us_equity',
          qty: String(Math.abs(p.qty)),
          qty_available: String(Math.abs(p.qty)),
          side: p.qty < 0 ? 'short' : 'long',
          avg_entry_price: String(p.avgPrice),
          market_value: (p.qty * price).toFixed(2),
          cost_basis: (p.qty * p.avgPrice).toFixed(2),
          unrealized_pl: (p.qty * (price - p.avgPrice)).toFixed(2),
          current_price: String(price),
        },
      ];
    });
  }

  private async listOrders(q: URLSearchParams): Promise<unknown[]> {
    await this.refresh();
    const status = q.get('status') ?? 'open';
    const after = q.get('after');
    const afterT = after === null ? null : Date.parse(after);
    const limit = Math.min(500, Number(q.get('limit') ?? 50));
    const nested = q.get('nested') === 'true';
    const open = (o: FakeOrder) =>
      openStatuses.includes(o.status) || (nested && o.legs.some((l) => openStatuses.includes(l.status)));
    return [...this.orders.values()]
      .filter((o) => !nested || o.parent === null)
      .filter((o) => status === 'all' || (status === 'open') === open(o))
      .filter((o) => afterT === null || o.createdAt > afterT)
      .slice(0, limit)
      .map((o) => this.orderJson(o));
  }

  private fillActivities(q: URLSearchParams): unknown[] {
    const after = q.get('after');
    const afterT = after === null ? null : Date.parse(after);
    const pageSize = Math.min(100, Number(q.get('page_size') ?? 100));
    const token = q.get('page_token');
    let list = this.activities.filter((a) => afterT === null || a.t > afterT);
    if (token !== null) list = list.slice(list.findIndex((a) => a.id === token) + 1);
    return list.slice(0, pageSize).map((a) => ({
      id: a.id,
      activity_type: 'FILL',
      transaction_time: new Date(a.t).toISOString(),
      type: a.cumQty >= a.order.qty ? 'fill' : 'partial_fill',
      price: String(a.price),
      qty: String(a.qty),
      side: a.order.side,
      symbol: wireSymbolOf(a.order.instrument),
      leaves_qty: String(a.order.qty - a.cumQty),
      order_id: a.order.id,
      cum_qty: String(a.cumQty),
      order_status: a.cumQty >= a.order.qty ? 'filled' : 'partially_filled',
      commission: String(a.commission),
    }));
  }

  private asset(symbol: string): Reply {
    const r = this.o.sim.resolveInstrument({ symbol });
    // Alpaca lists no futures: a perpetual of the simulated market is no asset here.
    if (!r.ok || r.instrument.kind === 'future') return notFound(`asset not found for ${symbol}`);
    const i = r.instrument;
    return ok({
      id: `a55e7000-0000-4000-8000-${String(i.id).padStart(12, '0')}`,
      class: i.kind === 'equity' ? 'us_equity' : i.kind === 'crypto' ? 'crypto' : 'us_option',
      exchange: 'NASDAQ',
      symbol: i.symbol,
      name: `${i.symbol} (simulated)`,
      status: 'active',
      tradable: i.kind === 'equity',
      marginable: true,
      shortable: true,
      easy_to_borrow: true,
      fractionable: false,
    });
  }

  private snapshots(symbols: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const t = new Date(this.o.now()).toISOString();
    for (const symbol of symbols.split(',').filter((s) => s !== '')) {
      const i = this.resolveWire(symbol);
      if (i === null) continue;
      const q = this.o.sim.market.quote(i.id);
      const last = i.kind === 'option' ? null : this.o.sim.market.spot(symbol);
      out[symbol] = {
        latestTrade: last === null ? null : { t, x: 'V', p: last, s: 100, c: ['@'], i: 1, z: 'C' },
        latestQuote:
          q === null ? null : { t, ax: 'V', ap: q.ask, as: 1, bx: 'V', bp: q.bid, bs: 1, c: ['R'], z: 'C' },
        minuteBar: null,
        dailyBar: null,
        prevDailyBar: null,
      };
    }
    return out;
  }

  // ---- the stream -----------------------------------------------------------------------------

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    let authorized = false;
    ws.on('message', (data: Buffer) => {
      let msg: { action?: unknown; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(data.toString('utf8')) as typeof msg;
      } catch {
        ws.send(
          JSON.stringify({ stream: 'error', action: 'error', data: { error_message: 'invalid syntax' } }),
        );
        return;
      }
      if (msg.action === 'authenticate') {
        authorized = msg.data?.['key_id'] === this.keyId && msg.data['secret_key'] === this.secret;
        ws.send(
          JSON.stringify({
            stream: 'authorization',
            data: { status: authorized ? 'authorized' : 'unauthorized', action: 'authenticate' },
          }),
        );
        if (!authorized) ws.close();
        return;
      }
      if (msg.action === 'listen' && authorized) {
        const streams = Array.isArray(msg.data?.['streams']) ? (msg.data['streams'] as unknown[]) : [];
        if (streams.includes('trade_updates')) this.listening.add(ws);
        else this.listening.delete(ws);
        ws.send(
          JSON.stringify({
            stream: 'listening',
            data: { streams: this.listening.has(ws) ? ['trade_updates'] : [] },
          }),
        );
      }
    });
    const gone = () => {
      this.sockets.delete(ws);
      this.listening.delete(ws);
    };
    ws.on('close', gone);
    ws.on('error', gone);
  }

  private update(event: string, o: FakeOrder, extra: Record<string, unknown>): void {
    const frame = JSON.stringify({
      stream: 'trade_updates',
      data: { event, timestamp: new Date(this.o.now()).toISOString(), order: this.orderJson(o), ...extra },
    });
    for (const ws of this.listening) ws.send(frame);
  }

  // ---- what the simulated venue says ----------------------------------------------------------

  private onVenue(e: VenueEvent): void {
    switch (e.type) {
      case 'connection':
        this.linkUp = e.up;
        if (!e.up) for (const ws of this.sockets) ws.terminate();
        else void this.refresh();
        return;
      case 'accepted': {
        const o = this.bySimId.get(e.clientOrderId);
        if (!o) return;
        if (o.status === 'pending_new') o.status = 'new';
        o.updatedAt = e.t;
        if (o.orderClass === 'mleg') for (const l of o.legs) if (l.status === 'pending_new') l.status = 'new';
        return this.update('new', o, {});
      }
      case 'rejected': {
        const o = this.bySimId.get(e.clientOrderId);
        if (!o || e.reason === 'notSent') return;
        o.status = 'rejected';
        o.updatedAt = e.t;
        if (o.orderClass === 'mleg') for (const l of o.legs) l.status = 'rejected';
        return this.update('rejected', o, { reason: e.message, reason_code: e.code });
      }
      case 'fill':
        return this.onFill(e.fill);
      case 'cancelled': {
        const o = this.bySimId.get(e.clientOrderId);
        if (!o) return;
        o.status = e.reason === 'expired' ? 'expired' : 'canceled';
        o.updatedAt = e.t;
        if (o.orderClass === 'mleg')
          for (const l of o.legs) if (openStatuses.includes(l.status)) l.status = o.status;
        return this.update(o.status, o, e.reason === 'venue' ? { reason: e.detail } : {});
      }
      case 'cancelRejected': {
        const o = this.bySimId.get(e.clientOrderId);
        if (!o || e.reason === 'notSent') return;
        if (o.status === 'pending_cancel') o.status = o.filledQty >= o.qty ? 'filled' : 'new';
        return this.update('order_cancel_rejected', o, { reason: e.detail });
      }
      case 'position':
        return this.onPosition(e.instrumentId, e.qty, e.avgPrice);
      case 'settlement':
        return;
    }
  }

  private onFill(f: Extract<VenueEvent, { type: 'fill' }>['fill']): void {
    const placed = this.bySimId.get(f.clientOrderId);
    if (!placed) return this.note(`fill of ${f.clientOrderId}: not placed through the fake`);
    // A multi-leg order fills on its legs: each leg's execution is that leg order's fill.
    const o =
      placed.orderClass === 'mleg' && placed.parent === null
        ? placed.legs.find((l) => l.instrument.id === f.instrumentId)
        : placed;
    if (!o) return this.note(`fill of ${f.clientOrderId} in ${f.instrumentId}: no such leg`);
    const duplicate = this.sentExecs.has(f.execId);
    if (!duplicate) {
      this.noteOpener(f.instrumentId, f.side, f.qty, o.simId);
      this.sentExecs.add(f.execId);
      o.filledQty += f.qty;
      o.cash += f.qty * f.price;
      o.status = o.filledQty >= o.qty ? 'filled' : 'partially_filled';
      o.updatedAt = f.t;
      if (o !== placed) {
        placed.filledQty = Math.min(...placed.legs.map((l) => l.filledQty / l.ratio));
        placed.status =
          placed.filledQty >= placed.qty
            ? 'filled'
            : placed.filledQty > 0
              ? 'partially_filled'
              : placed.status;
        placed.updatedAt = f.t;
      }

      this.activities.push({
        id: `${activityStamp(f.t)}::${f.execId}`,
        t: f.t,
        order: o,
        qty: f.qty,
        price: f.price,
        commission: f.commission / 1e6,
        cumQty: o.filledQty,
      });
    }
    this.update(o.filledQty >= o.qty ? 'fill' : 'partial_fill', o, {
      execution_id: f.execId,
      price: String(f.price),
      qty: String(f.qty),
      position_qty: String(this.positions.get(f.instrumentId) ?? 0),
      commission: String(f.commission / 1e6),
    });
  }

  /** Moves the fake's position by a keel fill; the order that added to it is what an OCO exit attaches to. */
  private noteOpener(id: InstrumentId, side: 'BUY' | 'SELL', qty: number, simId: string): void {
    const before = this.positions.get(id) ?? 0;
    const after = before + (side === 'BUY' ? qty : -qty);
    if (Math.abs(after) > Math.abs(before)) this.openers.set(id, simId);
    this.positions.set(id, after);
  }

  /** A position change keel's fills do not explain: someone traded by hand; Alpaca reports that order's fill too. */
  private onPosition(id: InstrumentId, qty: number, avgPrice: number): void {
    const known = this.positions.get(id) ?? 0;
    this.positions.set(id, qty);
    const diff = Math.round((qty - known) * 1e9) / 1e9;
    const instrument = this.o.sim.instrument(id);
    if (diff === 0 || !instrument || (instrument.kind !== 'equity' && instrument.kind !== 'option')) return;
    const now = this.o.now();
    const foreign: FakeOrder = {
      id: this.mintId(),
      clientOrderId: this.mintId(),
      simId: '',
      orderClass: 'simple',
      ratio: 1,
      legs: [],
      parent: null,
      instrument,
      side: diff > 0 ? 'buy' : 'sell',
      type: 'market',
      tif: 'day',
      qty: Math.abs(diff),
      limit: null,
      stop: null,
      status: 'filled',
      filledQty: Math.abs(diff),
      cash: Math.abs(diff) * avgPrice,
      createdAt: now,
      updatedAt: now,
    };
    this.orders.set(foreign.id, foreign);
    this.update('fill', foreign, {
      execution_id: this.mintId(),
      price: String(this.o.sim.market.spot(instrument.symbol) ?? avgPrice),
      qty: String(Math.abs(diff)),
      position_qty: String(qty),
    });
  }

  /** After the venue was unreachable: its own records say what happened meanwhile. */
  private async refresh(): Promise<void> {
    if (!this.o.sim.isConnected()) return;
    const snap = await this.o.sim.snapshot();
    for (const v of snap.orders) {
      const o = v.clientOrderId === null ? undefined : this.bySimId.get(v.clientOrderId);
      if (!o) continue;
      if (v.filledQty > o.filledQty) {
        o.filledQty = v.filledQty;
        o.cash = (v.avgFillPrice ?? 0) * v.filledQty;
      }
      o.status =
        v.status === 'working'
          ? o.status === 'pending_cancel'
            ? o.status
            : v.filledQty > 0
              ? 'partially_filled'
              : 'new'
          : v.status === 'cancelled'
            ? 'canceled'
            : v.status;
    }
    for (const x of snap.executions) {
      if (this.sentExecs.has(x.execId) || x.clientOrderId === null) continue;
      const placed = this.bySimId.get(x.clientOrderId);
      const o =
        placed?.orderClass === 'mleg' && placed.parent === null
          ? placed.legs.find((l) => l.instrument.id === x.instrumentId)
          : placed;
      if (!o) continue;
      this.sentExecs.add(x.execId);
      this.noteOpener(x.instrumentId, x.side, x.qty, o.simId);
      const before = this.activities.filter((a) => a.order === o).reduce((s, a) => s + a.qty, 0);
      this.activities.push({
        id: `${activityStamp(x.t)}::${x.execId}`,
        t: x.t,
        order: o,
        qty: x.qty,
        price: x.price,
        commission: x.commission / 1e6,
        cumQty: before + x.qty,
      });
    }
    this.activities.sort((a, b) => a.t - b.t);
    for (const p of snap.positions) this.positions.set(p.instrumentId, p.qty);
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private orderJson(o: FakeOrder): Record<string, unknown> {
    const iso = (t: number) => new Date(t).toISOString();
    return {
      id: o.id,
      client_order_id: o.clientOrderId,
      created_at: iso(o.createdAt),
      updated_at: iso(o.updatedAt),
      submitted_at: iso(o.createdAt),
      filled_at: o.status === 'filled' ? iso(o.updatedAt) : null,
      expired_at: o.status === 'expired' ? iso(o.updatedAt) : null,
      canceled_at: o.status === 'canceled' ? iso(o.updatedAt) : null,
      failed_at: o.status === 'rejected' ? iso(o.updatedAt) : null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: `a55e7000-0000-4000-8000-${String(o.instrument.id).padStart(12, '0')}`,
      symbol: o.orderClass === 'mleg' && o.parent === null ? '' : wireSymbolOf(o.instrument),
      asset_class: o.instrument.kind === 'option' ? 'us_option' : 'us_equity',
      notional: null,
      qty: String(o.qty),
      ...(o.orderClass === 'mleg' && o.parent !== null ? { ratio_qty: String(o.ratio) } : {}),
      filled_qty: String(o.filledQty),
      filled_avg_price: o.filledQty > 0 ? String(Math.round((o.cash / o.filledQty) * 1e6) / 1e6) : null,
      order_class: o.orderClass,
      order_type: o.type,
      type: o.type,
      side: o.side,
      position_intent: o.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
      time_in_force: o.tif,
      limit_price: o.limit === null ? null : String(o.limit),
      stop_price: o.stop === null ? null : String(o.stop),
      status: o.status,
      extended_hours: false,
      legs: o.legs.length === 0 ? null : o.legs.map((l) => this.orderJson(l)),
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
  }

  /** UUID-shaped ids, deterministic per fake. */
  private mintId(): string {
    const n = this.nextId++;
    return `0a1ca000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  private note(line: string): void {
    if (this.lines.length < fakeLogLinesMax) this.lines.push(line);
    this.o.log?.(`fake Alpaca: ${line}`);
  }
}

/** Alpaca's name for an instrument: an option's OCC symbol, else the symbol. */
function wireSymbolOf(i: Instrument): string {
  return i.kind === 'option' ? (occSymbol(i.symbol, i.expiry, i.strike, i.right) ?? i.symbol) : i.symbol;
}

/**
 * An OCO's client_order_id may name two ids, `take-profit::stop-loss` (keel's way of naming both
 * legs); a stop-loss of the take-profit's group is written from its last `-` on (`g-p3::-p2`).
 */
function splitWireId(clientOrderId: string): [string, string | null] {
  const at = clientOrderId.indexOf('::');
  if (at < 0) return [clientOrderId, null];
  const first = clientOrderId.slice(0, at);
  const second = clientOrderId.slice(at + 2);
  return [first, second.startsWith('-') ? `${first.slice(0, first.lastIndexOf('-'))}${second}` : second];
}

function activityStamp(t: number): string {
  return new Date(t).toISOString().replace(/[-:TZ.]/g, '');
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function notFound(message: string): Reply {
  return { status: 404, body: { code: 40410000, message } };
}

function send(res: http.ServerResponse, r: Reply): void {
  if (r.status === 204) {
    res.writeHead(204, r.headers ?? {});
    res.end();
    return;
  }
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
