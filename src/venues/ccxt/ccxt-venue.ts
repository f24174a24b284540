// The ccxt venue: keel's Venue contract over a crypto perpetual-futures account through ccxt (BingX
// first). Orders go out with keel's id as clientOrderId, reduceOnly in one-way mode (position side
// in hedge mode), amounts and prices checked against the market's precision with ccxt's own
// helpers (an off-tick price or off-lot amount is refused, never moved). What the exchange says
// (order records, the fill history, positions with their own ids, the position history) becomes
// keel's typed events here and nowhere else. The account is watched through ccxt.pro's websocket
// (BingX's private swap stream: ORDER_TRADE_UPDATE and ACCOUNT_UPDATE after a listenKey): a push
// names the order or position that changed and the adapter reads its fills (by trade id) and the
// positions (with their ids) at once. While the stream is down, or where the exchange has none, it
// polls at a bounded rate instead (`poll()` reads open orders, positions and the fills of keel's
// orders, and passes on what changed), and every (re)connect of the stream is followed by one poll
// that reconciles what the stream missed. Events leave from the answers' callbacks, never from
// inside submit() or cancel(). An order whose request got no
// clear answer (a timeout, a reset, a rate limit, a malformed body) is looked up by its client
// order id before it is ever sent again: never a double order. A request with no answer at all
// takes the link down (keel hears it); the next poll that is answered catches up and brings it
// back. Order ids stay strings end to end (BingX's 19-digit ids never pass through a JS number).
import ccxt, { type Exchange, type MarketInterface } from 'ccxt';
import {
  assert,
  ClientOrderId,
  ExecId,
  fixedOffsetZone,
  InstrumentId,
  toMicros,
  VenueOrderId,
  VenuePositionId,
  type Clock,
  type Instrument,
  type InstrumentTerms,
  type Micros,
  type OrderSpec,
  type Side,
} from '../../domain';
import type {
  CancelRejectReason,
  MaybePromise,
  Quote,
  QuoteBook,
  RejectReason,
  ResolveResult,
  SnapshotRequest,
  Venue,
  VenueCapabilities,
  VenueEvent,
  VenueExecution,
  VenueListener,
  VenueOrderStatus,
  VenuePosition,
  VenuePositionHistoryRecord,
  VenueSnapshot,
} from '../venue';
import { ccxtConfigErrors, describeCcxtConfig, type CcxtConfig } from './config';
import { meaningOfFailure, withoutListenKey, type FailureMeaning } from './errors';
import {
  accountUidSchema,
  amountToMicros,
  fillHistoryPageSchema,
  fillRecordSchema,
  fillTimeOf,
  orderPushSchema,
  orderRecordSchema,
  positionHistorySchema,
  positionRecordSchema,
  readRecord,
  type FillRecord,
  type OrderPush,
  type OrderRecord,
} from './records';
import { orderRequest, specOfRecord, type OrderRequest } from './order-mapping';

export type CcxtVenueOptions = {
  readonly config: CcxtConfig;
  /** Event time stamps (the simulator passes its clock); default the wall clock. */
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  /**
   * How often the account is polled while the websocket is down or not used, and the tickers read
   * (0: only on poll(), as `keel sim --through` does). Default max(1 s, 5 x ccxt's rateLimit).
   */
  readonly pollMs?: number;
  /**
   * Watch orders and positions through ccxt.pro's websocket (default: where the exchange class has
   * watchOrders and watchPositions). Off: polling only.
   */
  readonly stream?: boolean;
  /** ccxt's first reconnect delay of the websocket (doubles per try; ccxt's default 1 s). */
  readonly streamBackoffMs?: number;
  /** How long a websocket handshake may take (ccxt's connectionTimeout; default 10 s). */
  readonly streamConnectTimeoutMs?: number;
  /** ccxt's own throttle at the exchange's rateLimit (a loopback fake may go without). */
  readonly enableRateLimit?: boolean;
  readonly requestTimeoutMs?: number;
  /** Tries of one order after an ambiguous answer (each after a lookup by client order id). */
  readonly retryAttemptsMax?: number;
  /** First back-off after a rate limit or a busy exchange; doubles per try. */
  readonly retryBaseMs?: number;
};

type Tracked = {
  readonly clientOrderId: ClientOrderId;
  spec: OrderSpec | null;
  readonly instrumentId: InstrumentId;
  venueOrderId: string | null;
  accepted: boolean;
  end: VenueOrderStatus['status'] | null;
  filledQty: number;
  cash: number;
  /** How many times each exec id was passed on (a second listing is a duplicate report). */
  readonly execCounts: Map<string, number>;
  cancelRequested: boolean;
  /** Its request got no clear answer while the link went down: looked up when it is back. */
  unknownFate: boolean;
  createdAt: number;
  placed: Promise<void>;
};

type Held = { qty: number; avgPrice: number; positionId: string | null };

/** Fills are read this far before the oldest order they could belong to (the history filters by time). */
const fillsSlackMs = 2_000;
/** How far back a snapshot reads fills and closed positions when keel asks for everything. */
const historyDaysMax = 30;
/** The longest span one fill-history request covers, and its page size. */
const fillWindowMs = 7 * 86_400_000;
const fillPageSize = 1_000;
const fillPagesMax = 100;
const trackedOrdersMax = 100_000;
/** While the websocket is up the account is still polled this often (a stream can fall silent). */
const streamSafetyPollMs = 60_000;
const logLinesMax = 100_000;

export class CcxtVenue implements Venue {
  readonly name: string;
  readonly capabilities: VenueCapabilities = {
    combos: false,
    nativeBrackets: false,
    positionHistory: true,
    reduceOnly: true,
    marketOrders: true,
    // BingX: clientOrderID of 1-40 letters, digits, '_' and '-'.
    clientOrderId: { maxLength: 40, allowed: /^[A-Za-z0-9_-]+$/ },
    comboLegsMax: 1,
  };
  readonly market: QuoteBook;

  private readonly clock: Clock;
  private readonly exchange: Exchange;
  private readonly instruments = new Map<InstrumentId, { instrument: Instrument; symbol: string }>();
  private readonly byClientId = new Map<string, Tracked>();
  private readonly byVenueId = new Map<string, Tracked>();
  private readonly held = new Map<InstrumentId, Held>();
  private readonly quotes = new Map<InstrumentId, Quote>();
  private readonly watched = new Set<InstrumentId>();
  private readonly foreignExecs = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly taskWaiters: (() => void)[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private listener: VenueListener | null = null;
  private linkUp = false;
  private closed = true;
  private poller: ReturnType<typeof setInterval> | null = null;
  private logged = 0;
  private accountUid: string | null = null;
  /** Reads of the account (polls, a push's reads) one after another: never two at once. */
  private readLock: Promise<void> = Promise.resolve();
  private pollQueued: Promise<void> | null = null;
  private positionsQueued: Promise<void> | null = null;
  private lastPollAt = -Infinity;
  private streaming = false;
  private streamUp = false;
  private streamDownSince: number | null = null;
  /** Pushes of orders keel never placed, said once each. */
  private readonly foreignPushes = new Set<string>();

  constructor(private readonly options: CcxtVenueOptions) {
    const c = options.config;
    this.name = `ccxt:${c.exchange}`;
    this.clock = options.clock ?? { now: () => Date.now(), timeZone: fixedOffsetZone(0) };
    this.exchange = makeExchange(c, options);
    this.market = { spot: (s) => this.spot(s), quote: (id) => this.quote(id) };
  }

  // ---- session ----------------------------------------------------------------------------------

  async connect(): Promise<void> {
    const errors = ccxtConfigErrors(this.options.config);
    if (errors.length > 0) throw new Error(`ccxt: invalid config: ${errors.join('; ')}`);
    this.closed = false;
    // ccxt dials a plain ws:// url (a fake exchange on this machine) through an http agent it loads first.
    if (this.options.config.apiBaseUrl !== null) await this.exchange.loadHttpProxyAgent();
    await this.exchange.loadMarkets();
    this.accountUid = await this.readAccountUid();
    this.learnMarkets();
    await this.learnVenue();
    this.linkUp = true;
    this.log(
      `connected: ${describeCcxtConfig(this.options.config)}; ${this.instruments.size} perpetuals listed`,
    );
    const pollMs = this.pollMs;
    // Live, the watched tickers are read on the same beat (--through reads them per simulated instant);
    // the account while the websocket is down (or not used) or the REST link is judged down, and
    // once a minute while it is up (a stream can fall silent: BingX's listenKeyExpired).
    if (pollMs > 0)
      this.poller = setInterval(() => {
        const quiet = this.clock.now() - this.lastPollAt >= Math.max(streamSafetyPollMs, pollMs);
        if (!this.streamUp || !this.linkUp || quiet) void this.poll();
        void this.refreshQuotes();
      }, pollMs);
    const has = this.exchange.has as Record<string, unknown>;
    const canStream = has['watchOrders'] === true && has['watchPositions'] === true;
    if ((this.options.stream ?? canStream) && !canStream)
      this.log(
        `${this.options.config.exchange} has no websocket for orders and positions: polling every ${pollMs} ms`,
      );
    if ((this.options.stream ?? true) && canStream) this.startStream();
  }

  private get pollMs(): number {
    return this.options.pollMs ?? Math.max(1_000, 5 * (this.exchange.rateLimit ?? 100));
  }

  /** Whether the websocket is connected now (pushes arrive; the account is not polled). */
  get streamConnected(): boolean {
    return this.streamUp;
  }

  // ---- the websocket (ccxt.pro) -----------------------------------------------------------------

  private startStream(): void {
    this.streaming = true;
    const hooks = (this.exchange as unknown as GuardedExchange).streamHooks;
    hooks.connected = () => this.onStreamConnected();
    hooks.lost = (why) => this.onStreamLost(why);
    void this.watchLoop('orders');
    void this.watchLoop('positions');
  }

  /**
   * One watch after another for as long as the venue is open: each answer is the pushes since the
   * last. A watch that fails (the socket dropped, the listenKey refused) is tried again after a
   * doubling pause; ccxt dials again with its own back-off. Meanwhile the account is polled.
   */
  private async watchLoop(kind: 'orders' | 'positions'): Promise<void> {
    let failures = 0;
    while (!this.closed && this.streaming) {
      try {
        if (kind === 'orders') {
          const updates = await this.exchange.watchOrders();
          if (this.closed) return;
          failures = 0;
          const raws = updates.map((u) => u.info as unknown);
          void this.exclusive(() => this.onOrderPushes(raws));
        } else {
          await this.exchange.watchPositions();
          if (this.closed) return;
          failures = 0;
          void this.schedulePositions();
        }
      } catch (e) {
        if (this.closed) return;
        this.onStreamLost(errorText(e));
        await this.sleep(this.backoffMs(failures++));
      }
    }
  }

  /** Connected (again): the pushes flow; one poll reconciles whatever happened while they did not. */
  private onStreamConnected(): void {
    if (this.closed) return;
    const was = this.streamDownSince;
    this.streamUp = true;
    this.streamDownSince = null;
    this.log(
      was === null
        ? 'websocket connected: orders and positions are pushed'
        : 'websocket connected again: reconciling what it missed, then pushes only',
    );
    void this.poll();
  }

  private onStreamLost(why: string): void {
    if (this.closed || this.streamDownSince !== null) return;
    this.streamUp = false;
    this.streamDownSince = this.clock.now();
    const pollMs = this.pollMs;
    this.log(
      `websocket down (${why}): ${pollMs > 0 ? `polling every ${pollMs} ms` : 'polled on demand'} until it is back`,
    );
  }

  /** ORDER_TRADE_UPDATE pushes: the order's fills read by trade id, its end passed on, then positions. */
  private async onOrderPushes(raws: readonly unknown[]): Promise<void> {
    let traded = false;
    for (const raw of raws) {
      const push = readRecord(orderPushSchema, raw, 'order push');
      if (typeof push === 'string') {
        this.log(`${push}: the account is polled instead`);
        void this.poll();
        continue;
      }
      const order = this.byVenueId.get(push.i) ?? this.byKeelId(push.c);
      if (order === undefined) {
        if (!this.foreignPushes.has(push.i) && this.foreignPushes.size < trackedOrdersMax) {
          this.foreignPushes.add(push.i);
          this.log(`push of order ${push.i} (${push.s}), which keel did not place: not keel's`);
        }
        continue;
      }
      this.learnId(order, push.i);
      if (isOpenStatus(push.X)) {
        this.acceptOnce(order);
        if (push.z > order.filledQty) {
          traded = true;
          await this.catchUpFills(order, push.i);
        }
        continue;
      }
      if (push.z > order.filledQty) traded = true;
      await this.onOrderRecord(order, recordOfPush(push));
    }
    if (traded) void this.schedulePositions();
  }

  /** One positions read queued at a time: an ORDER_TRADE_UPDATE and its ACCOUNT_UPDATE share it. */
  private schedulePositions(): Promise<void> {
    if (this.positionsQueued) return this.positionsQueued;
    const run = this.exclusive(async () => {
      this.positionsQueued = null;
      await this.onPositionPush();
    });
    this.positionsQueued = run;
    return run;
  }

  /** ACCOUNT_UPDATE: the positions read with their ids (the push carries none). */
  private async onPositionPush(): Promise<void> {
    let positions: VenuePosition[];
    try {
      positions = await this.readPositions();
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      else this.log(`positions: ${errorText(e)}`);
      return;
    }
    // A position that moved by fills keel has not heard yet: those first.
    const due: Tracked[] = [];
    for (const p of positions) {
      if (this.held.get(p.instrumentId)?.qty === p.qty) continue;
      for (const t of this.byClientId.values())
        if (t.instrumentId === p.instrumentId && t.end === null && t.venueOrderId !== null) due.push(t);
    }
    for (const [id, h] of this.held)
      if (h.qty !== 0 && !positions.some((p) => p.instrumentId === id))
        for (const t of this.byClientId.values())
          if (t.instrumentId === id && t.end === null && t.venueOrderId !== null) due.push(t);
    if (due.length > 0) await this.catchUpFillsOf(due);
    this.onPositions(positions);
  }

  /** Reads of the account one after another (a poll, a push's reads); errors are logged. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.readLock.then(fn);
    this.readLock = run.then(
      () => undefined,
      () => undefined,
    );
    return this.track(run);
  }

  /**
   * The account traded, once connected: the exchange and the uid the keys belong to (`bingx-123`,
   * demo trading `bingx-demo-123`). A journal is one account's: other keys are refused at start.
   */
  get account(): string {
    assert(this.accountUid !== null, 'the ccxt venue names its account once connected');
    const c = this.options.config;
    return `${c.exchange}${c.sandbox ? '-demo' : ''}-${this.accountUid}`;
  }

  private async readAccountUid(): Promise<string> {
    const c = this.options.config;
    let raw: unknown;
    switch (c.exchange) {
      case 'bingx':
        raw = await (
          this.exchange as unknown as { accountV1PrivateGetUid(): Promise<unknown> }
        ).accountV1PrivateGetUid();
        break;
    }
    const read = readRecord(accountUidSchema, raw, 'an account uid');
    if (typeof read === 'string') throw new Error(`ccxt: ${c.exchange}: ${read}`);
    return read.data.uid;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.streaming = false;
    this.listener = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.tasks]);
    await this.exchange.close();
    (this.exchange as unknown as GuardedExchange).clearDelays();
  }

  subscribe(listener: VenueListener): () => void {
    assert(this.listener === null, 'the ccxt venue has one subscriber at a time');
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }

  isConnected(): boolean {
    return this.linkUp && !this.closed;
  }

  /** Work under way: orders, cancels, lookups, polls, reports waiting for their turn. */
  get tasksInFlight(): number {
    return this.tasks.size;
  }

  /** Resolves when the next piece of work ends. */
  nextTaskEnd(): Promise<void> {
    if (this.tasks.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.taskWaiters.push(resolve));
  }

  /** The account's margin balance in the settle currency (USDT). */
  async balance(): Promise<{ free: number; total: number }> {
    const b = await this.exchange.fetchBalance();
    const usdt = b['USDT'] as { free?: number; total?: number } | undefined;
    return { free: usdt?.free ?? 0, total: usdt?.total ?? usdt?.free ?? 0 };
  }

  private learnMarkets(): void {
    for (const m of Object.values(this.exchange.markets as Record<string, MarketInterface | undefined>)) {
      if (m === undefined || !m.swap || m.linear !== true || m.active === false) continue;
      if (typeof m.id !== 'string' || typeof m.symbol !== 'string') continue;
      const marketId = m.id;
      const tick = m.precision.price;
      const lot = m.precision.amount;
      if (typeof tick !== 'number' || typeof lot !== 'number' || !(tick > 0) || !(lot > 0)) {
        this.log(`market ${m.id}: no price or amount precision: not traded`);
        continue;
      }
      const instrument: Instrument = {
        id: InstrumentId.of(marketId),
        symbol: marketId,
        kind: 'future',
        expiry: null,
        multiplier: m.contractSize ?? 1,
        tick,
        lot,
      };
      this.instruments.set(instrument.id, { instrument, symbol: m.symbol });
    }
  }

  /** keel's working orders (by client order id) and the positions, before keel acts. */
  private async learnVenue(): Promise<void> {
    for (const o of await this.openOrders()) {
      const id = keelIdOf(o.clientOrderId ?? o.clientOrderID);
      if (id === null || this.byClientId.has(id)) continue;
      const t = this.trackOrder(id, this.specOf(o), InstrumentId.of(o.symbol), o.time);
      this.learnId(t, o.orderId);
      t.accepted = true;
      t.filledQty = o.executedQty;
      t.cash = o.executedQty * (o.avgPrice ?? 0);
    }
    for (const p of await this.readPositions()) this.held.set(p.instrumentId, heldOf(p));
  }

  // ---- orders -------------------------------------------------------------------------------------

  submit(spec: OrderSpec): void {
    const t = this.clock.now();
    const refuse = (reason: RejectReason, code: number, message: string) =>
      this.deferred({
        type: 'rejected',
        t,
        clientOrderId: spec.clientOrderId,
        venueOrderId: null,
        reason,
        code,
        message,
      });
    if (!this.isConnected())
      return refuse('notSent', 0, `not connected to ${this.options.config.exchange}: the order was not sent`);
    if (this.byClientId.has(spec.clientOrderId))
      return refuse(
        'duplicateId',
        0,
        `clientOrderId ${spec.clientOrderId} was already sent: it must be unique`,
      );
    if (this.byClientId.size >= trackedOrdersMax)
      return refuse('refused', 0, `more than ${trackedOrdersMax} orders this session: restart keel`);
    const leg = spec.legs[0];
    if (spec.legs.length !== 1 || leg === undefined)
      return refuse('unsupported', 0, `a combo of ${spec.legs.length} legs: a perpetual order has one leg`);
    const listed = this.instruments.get(leg.instrumentId);
    if (listed === undefined)
      return refuse(
        'unknownInstrument',
        0,
        `${leg.instrumentId} is not a perpetual listed at ${this.options.config.exchange}`,
      );
    const request = orderRequest(
      this.exchange,
      listed.symbol,
      spec,
      leg.side,
      this.options.config.positionMode,
    );
    if (!request.ok) return refuse(request.reason, 0, request.message);
    const order = this.trackOrder(spec.clientOrderId, spec, leg.instrumentId, t);
    order.placed = this.track(this.place(order, listed.symbol, request.request));
  }

  cancel(clientOrderId: ClientOrderId): void {
    const t = this.clock.now();
    const refuse = (reason: CancelRejectReason, detail: string) =>
      this.deferred({ type: 'cancelRejected', t, clientOrderId, reason, detail });
    if (!this.isConnected())
      return refuse('notSent', `not connected to ${this.options.config.exchange}: the cancel was not sent`);
    const order = this.byClientId.get(clientOrderId);
    if (order === undefined)
      return refuse(
        'unknownOrder',
        `no order ${clientOrderId} was sent this session or is working at the exchange`,
      );
    if (order.end !== null) return refuse('notWorking', `the order is ${order.end}`);
    order.cancelRequested = true;
    this.track(this.cancelAtVenue(order));
  }

  private trackOrder(
    clientOrderId: ClientOrderId,
    spec: OrderSpec | null,
    instrumentId: InstrumentId,
    createdAt: number,
  ): Tracked {
    const order: Tracked = {
      clientOrderId,
      spec,
      instrumentId,
      venueOrderId: null,
      accepted: false,
      end: null,
      filledQty: 0,
      cash: 0,
      execCounts: new Map(),
      cancelRequested: false,
      unknownFate: false,
      createdAt,
      placed: Promise.resolve(),
    };
    this.byClientId.set(clientOrderId, order);
    return order;
  }

  private learnId(order: Tracked, venueOrderId: string): void {
    assert(/^\d+$/.test(venueOrderId), `venue order id ${venueOrderId} is not digits`);
    if (order.venueOrderId === venueOrderId) return;
    order.venueOrderId = venueOrderId;
    this.byVenueId.set(venueOrderId, order);
  }

  /** Places the order; on an unclear answer it is looked up by client order id before any resend. */
  private async place(order: Tracked, symbol: string, request: OrderRequest): Promise<void> {
    const name = `order ${order.clientOrderId}`;
    const attemptsMax = this.options.retryAttemptsMax ?? 5;
    let lookFirst = false;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      if (this.closed) return;
      if (lookFirst) {
        const found = await this.lookUp(order);
        if (found === 'found') return;
        if (found === 'unknown') {
          if (!this.linkUp) return this.parkUnknown(order);
          await this.sleep(this.backoffMs(attempt));
          continue;
        }
        this.log(
          `${name}: ${this.options.config.exchange} has no order with this clientOrderId: sending it again with the same id`,
        );
      }
      let answer: unknown;
      try {
        answer = await this.exchange.createOrder(
          symbol,
          request.type,
          request.side,
          request.amount,
          request.price,
          request.params,
        );
      } catch (e) {
        const m = meaningOfFailure(e);
        if (m.kind === 'unknownFate') {
          this.log(`${name}: ${m.why}: looking it up by clientOrderId before any retry`);
          if (m.linkDown) this.linkFailed(m.why);
          if (!this.linkUp) return this.parkUnknown(order);
          lookFirst = true;
          await this.sleep(this.backoffMs(attempt) * (m.rateLimited ? 2 : 1));
          continue;
        }
        if (m.kind === 'refused' && m.reason === 'duplicateId' && lookFirst) {
          // The lookup did not find it, yet the exchange has this clientOrderId: the first one
          // arrived after all (its order book lagging the POST). Never a rejection: look again.
          this.log(`${name}: the resend was refused as a duplicate: the first one is at the exchange`);
          await this.sleep(this.backoffMs(attempt));
          continue;
        }
        return this.onRefused(order, m);
      }
      const info = (answer as { info?: unknown } | null)?.info;
      const id = (answer as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !/^\d+$/.test(id)) {
        this.log(
          `${name}: the answer carries no order id keel can read (${JSON.stringify(info ?? answer)?.slice(0, 200)}): looking it up by clientOrderId`,
        );
        lookFirst = true;
        continue;
      }
      this.learnId(order, id);
      return this.acceptOnce(order);
    }
    this.log(
      `${name}: no clear answer after ${attemptsMax} tries: not sent again; keel's reconciliation finds it by clientOrderId if the exchange has it`,
    );
  }

  /** The link went down with the order's fate unknown: looked up when it is back, before anything else. */
  private parkUnknown(order: Tracked): void {
    order.unknownFate = true;
    this.log(
      `order ${order.clientOrderId}: its fate is unknown while the link is down: looked up by clientOrderId when it is back`,
    );
  }

  private async lookUp(order: Tracked): Promise<'found' | 'absent' | 'unknown'> {
    const listed = this.instruments.get(order.instrumentId);
    if (!listed) return 'absent';
    try {
      const raw = await this.exchange.request('trade/order', ['swap', 'v2', 'private'], 'GET', {
        symbol: listed.instrument.symbol,
        clientOrderId: order.clientOrderId,
      });
      const rec = readRecord(
        orderRecordSchema,
        (raw as { data?: { order?: unknown } } | null)?.data?.order,
        'order record',
      );
      if (typeof rec === 'string') {
        this.log(`order ${order.clientOrderId}: lookup: ${rec}`);
        return 'unknown';
      }
      this.log(
        `order ${order.clientOrderId}: found at ${this.options.config.exchange} by clientOrderId (${rec.status}, id ${rec.orderId}): not sent again`,
      );
      this.learnId(order, rec.orderId);
      if (rec.status === 'FAILED') {
        this.ended(order, 'rejected', 'refused by the exchange');
        return 'found';
      }
      this.acceptOnce(order);
      return 'found';
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'notFound') return 'absent';
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      this.log(`order ${order.clientOrderId}: lookup by clientOrderId failed: ${errorText(e)}`);
      return 'unknown';
    }
  }

  private onRefused(order: Tracked, m: FailureMeaning): void {
    const [reason, code, message]: [RejectReason, number, string] =
      m.kind === 'refused'
        ? [m.reason, m.code, m.message]
        : m.kind === 'notFound'
          ? ['refused', m.code, m.message]
          : ['refused', 0, m.why];
    this.log(
      `order ${order.clientOrderId} refused by ${this.options.config.exchange}: ${code} ${message}${m.kind === 'refused' ? ` (${m.errorClass})` : ''}`,
    );
    order.end = 'rejected';
    this.push({
      type: 'rejected',
      t: this.clock.now(),
      clientOrderId: order.clientOrderId,
      venueOrderId: null,
      reason,
      code,
      message,
    });
  }

  private acceptOnce(order: Tracked): void {
    if (order.accepted || order.venueOrderId === null) return;
    order.accepted = true;
    const parent = order.spec?.parentClientOrderId ?? null;
    const parentId = parent === null ? null : (this.byClientId.get(parent)?.venueOrderId ?? null);
    this.push({
      type: 'accepted',
      t: this.clock.now(),
      clientOrderId: order.clientOrderId,
      venueOrderId: VenueOrderId.of(order.venueOrderId),
      parentVenueOrderId: parentId === null ? null : VenueOrderId.of(parentId),
    });
  }

  private async cancelAtVenue(order: Tracked): Promise<void> {
    const refuse = (reason: CancelRejectReason, detail: string) => {
      order.cancelRequested = false;
      this.push({
        type: 'cancelRejected',
        t: this.clock.now(),
        clientOrderId: order.clientOrderId,
        reason,
        detail,
      });
    };
    await order.placed;
    const listed = this.instruments.get(order.instrumentId);
    if (!listed) return refuse('unknownOrder', 'not a listed perpetual');
    if (order.venueOrderId === null && (await this.lookUp(order)) !== 'found')
      return refuse('unknownOrder', `${this.options.config.exchange} has no order with this clientOrderId`);
    const id = order.venueOrderId;
    if (id === null) return refuse('unknownOrder', 'no exchange order id');
    const attemptsMax = this.options.retryAttemptsMax ?? 5;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      if (this.closed) return;
      try {
        const answer = await this.exchange.cancelOrder(id, listed.symbol);
        const rec = readRecord(orderRecordSchema, (answer as { info?: unknown }).info, 'cancelled order');
        if (typeof rec === 'string') {
          this.log(`cancel of ${order.clientOrderId}: ${rec}: the next poll reads the order`);
          return;
        }
        return await this.onOrderRecord(order, rec);
      } catch (e) {
        const m = meaningOfFailure(e);
        if (m.kind === 'unknownFate') {
          if (m.linkDown) this.linkFailed(m.why);
          if (!this.linkUp) return refuse('notSent', `no answer to the cancel (${m.why}); the link is down`);
          this.log(`cancel of ${order.clientOrderId}: ${m.why}: trying again (a cancel is safe to repeat)`);
          await this.sleep(this.backoffMs(attempt));
          continue;
        }
        // Not cancelled: the order record says why (filled, already ended, never there).
        const rec = await this.orderRecord(order);
        if (rec !== null && !isOpenStatus(rec.status)) {
          await this.onOrderRecord(order, rec);
          return refuse(
            'notWorking',
            `${m.kind === 'refused' ? `${m.code} ${m.message}` : 'not found'}: the order is ${rec.status}`,
          );
        }
        return refuse(m.kind === 'notFound' ? 'unknownOrder' : 'refused', `${m.code} ${m.message}`);
      }
    }
    refuse('refused', `no answer to the cancel after ${attemptsMax} tries`);
  }

  private async orderRecord(order: Tracked): Promise<OrderRecord | null> {
    const listed = this.instruments.get(order.instrumentId);
    if (!listed || order.venueOrderId === null) return null;
    try {
      const o = await this.exchange.fetchOrder(order.venueOrderId, listed.symbol);
      const rec = readRecord(orderRecordSchema, o.info, 'order record');
      if (typeof rec === 'string') {
        this.log(`order ${order.clientOrderId}: ${rec}`);
        return null;
      }
      return rec;
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      if (m.kind !== 'notFound') this.log(`order ${order.clientOrderId}: ${errorText(e)}`);
      return null;
    }
  }

  /** An order record (a cancel's answer, a lookup): its end is passed on once its fills are. */
  private async onOrderRecord(order: Tracked, rec: OrderRecord): Promise<void> {
    this.learnId(order, rec.orderId);
    if (isOpenStatus(rec.status)) return;
    if (rec.executedQty > order.filledQty) await this.catchUpFills(order);
    if (rec.executedQty > order.filledQty) {
      this.log(
        `order ${order.clientOrderId} is ${rec.status} with ${rec.executedQty} filled, keel has heard ${order.filledQty}: its end waits for the fills`,
      );
      return;
    }
    switch (rec.status) {
      case 'FILLED':
        order.end = 'filled';
        return;
      case 'EXPIRED':
        return this.ended(order, 'expired', 'expired at the exchange');
      case 'FAILED':
        return this.ended(order, 'rejected', 'refused by the exchange');
      default:
        return this.ended(
          order,
          order.cancelRequested ? 'requested' : 'venue',
          `${rec.status} at the exchange`,
        );
    }
  }

  private ended(order: Tracked, how: 'requested' | 'venue' | 'expired' | 'rejected', detail: string): void {
    if (order.end !== null) return;
    const t = this.clock.now();
    if (how === 'rejected') {
      order.end = 'rejected';
      this.push({
        type: 'rejected',
        t,
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId === null ? null : VenueOrderId.of(order.venueOrderId),
        reason: 'refused',
        code: 0,
        message: detail,
      });
      return;
    }
    order.end = how === 'expired' ? 'expired' : 'cancelled';
    const qty = order.spec?.qty ?? order.filledQty;
    this.push({
      type: 'cancelled',
      t,
      clientOrderId: order.clientOrderId,
      venueOrderId: order.venueOrderId === null ? null : VenueOrderId.of(order.venueOrderId),
      remainingQty: roundQty(Math.max(0, qty - order.filledQty)),
      reason: how,
      detail,
    });
  }

  // ---- polling ------------------------------------------------------------------------------------

  /**
   * Reads the account once and passes on what changed. Reads take turns: a poll asked for while
   * one runs is queued (once) behind it, so a change after the running poll read is not missed.
   */
  poll(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.pollQueued) return this.pollQueued;
    const run = this.exclusive(async () => {
      this.pollQueued = null;
      this.lastPollAt = this.clock.now();
      await this.pollOnce();
    });
    this.pollQueued = run;
    return run;
  }

  private async pollOnce(): Promise<void> {
    const wasDown = !this.linkUp;
    let open: OrderRecord[];
    let positions: VenuePosition[];
    try {
      open = await this.openOrders();
      positions = await this.readPositions();
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      else this.log(`poll: ${errorText(e)}`);
      return;
    }
    if (wasDown) await this.catchUpUnknown();
    const openIds = new Set(open.map((o) => o.orderId));
    const due: Tracked[] = [];
    for (const o of open) {
      const t = this.byVenueId.get(o.orderId);
      if (t && o.executedQty > t.filledQty) due.push(t);
    }
    const gone: Tracked[] = [];
    for (const t of this.byClientId.values())
      if (t.end === null && t.venueOrderId !== null && !openIds.has(t.venueOrderId)) gone.push(t);
    await this.catchUpFillsOf([...due, ...gone]);
    this.onPositions(positions);
    for (const t of gone) {
      const rec = await this.orderRecord(t);
      if (rec !== null) await this.onOrderRecord(t, rec);
    }
    if (wasDown && !this.linkUp && !this.closed) {
      this.linkUp = true;
      this.log('the exchange answers again and keel has caught up: keel reconciles before trading again');
      this.push({ type: 'connection', t: this.clock.now(), up: true, dataLost: true });
    }
  }

  /** Orders whose request got no answer while the link dropped: found by clientOrderId, or not sent. */
  private async catchUpUnknown(): Promise<void> {
    for (const t of this.byClientId.values()) {
      if (!t.unknownFate) continue;
      const found = await this.lookUp(t);
      if (found === 'unknown') continue;
      t.unknownFate = false;
      if (found === 'absent') {
        this.log(
          `order ${t.clientOrderId}: not at ${this.options.config.exchange} after the link returned: it was never placed`,
        );
        t.end = 'rejected';
        this.push({
          type: 'rejected',
          t: this.clock.now(),
          clientOrderId: t.clientOrderId,
          venueOrderId: null,
          reason: 'notSent',
          code: 0,
          message: 'the order never reached the exchange (the link dropped while it was sent)',
        });
      }
    }
  }

  /** The fills of one order keel has not passed on (by its exchange id when known: one request). */
  private async catchUpFills(
    order: Tracked,
    venueOrderId: string | null = order.venueOrderId,
  ): Promise<void> {
    if (venueOrderId === null) return this.catchUpFillsOf([order]);
    const fills = await this.fillRecords(order.instrumentId, order.createdAt - fillsSlackMs, venueOrderId);
    if (fills !== null) this.passOnFills(fills);
  }

  /** The fills of these orders the exchange lists and keel has not passed on, in time order. */
  private async catchUpFillsOf(orders: readonly Tracked[]): Promise<void> {
    const bySymbol = new Map<InstrumentId, number>();
    for (const o of orders)
      bySymbol.set(o.instrumentId, Math.min(bySymbol.get(o.instrumentId) ?? Infinity, o.createdAt));
    for (const [instrumentId, since] of bySymbol) {
      const fills = await this.fillRecords(instrumentId, since - fillsSlackMs);
      if (fills === null) return;
      this.passOnFills(fills);
    }
  }

  private passOnFills(fills: readonly { rec: FillRecord; t: number }[]): void {
    const listed = new Map<string, number>();
    for (const { rec, t } of [...fills].sort((a, b) => a.t - b.t)) {
      const execId = execIdOf(rec);
      const n = (listed.get(execId) ?? 0) + 1;
      listed.set(execId, n);
      const order = this.byVenueId.get(rec.orderId);
      if (order === undefined) {
        if (!this.foreignExecs.has(execId)) {
          this.foreignExecs.add(execId);
          this.log(
            `fill ${execId} (${rec.side} ${rec.qty} ${rec.symbol} @ ${rec.price}) of order ${rec.orderId}, which keel did not place: not keel's`,
          );
        }
        continue;
      }
      if ((order.execCounts.get(execId) ?? 0) >= n) continue;
      this.learnId(order, rec.orderId);
      this.applyFill(order, execId, rec, t, n > 1);
    }
  }

  private byKeelId(clientOrderId: string | undefined): Tracked | undefined {
    const id = keelIdOf(clientOrderId);
    return id === null ? undefined : this.byClientId.get(id);
  }

  private applyFill(order: Tracked, execId: string, rec: FillRecord, t: number, repeat: boolean): void {
    this.acceptOnce(order);
    order.execCounts.set(execId, (order.execCounts.get(execId) ?? 0) + 1);
    if (!repeat) {
      order.filledQty = roundQty(order.filledQty + rec.qty);
      order.cash += rec.qty * rec.price;
    } else this.log(`execution ${execId} listed again: passed on once more, counted once`);
    this.push({
      type: 'fill',
      t: this.clock.now(),
      fill: {
        execId: ExecId.of(execId),
        clientOrderId: order.clientOrderId,
        venueOrderId: VenueOrderId.of(rec.orderId),
        instrumentId: order.instrumentId,
        side: rec.side,
        qty: rec.qty,
        price: rec.price,
        commission: toMicros(Math.abs(rec.commission)),
        comboExecId: null,
        venuePositionId: null,
        t,
      },
    });
    if (!repeat && order.spec !== null && order.filledQty >= order.spec.qty) order.end = 'filled';
  }

  private onPositions(positions: readonly VenuePosition[]): void {
    const t = this.clock.now();
    const seen = new Set<InstrumentId>();
    for (const p of positions) {
      seen.add(p.instrumentId);
      const before = this.held.get(p.instrumentId);
      const now = heldOf(p);
      if (
        before &&
        before.qty === now.qty &&
        before.avgPrice === now.avgPrice &&
        before.positionId === now.positionId
      )
        continue;
      this.held.set(p.instrumentId, now);
      this.push({
        type: 'position',
        t,
        instrumentId: p.instrumentId,
        qty: p.qty,
        avgPrice: p.avgPrice,
        venuePositionId: p.venuePositionId,
      });
    }
    for (const [id, h] of [...this.held]) {
      if (seen.has(id) || h.qty === 0) continue;
      this.held.set(id, { qty: 0, avgPrice: 0, positionId: null });
      this.push({ type: 'position', t, instrumentId: id, qty: 0, avgPrice: 0, venuePositionId: null });
    }
  }

  /** A request that got no answer at all: keel hears the link is down until a poll is answered. */
  private linkFailed(why: string): void {
    if (!this.linkUp || this.closed) return;
    this.linkUp = false;
    this.log(`${why}: the link is down; nothing is sent until the exchange answers again`);
    this.push({ type: 'connection', t: this.clock.now(), up: false });
  }

  // ---- reads ----------------------------------------------------------------------------------------

  private async openOrders(): Promise<OrderRecord[]> {
    const list = await this.exchange.fetchOpenOrders();
    const out: OrderRecord[] = [];
    for (const o of list) {
      const rec = readRecord(orderRecordSchema, o.info, 'open order');
      if (typeof rec === 'string') throw new Error(`${this.options.config.exchange}: ${rec}`);
      out.push(rec);
    }
    return out;
  }

  private async readPositions(): Promise<VenuePosition[]> {
    const list = await this.exchange.fetchPositions();
    const out: VenuePosition[] = [];
    for (const p of list) {
      const rec = readRecord(positionRecordSchema, p.info, 'position');
      if (typeof rec === 'string') throw new Error(`${this.options.config.exchange}: ${rec}`);
      if (rec.positionAmt === 0) continue;
      const size = Math.abs(rec.positionAmt);
      const qty =
        rec.positionSide === 'SHORT' || (rec.positionSide === 'BOTH' && rec.positionAmt < 0) ? -size : size;
      if (!this.instruments.has(InstrumentId.of(rec.symbol)))
        this.log(`position in ${rec.symbol}, which keel does not trade: shown, never touched`);
      out.push({
        instrumentId: InstrumentId.of(rec.symbol),
        qty,
        avgPrice: Math.round(rec.avgPrice * 1e6) / 1e6,
        venuePositionId: rec.positionId === '' ? null : VenuePositionId.of(rec.positionId),
      });
    }
    return out;
  }

  /**
   * The exchange's fills of one market (of one order when `orderId` is given) from `since`, read
   * from BingX's fill history (`fillHistory`), which names each fill by its trade id. It serves
   * windows of at most 7 days, a page of at most 1,000 fills at a time: a longer span is read window
   * by window, page by page. Null: the error was logged and the link judged.
   */
  private async fillRecords(
    instrumentId: InstrumentId,
    since: number,
    orderId?: string,
  ): Promise<{ rec: FillRecord; t: number }[] | null> {
    const listed = this.instruments.get(instrumentId);
    if (!listed) return [];
    const exchange = this.options.config.exchange;
    const until = this.clock.now() + fillsSlackMs;
    try {
      const out: { rec: FillRecord; t: number }[] = [];
      for (let from = Math.max(0, since); from <= until; from += fillWindowMs) {
        const to = Math.min(until, from + fillWindowMs - 1);
        for (let page = 1; ; page++) {
          const raw = await (
            this.exchange as unknown as { swapV2PrivateGetTradeFillHistory(p: object): Promise<unknown> }
          ).swapV2PrivateGetTradeFillHistory({
            symbol: listed.instrument.symbol,
            startTs: from,
            endTs: to,
            pageIndex: page,
            pageSize: fillPageSize,
            ...(orderId === undefined ? {} : { orderId }),
          });
          const read = readRecord(fillHistoryPageSchema, raw, 'a fill history page');
          if (typeof read === 'string') throw new Error(`${exchange}: ${read}`);
          const list = read.data.fill_history_orders ?? [];
          for (const item of list) {
            const rec = readRecord(fillRecordSchema, item, 'fill');
            if (typeof rec === 'string') throw new Error(`${exchange}: ${rec}`);
            const t = fillTimeOf(rec);
            if (t === null)
              throw new Error(
                `${exchange}: fill ${rec.tradeId} of order ${rec.orderId}: filledTime '${rec.filledTime}' is not a time`,
              );
            out.push({ rec, t });
          }
          if (list.length < fillPageSize) break;
          if (page >= fillPagesMax)
            throw new Error(
              `${exchange}: more than ${fillPagesMax * fillPageSize} fills in 7 days of ${instrumentId}`,
            );
        }
      }
      return out;
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      else this.log(`fills of ${instrumentId}: ${errorText(e)}`);
      return null;
    }
  }

  // ---- snapshot -----------------------------------------------------------------------------------

  async snapshot(request: SnapshotRequest = { executionsSince: null }): Promise<VenueSnapshot> {
    if (!this.isConnected())
      throw new Error(`ccxt: no snapshot while the link to ${this.options.config.exchange} is down`);
    const now = this.clock.now();
    const open = await this.openOrders();
    const positions = await this.readPositions();
    const markets = new Set<InstrumentId>([...this.watched, ...positions.map((p) => p.instrumentId)]);
    for (const t of this.byClientId.values()) markets.add(t.instrumentId);
    for (const o of open) markets.add(InstrumentId.of(o.symbol));
    const since = request.executionsSince ?? now - historyDaysMax * 86_400_000;
    const executions: VenueExecution[] = [];
    const positionHistory: VenuePositionHistoryRecord[] = [];
    for (const id of [...markets].sort()) {
      if (!this.instruments.has(id)) continue;
      const fills = await this.fillRecords(id, since - fillsSlackMs);
      if (fills === null) throw new Error(`ccxt: the fills of ${id} could not be read: no snapshot`);
      const seen = new Set<string>();
      for (const { rec, t } of fills) {
        const execId = execIdOf(rec);
        if (
          seen.has(execId) ||
          (request.executionsSince !== null && t < request.executionsSince - fillsSlackMs)
        )
          continue;
        seen.add(execId);
        executions.push({
          execId: ExecId.of(execId),
          clientOrderId: this.byVenueId.get(rec.orderId)?.clientOrderId ?? null,
          venueOrderId: VenueOrderId.of(rec.orderId),
          instrumentId: id,
          side: rec.side,
          qty: rec.qty,
          price: rec.price,
          commission: toMicros(Math.abs(rec.commission)),
          comboExecId: null,
          venuePositionId: null,
          t,
        });
      }
      positionHistory.push(...(await this.positionHistoryOf(id, now - historyDaysMax * 86_400_000)));
    }
    if (!this.isConnected()) throw new Error('ccxt: the link dropped while the snapshot was read');
    return {
      t: now,
      orders: await this.orderStatuses(open),
      positions,
      executions: executions.sort((a, b) => a.t - b.t),
      settlements: [],
      positionHistory,
    };
  }

  private async orderStatuses(open: readonly OrderRecord[]): Promise<VenueOrderStatus[]> {
    const out: VenueOrderStatus[] = [];
    const listed = new Set<string>();
    for (const o of open) {
      listed.add(o.orderId);
      const tracked = this.byVenueId.get(o.orderId) ?? this.byKeelId(o.clientOrderId ?? o.clientOrderID);
      out.push({
        clientOrderId: tracked?.clientOrderId ?? keelIdOf(o.clientOrderId ?? o.clientOrderID),
        venueOrderId: VenueOrderId.of(o.orderId),
        spec: tracked?.spec ?? this.specOf(o),
        status: 'working',
        filledQty: o.executedQty,
        remainingQty: roundQty(Math.max(0, o.origQty - o.executedQty)),
        parentVenueOrderId: this.parentIdOf(tracked),
        avgFillPrice: o.executedQty > 0 ? (o.avgPrice ?? null) : null,
      });
    }
    for (const t of this.byClientId.values()) {
      if (t.venueOrderId === null || listed.has(t.venueOrderId)) continue;
      const rec = t.end === null ? await this.orderRecord(t) : null;
      out.push({
        clientOrderId: t.clientOrderId,
        venueOrderId: VenueOrderId.of(t.venueOrderId),
        spec: t.spec,
        status: rec !== null ? statusOf(rec.status) : (t.end ?? 'working'),
        filledQty: rec?.executedQty ?? t.filledQty,
        remainingQty: 0,
        parentVenueOrderId: this.parentIdOf(t),
        avgFillPrice: t.filledQty > 0 ? Math.round((t.cash / t.filledQty) * 1e6) / 1e6 : null,
      });
    }
    return out;
  }

  private async positionHistoryOf(id: InstrumentId, since: number): Promise<VenuePositionHistoryRecord[]> {
    const listed = this.instruments.get(id);
    if (!listed) return [];
    const list = await this.exchange.fetchPositionHistory(listed.symbol, since, undefined, {
      until: this.clock.now() + fillsSlackMs,
    });
    const out: VenuePositionHistoryRecord[] = [];
    for (const p of list) {
      const rec = readRecord(positionHistorySchema, p.info, 'closed position');
      if (typeof rec === 'string') throw new Error(`${this.options.config.exchange}: ${rec}`);
      const commission =
        rec.positionCommission === undefined
          ? undefined
          : (Math.abs(amountToMicros(rec.positionCommission)) as Micros);
      const funding =
        rec.totalFunding === undefined ? undefined : (amountToMicros(rec.totalFunding) as Micros);
      out.push({
        venuePositionId: VenuePositionId.of(rec.positionId),
        instrumentId: id,
        qty: Math.abs(rec.closePositionAmt ?? rec.positionAmt),
        ...(rec.positionSide === 'BOTH' ? {} : { side: rec.positionSide }),
        ...(commission === undefined ? {} : { commission }),
        ...(funding === undefined ? {} : { funding }),
        avgPrice: rec.avgPrice,
        avgClosePrice: rec.avgClosePrice,
        realisedPnl: amountToMicros(rec.realisedProfit) as Micros,
        netPnl: amountToMicros(rec.netProfit) as Micros,
        openedAt: rec.openTime,
        closedAt: rec.updateTime,
      });
    }
    return out;
  }

  private parentIdOf(t: Tracked | undefined): VenueOrderId | null {
    const parent = t?.spec?.parentClientOrderId ?? null;
    const id = parent === null ? null : (this.byClientId.get(parent)?.venueOrderId ?? null);
    return id === null ? null : VenueOrderId.of(id);
  }

  /** The order as keel would have sent it, rebuilt from the exchange's record (an order from before a restart). */
  private specOf(o: OrderRecord): OrderSpec | null {
    const id = keelIdOf(o.clientOrderId ?? o.clientOrderID);
    if (id === null || !this.instruments.has(InstrumentId.of(o.symbol))) return null;
    return specOfRecord(id, InstrumentId.of(o.symbol), o);
  }

  // ---- instruments --------------------------------------------------------------------------------

  resolveInstrument(terms: InstrumentTerms): MaybePromise<ResolveResult> {
    if ('strike' in terms)
      return { ok: false, reason: `${this.options.config.exchange} perpetuals have no options` };
    if (terms.kind !== undefined && terms.kind !== 'future')
      return {
        ok: false,
        reason: `${terms.symbol}: ${this.options.config.exchange} lists perpetual futures here, not ${terms.kind}`,
      };
    const id = InstrumentId.parse(terms.symbol.replace('/', '-').replace(/:.*$/, ''));
    const listed = id.ok ? this.instruments.get(id.value) : undefined;
    if (!listed)
      return {
        ok: false,
        reason: `'${terms.symbol}' is not a perpetual listed at ${this.options.config.exchange} (e.g. BTC-USDT)`,
      };
    return { ok: true, instrument: listed.instrument };
  }

  instrument(id: InstrumentId): Instrument | null {
    return this.instruments.get(id)?.instrument ?? null;
  }

  optionChain(): readonly Instrument[] {
    return [];
  }

  // ---- market data ---------------------------------------------------------------------------------

  watch(instrumentIds: readonly InstrumentId[]): void {
    for (const id of instrumentIds) if (this.instruments.has(id)) this.watched.add(id);
  }

  /** Reads the ticker of every watched market (one request). */
  async refreshQuotes(): Promise<void> {
    if (this.watched.size === 0 || !this.isConnected()) return;
    const symbols = [...this.watched].flatMap((id) => {
      const s = this.instruments.get(id)?.symbol;
      return s === undefined ? [] : [s];
    });
    try {
      const tickers = await this.exchange.fetchTickers(symbols);
      const t = this.clock.now();
      for (const id of this.watched) {
        const s = this.instruments.get(id)?.symbol;
        const tk = s === undefined ? undefined : tickers[s];
        const bid = tk?.bid;
        const ask = tk?.ask;
        if (typeof bid === 'number' && typeof ask === 'number' && bid > 0 && ask >= bid)
          this.quotes.set(id, { bid, ask, mid: Math.round(((bid + ask) / 2) * 1e6) / 1e6, t });
        else this.quotes.delete(id);
      }
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'unknownFate' && m.linkDown) this.linkFailed(m.why);
      else this.log(`tickers: ${errorText(e)}`);
    }
  }

  private quote(id: InstrumentId): Quote | null {
    this.watch([id]);
    return this.quotes.get(id) ?? null;
  }

  private spot(symbol: string): number | null {
    const r = this.resolveInstrument({ symbol });
    if (!('ok' in r) || !r.ok) return null;
    return this.quote(r.instrument.id)?.mid ?? null;
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  private push(e: VenueEvent): void {
    if (!this.closed) this.listener?.(e);
  }

  /** A client-side report: after the caller's turn, never inside it. */
  private deferred(e: VenueEvent): void {
    this.track(
      new Promise<void>((resolve) =>
        setImmediate(() => {
          this.push(e);
          resolve();
        }),
      ),
    );
  }

  private track(p: Promise<void>): Promise<void> {
    const settled = p.then(
      () => undefined,
      (e: unknown) => this.log(`unexpected: ${errorText(e)}`),
    );
    this.tasks.add(settled);
    void settled.then(() => {
      this.tasks.delete(settled);
      for (const w of this.taskWaiters.splice(0)) w();
    });
    return settled;
  }

  private backoffMs(attempt: number): number {
    const base = this.options.retryBaseMs ?? Math.max(250, this.exchange.rateLimit ?? 100);
    return Math.min(30_000, base * 2 ** attempt);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private log(line: string): void {
    if (this.logged++ === logLinesMax)
      this.options.log?.('ccxt: log line budget reached; further lines dropped');
    if (this.logged > logLinesMax) return;
    this.options.log?.(`ccxt ${this.options.config.exchange}: ${line}`);
  }
}

/** The exchange client: ccxt.pro's class, its urls pointed at `apiBaseUrl` when set, its answers guarded. */
function makeExchange(c: CcxtConfig, o: CcxtVenueOptions): Exchange {
  const Guarded = guardedClass(c.exchange);
  const exchange = new Guarded({
    apiKey: c.apiKey,
    secret: c.secret,
    enableRateLimit: o.enableRateLimit ?? true,
    timeout: o.requestTimeoutMs ?? 10_000,
    options: {
      defaultType: c.marketType,
      marginMode: c.marginMode,
      // The positions are read (with their ids) at every (re)connect; ccxt need not read them too.
      watchPositions: { fetchPositionsSnapshot: false, awaitPositionsSnapshot: false },
      ws: {
        ...(o.streamBackoffMs === undefined ? {} : { backoff: { base: o.streamBackoffMs } }),
        ...(o.streamConnectTimeoutMs === undefined ? {} : { connectionTimeout: o.streamConnectTimeoutMs }),
      },
    },
  });
  if (c.sandbox) exchange.setSandboxMode(true);
  if (c.apiBaseUrl !== null) {
    const api = exchange.urls['api'] as Record<string, unknown>;
    const ws = `${c.apiBaseUrl.replace(/^http/, 'ws').replace(/^(wss?:\/\/[^/]+).*$/, '$1')}/swap-market`;
    for (const key of Object.keys(api)) api[key] = key === 'ws' ? { linear: ws } : c.apiBaseUrl;
  }
  return exchange;
}

/** What the adapter hears of the websocket, and the timers ccxt set (cleared when it closes). */
type GuardedExchange = Exchange & {
  readonly streamHooks: { connected: () => void; lost: (why: string) => void };
  clearDelays(): void;
};

/**
 * ccxt.pro's class with guards: an answer that is not the exchange's JSON envelope (a truncated
 * body, HTML from a proxy, `{"code":0}` without data) is a BadResponse, never read as an empty
 * list (the listenKey endpoint, which BingX answers bare, excepted); the websocket's connects and
 * losses are told to the adapter; ccxt's delayed calls (the listenKey's hourly renewal) are
 * cleared at close rather than holding the process open.
 */
function guardedClass(id: CcxtConfig['exchange']) {
  const Base = ccxt.pro[id];
  return class extends Base {
    readonly streamHooks: { connected: () => void; lost: (why: string) => void } = {
      connected: () => undefined,
      lost: () => undefined,
    };
    private readonly delays = new Set<ReturnType<typeof setTimeout>>();

    override delay(timeout: number, method: unknown, ...args: unknown[]): void {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        this.spawn(method, ...args);
      }, timeout);
      timer.unref();
      this.delays.add(timer);
    }

    clearDelays(): void {
      for (const t of this.delays) clearTimeout(t);
      this.delays.clear();
    }

    override onConnected(client: unknown, message?: unknown): void {
      super.onConnected(client, message);
      this.streamHooks.connected();
    }

    override onError(client: unknown, error: unknown): void {
      super.onError(client, error);
      this.streamHooks.lost(errorText(error));
    }

    override onClose(client: unknown, error: unknown): void {
      super.onClose(client, error);
      this.streamHooks.lost('the connection closed');
    }

    override handleErrors(
      httpCode: number,
      reason: string,
      url: string,
      method: string,
      headers: Record<string, string>,
      body: string,
      response: unknown,
      requestHeaders: unknown,
      requestBody: unknown,
    ) {
      const said = super.handleErrors(
        httpCode,
        reason,
        url,
        method,
        headers,
        body,
        response,
        requestHeaders,
        requestBody,
      );
      if (httpCode >= 300 || url.includes('/user/auth/userDataStream')) return said;
      const envelope =
        typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : null;
      if (envelope === null || !('data' in envelope) || envelope['data'] === null)
        throw new ccxt.BadResponse(
          `${id} ${method} ${url.split('?')[0] ?? ''}: a malformed answer: ${body.slice(0, 200)}`,
        );
      return said;
    }
  };
}

/** keel's ids only: BingX's own ids and empty strings are not keel's. */
function keelIdOf(clientOrderId: string | undefined): ClientOrderId | null {
  if (clientOrderId === undefined || clientOrderId === '') return null;
  const r = ClientOrderId.parse(clientOrderId);
  return r.ok ? r.value : null;
}

/**
 * An execution is named by BingX's trade id (`fillHistory`'s `tradeId`): two fills of one order in
 * the same millisecond at the same price and size stay two. The same listing twice gives the same id.
 */
function execIdOf(rec: FillRecord): string {
  return rec.tradeId;
}

/** An order push as the order record it stands for (BingX spells CANCELED in pushes, CANCELLED in records). */
function recordOfPush(p: OrderPush): OrderRecord {
  return {
    symbol: p.s,
    orderId: p.i,
    side: p.S,
    type: p.o,
    origQty: p.q,
    executedQty: p.z,
    ...(p.ap === undefined ? {} : { avgPrice: p.ap }),
    status: p.X === 'CANCELED' ? 'CANCELLED' : p.X,
    time: p.T ?? 0,
    ...(p.c === undefined ? {} : { clientOrderId: p.c }),
  };
}

function heldOf(p: VenuePosition): Held {
  return { qty: p.qty, avgPrice: p.avgPrice, positionId: p.venuePositionId };
}

function isOpenStatus(status: string): boolean {
  return status === 'NEW' || status === 'PENDING' || status === 'PARTIALLY_FILLED' || status === 'RUNNING';
}

function statusOf(status: string): VenueOrderStatus['status'] {
  if (isOpenStatus(status)) return 'working';
  if (status === 'FILLED') return 'filled';
  if (status === 'EXPIRED') return 'expired';
  if (status === 'FAILED') return 'rejected';
  return 'cancelled';
}

function roundQty(q: number): number {
  return Math.round(q * 1e9) / 1e9;
}

/** An error's text for the log, without the listenKey (errors.ts). */
function errorText(e: unknown): string {
  return withoutListenKey(e instanceof Error ? e.message : String(e));
}

export type { Side };
