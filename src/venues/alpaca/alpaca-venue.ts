// The Alpaca venue: keel's Venue contract over Alpaca's REST API and its trade_updates websocket,
// through @alpacahq/alpaca-trade-api. Orders go out with keel's id as client_order_id; what Alpaca
// says (HTTP error bodies, trade_updates events, order records, FILL activities) becomes keel's
// typed events here and nowhere else. Events leave from the stream's and the HTTP answers'
// callbacks, never from inside submit() or cancel(). An order whose POST had no clear answer
// (429, 5xx, a timeout, a malformed body) is looked up by its client order id before it is ever
// sent again, and a resend reuses the same id, which Alpaca refuses twice: never a double order.
// While the stream is down keel is told the link is down and nothing is sent; on its return the
// fills Alpaca recorded meanwhile (FILL activities) and the orders that ended are caught up through
// REST before keel is told the link is up. Time stamps come from the injected clock.
import {
  assert,
  ClientOrderId,
  ExecId,
  fixedOffsetZone,
  InstrumentId,
  toMicros,
  VenueOrderId,
  type Clock,
  type Instrument,
  type InstrumentTerms,
  type OrderSpec,
  type OrderType,
  type Side,
  type TimeInForce,
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
  VenueSnapshot,
} from '../venue';
import { AlpacaClient, type AlpacaMlegRequest, type AlpacaOrderRequest } from './client';

/** What an order POST sends: one order (simple, oco), or a multi-leg one. */
type PostRequest = { readonly mleg: AlpacaMlegRequest };
import { alpacaConfigErrors, describeAlpacaConfig, type AlpacaConfig } from './config';
import { meaningOfCancelFailure, meaningOfFailure, type FailureMeaning } from './errors';
import {
  accountSchema,
  assetSchema,
  fillActivitySchema,
  isUuid,
  optionContractSchema,
  optionContractsPageSchema,
  optionSnapshotsSchema,
  orderSchema,
  positionSchema,
  readAs,
  stockSnapshotsSchema,
  tradeUpdateSchema,
  type AlpacaAccount,
  type AlpacaFillActivity,
  type AlpacaOptionContract,
  type AlpacaOrder,
  type AlpacaTradeUpdate,
} from './wire';
import { streaming } from '@alpacahq/alpaca-trade-api';
import { z } from 'zod';

export type AlpacaVenueOptions = {
  readonly config: AlpacaConfig;
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Tries of one order or cancel after an ambiguous answer (each after a lookup by client order id). */
  readonly retryAttemptsMax?: number;
  /** First back-off after a 429 / 5xx / timeout; doubles per try (a Retry-After header wins). */
  readonly retryBaseMs?: number;
  /** Requests a minute the client lets out (Alpaca allows 200); null: no limit (a loopback fake). */
  readonly requestsPerMinute?: number | null;
  /** Wait before the stream reconnects (it doubles from 1 s up). */
  readonly streamReconnectMs?: number;
  /** How often watched quotes are read (0: only on refreshQuotes(), as `keel sim --through` does). */
  readonly quotePollMs?: number;
  /** How often the account (equity, buying power) is read again after connect (0: only at connect). */
  readonly accountPollMs?: number;
};

type Tracked = {
  readonly clientOrderId: ClientOrderId;
  spec: OrderSpec | null;
  alpacaId: string | null;
  accepted: boolean;
  end: VenueOrderStatus['status'] | null;
  filledQty: number;
  cash: number;
  readonly execIds: Set<string>;
  cancelRequested: boolean;
  /** Cancelled by this adapter because a sibling child of the same parent filled. */
  siblingFilled: boolean;
  /** Resolves once the POST has an answer (or none can be had). */
  placed: Promise<void>;
  /** The client_order_id at Alpaca: keel's id, or `take-profit::stop` for an OCO pair (null: an OCO's stop leg). */
  wireId: string | null;
  /** On the take-profit of an OCO pair: the stop-loss, Alpaca's leg of the same order. */
  ocoLeg: Tracked | null;
  /** On the stop-loss leg of an OCO pair: its take-profit, the order Alpaca knows the pair by. */
  ocoHead: Tracked | null;
  /** Sent as a leg of an OCO order (its pair may have ended since: a refused leg leaves the other alone). */
  wasOco: boolean;
  /** A bracket child kept back (never sent) while its lone sibling is cancelled, to go again with it as one OCO. */
  held: { siblingsLeft: number } | null;
  /** On a lone exit being cancelled for that: the child kept back. */
  regroupFor: Tracked | null;
  /** Its cancel for a regroup failed: it is never regrouped again (a child goes alone beside it). */
  regroupFailed: boolean;
  /** A multi-leg (mleg) order: its legs, each an Alpaca order whose fills are keel's fills of this order. */
  mleg: MlegBook | null;
};

type MlegLeg = {
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  readonly ratio: number;
  alpacaId: string | null;
  filled: number;
};
type MlegBook = {
  readonly legs: MlegLeg[];
  /** Leg executions heard but not yet passed on: held until every leg reached the same whole units. */
  readonly pending: {
    readonly leg: MlegLeg;
    readonly execId: string;
    readonly qty: number;
    readonly price: number;
    readonly commission: number;
    readonly positionQty: number | null;
  }[];
};

type QueuedChild = { readonly order: Tracked; readonly spec: OrderSpec; readonly symbol: string };

type PositionBook = { qty: number; avgPrice: number };

const mlegOptionsLevel = 3;
const singleLegOnly: VenueCapabilities = {
  combos: false,
  // keel attaches exits once the entry filled: they go as one native OCO order (order_class oco),
  // not as an entry-plus-exits order_class bracket (docs/venues/alpaca.md says why).
  nativeBrackets: false,
  positionHistory: false,
  // Alpaca has no reduce-only flag for equities: keel's close sizing against owned quantity guards it.
  reduceOnly: false,
  marketOrders: true,
  clientOrderId: { maxLength: 48, allowed: /^[A-Za-z0-9._:-]+$/ },
  comboLegsMax: 1,
};
const withMleg: VenueCapabilities = { ...singleLegOnly, combos: true, comboLegsMax: 4 };

const executionsMax = 100_000;
const openOrdersMax = 500;
const activitiesPageSize = 100;
const trackedOrdersMax = 100_000;
const logLinesMax = 100_000;

export class AlpacaVenue implements Venue {
  readonly name = 'alpaca';
  /**
   * Multi-leg options go as one order_class mleg order (2-4 legs) where the account's options level
   * allows spreads (3); below it, one leg per order and keel sequences the legs itself. Read from the
   * account at connect.
   */
  get capabilities(): VenueCapabilities {
    return (this.accountSeen?.options_trading_level ?? 0) >= mlegOptionsLevel ? withMleg : singleLegOnly;
  }
  readonly market: QuoteBook;

  private readonly clock: Clock;
  private readonly client: AlpacaClient;
  private readonly byClientId = new Map<string, Tracked>();
  private readonly byWireId = new Map<string, Tracked>();
  /** Bracket children sent in this turn: a stop-loss and a take-profit of one parent go as one OCO order. */
  private readonly queuedChildren: QueuedChild[] = [];
  private readonly byAlpacaId = new Map<string, Tracked>();
  /** The Alpaca orders of multi-leg orders' legs. */
  private readonly byLegId = new Map<string, { order: Tracked; leg: MlegLeg }>();
  /** The combo execution each leg execution was passed on in. */
  private readonly comboOfExec = new Map<string, string>();
  private readonly execTimes = new Map<string, number>();
  private readonly instruments = new Map<InstrumentId, Instrument>();
  private readonly resolving = new Map<string, Promise<ResolveResult>>();
  private readonly positions = new Map<string, PositionBook>();
  private readonly quotes = new Map<string, Quote>();
  private readonly lastTrade = new Map<string, number>();
  private readonly watched = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly roundTrips: (() => void)[] = [];
  private readonly upWaiters: { up: boolean; resolve: () => void }[] = [];
  private stream: streaming.TradingStream | null = null;
  private listener: VenueListener | null = null;
  private streamUp = false;
  private linkUp = false;
  private closed = true;
  private ready = false;
  private downSince: number | null = null;
  private catchingUp = false;
  private poller: ReturnType<typeof setInterval> | null = null;
  private accountPoller: ReturnType<typeof setInterval> | null = null;
  private logged = 0;
  private accountSeen: AlpacaAccount | null = null;
  /** The stream's last error (the library's text), to say why a connect failed. */
  private streamError: string | null = null;

  constructor(private readonly options: AlpacaVenueOptions) {
    this.clock = options.clock ?? { now: () => Date.now(), timeZone: fixedOffsetZone(0) };
    this.client = new AlpacaClient({
      config: options.config,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      requestsPerMinute: options.requestsPerMinute === undefined ? 190 : options.requestsPerMinute,
      streamReconnectMs: options.streamReconnectMs ?? 1_000,
    });
    this.market = { spot: (s) => this.spot(s), quote: (id) => this.quote(id) };
  }

  // ---- session ----------------------------------------------------------------------------------

  async connect(): Promise<void> {
    const errors = alpacaConfigErrors(this.options.config);
    if (errors.length > 0) throw new Error(`alpaca: invalid config: ${errors.join('; ')}`);
    this.closed = false;
    const stream = this.client.stream();
    this.stream = stream;
    this.listen(stream);
    stream.subscribeTradeUpdates();
    const timeoutMs = this.options.connectTimeoutMs ?? 15_000;
    const auth = stream.waitForAuthenticationResult(timeoutMs);
    stream.connect();
    const result = await auth;
    if (!result.authenticated) {
      stream.disconnect();
      // Refused keys and a host that never answered are different fixes: say which it was.
      throw new Error(
        result.status === streaming.STREAM_AUTH_STATUS.SERVER_REJECTED
          ? `alpaca: the trade_updates stream did not authenticate: ${result.message} (check APCA_API_KEY_ID and APCA_API_SECRET_KEY: paper keys for paper, live keys with live: true)`
          : `alpaca: could not reach the trade_updates stream at ${this.options.config.streamUrl}: ${result.message}${this.streamError === null ? '' : ` (${this.streamError})`}`,
      );
    }
    await this.whenLink(true, timeoutMs);
    await this.learnVenue();
    this.ready = true;
    this.log(`connected: ${describeAlpacaConfig(this.options.config)}`);
    const pollMs = this.options.quotePollMs ?? 1_000;
    if (pollMs > 0) this.poller = setInterval(() => void this.refreshQuotes().catch(() => undefined), pollMs);
    const accountMs = this.options.accountPollMs ?? 60_000;
    if (accountMs > 0)
      this.accountPoller = setInterval(() => {
        if (this.isConnected())
          this.track(this.account().catch((e: unknown) => this.log(`account: ${errorText(e)}`)));
      }, accountMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    this.listener = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    if (this.accountPoller) clearInterval(this.accountPoller);
    this.accountPoller = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const stream = this.stream;
    this.stream = null;
    this.streamUp = false;
    this.linkUp = false;
    if (stream) {
      stream.removeAllListeners();
      stream.disconnect();
    }
    for (const w of this.roundTrips.splice(0)) w();
    for (const w of this.upWaiters.splice(0)) w.resolve();
    await Promise.allSettled([...this.inflight]);
  }

  subscribe(listener: VenueListener): () => void {
    assert(this.listener === null, 'the alpaca venue has one subscriber at a time');
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }

  isConnected(): boolean {
    return this.linkUp && !this.closed;
  }

  /** Everything this adapter has asked over HTTP has its answer (order, cancel, lookup, catch-up). */
  async idle(): Promise<void> {
    for (let n = 0; this.inflight.size > 0; n++) {
      assert(n < 1_000_000, 'alpaca: requests never settle');
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** Requests still waiting for their answer. */
  get pendingRequests(): number {
    return this.inflight.size;
  }

  /**
   * One round trip on the stream (`listen` answered by `listening`): the websocket being ordered,
   * every trade update the server sent before has been handled.
   */
  roundTrip(): Promise<void> {
    const stream = this.stream;
    if (stream === null || !this.streamUp) return Promise.resolve();
    return new Promise((resolve) => {
      this.roundTrips.push(resolve);
      stream.subscribeTradeUpdates();
    });
  }

  /** Resolves once the link is up (or down), after any catch-up. */
  whenLink(up: boolean, timeoutMs = 30_000): Promise<void> {
    if (this.closed || (up ? this.linkUp && !this.catchingUp : !this.linkUp)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        reject(new Error(`alpaca: the link did not come ${up ? 'up' : 'down'} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.timers.add(timer);
      this.upWaiters.push({
        up,
        resolve: () => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve();
        },
      });
    });
  }

  /**
   * Account equity and buying power, read now (at connect, then every `accountPollMs`): `keel run`
   * opens each budget day with the last equity read, and the dual-cap sizing's caps follow it.
   */
  async account(): Promise<{ equity: number; buyingPower: number; cash: number }> {
    const a = readAs(accountSchema, await this.client.account(), 'account');
    if (typeof a === 'string') throw new Error(`alpaca: ${a}`);
    this.accountSeen = a;
    return { equity: a.equity, buyingPower: a.buying_power, cash: a.cash };
  }

  private listen(stream: streaming.TradingStream): void {
    const mine =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (stream === this.stream) fn(...args);
      };
    stream.on(
      streaming.EVENT.SUBSCRIPTION,
      mine((streams: unknown) => this.onListening(streams)),
    );
    stream.on(
      streaming.EVENT.TRADE_UPDATE,
      mine((u: unknown) => this.onTradeUpdate(u)),
    );
    stream.on(
      streaming.EVENT.CLIENT_ERROR,
      mine((message: unknown) => {
        this.streamError = String(message);
        this.log(`stream: ${this.streamError}`);
      }),
    );
    stream.on(
      streaming.STATE.DISCONNECTED,
      mine(() => this.onStreamDown()),
    );
  }

  private onListening(streams: unknown): void {
    if (!Array.isArray(streams) || !streams.includes('trade_updates')) {
      this.log(`stream: listening to ${JSON.stringify(streams)}, not trade_updates`);
      return;
    }
    for (const w of this.roundTrips.splice(0)) w();
    if (this.streamUp) return;
    this.streamUp = true;
    if (!this.ready) {
      this.setLink(true);
      return;
    }
    this.catchUp();
  }

  private onStreamDown(): void {
    for (const w of this.roundTrips.splice(0)) w();
    if (!this.streamUp) return;
    this.streamUp = false;
    if (this.closed) return;
    this.log('the trade_updates stream dropped: nothing is sent until it is back and caught up');
    this.downSince ??= this.clock.now();
    if (this.catchingUp) return; // still down from before: keel was never told up
    this.setLink(false);
    if (this.ready) this.push({ type: 'connection', t: this.clock.now(), up: false });
  }

  private setLink(up: boolean): void {
    this.linkUp = up;
    for (const w of [...this.upWaiters]) {
      if (w.up !== up || (up && this.catchingUp)) continue;
      this.upWaiters.splice(this.upWaiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** The stream is back: what Alpaca recorded meanwhile is read through REST, then keel hears up. */
  private catchUp(): void {
    this.catchingUp = true;
    const since = this.downSince;
    this.track(
      (async () => {
        try {
          await this.catchUpFills(since);
          await this.catchUpEnds();
        } catch (e) {
          this.log(`catch-up after the stream returned: ${errorText(e)} (keel reconciles from a snapshot)`);
        }
        this.catchingUp = false;
        if (!this.streamUp || this.closed) return;
        this.downSince = null;
        this.log('the trade_updates stream is back and caught up: keel reconciles before trading again');
        this.setLink(true);
        this.push({ type: 'connection', t: this.clock.now(), up: true, dataLost: true });
      })(),
    );
  }

  /** Fills of keel's orders Alpaca recorded while the stream was down, not yet passed on. */
  private async catchUpFills(since: number | null): Promise<void> {
    if (since === null) return;
    const fills = await this.fillActivities(since - 1_000);
    for (const a of fills) {
      const execId = execIdOfActivity(a.id);
      const legOf = this.byLegId.get(a.order_id);
      if (legOf !== undefined) {
        if (legOf.order.execIds.has(execId)) continue;
        this.log(
          `fill ${execId} of a leg of ${legOf.order.clientOrderId} happened while the stream was down: passed on now`,
        );
        this.applyLegFill(legOf.order, legOf.leg, execId, a.qty, a.price, a.commission ?? 0, null);
        continue;
      }
      const order = this.byAlpacaId.get(a.order_id);
      if (!order || order.execIds.has(execId)) continue;
      this.log(`fill ${execId} of ${order.clientOrderId} happened while the stream was down: passed on now`);
      this.applyFill(
        order,
        execId,
        a.qty,
        a.price,
        a.commission ?? 0,
        null,
        a.symbol,
        a.side === 'buy' ? 'BUY' : 'SELL',
      );
    }
  }

  /** keel's orders that ended while the stream was down (cancelled, expired, filled). */
  private async catchUpEnds(): Promise<void> {
    for (const order of this.byClientId.values()) {
      if (order.end !== null || order.alpacaId === null || order.wireId === null) continue;
      const o = readAs(orderSchema, await this.client.orderByClientOrderId(order.wireId), 'order');
      if (typeof o === 'string') throw new Error(o);
      this.onOrderRecord(order, o);
    }
  }

  /** Open orders (keel's learned by client order id) and positions, before keel acts. */
  private async learnVenue(): Promise<void> {
    await this.account();
    for (const p of await this.readPositions())
      this.positions.set(p.instrumentId, { qty: p.qty, avgPrice: p.avgPrice });
    const heads: Tracked[] = [];
    for (const { order: o, keelId: id, oco } of await this.openOrders()) {
      if (id === null || this.byClientId.has(id)) continue;
      const t = this.trackOrder(id, await this.specOf(o, id));
      if (o.client_order_id !== id) t.wireId = isUuid(o.client_order_id) ? null : o.client_order_id;
      this.learnId(t, o.id);
      if (o.order_class === 'mleg' && t.spec !== null) {
        t.mleg = {
          legs: t.spec.legs.map((l) => ({ ...l, alpacaId: null, filled: roundQty(o.filled_qty * l.ratio) })),
          pending: [],
        };
        this.learnLegs(t, t.mleg, o.legs ?? []);
      }
      t.accepted = true;
      t.filledQty = o.filled_qty;
      t.wasOco = oco;
      if (t.wireId !== null && t.wireId !== id) heads.push(t);
    }
    for (const head of heads) {
      const leg = this.byClientId.get(splitWireId(head.wireId ?? '')[1] ?? '');
      if (leg === undefined) continue;
      head.ocoLeg = leg;
      leg.ocoHead = head;
    }
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
      return refuse(
        'notSent',
        0,
        'not connected to Alpaca (the trade_updates stream is down): the order was not sent',
      );
    if (this.byClientId.has(spec.clientOrderId))
      return refuse(
        'duplicateId',
        40010001,
        `client_order_id ${spec.clientOrderId} was already sent: client_order_id must be unique`,
      );
    if (this.byClientId.size >= trackedOrdersMax)
      return refuse('refused', 0, `more than ${trackedOrdersMax} orders this session: restart keel`);
    if (spec.legs.length !== 1) {
      const mleg = this.mlegRequest(spec);
      if (typeof mleg === 'string') return refuse('unsupported', 0, mleg);
      const order = this.trackOrder(spec.clientOrderId, spec);
      order.mleg = { legs: mleg.legs, pending: [] };
      order.placed = this.track(this.place(order, mleg.request));
      return;
    }
    const leg = spec.legs[0];
    const instrument = leg === undefined ? undefined : this.instruments.get(leg.instrumentId);
    if (leg === undefined || instrument === undefined)
      return refuse(
        'unknownInstrument',
        40410000,
        `asset ${leg?.instrumentId ?? '?'} not found (resolve it first)`,
      );
    const request = orderRequest(spec, wireSymbol(instrument), leg.side);
    if (typeof request === 'string') return refuse('unsupported', 0, request);
    const order = this.trackOrder(spec.clientOrderId, spec);
    if (spec.parentClientOrderId !== null) return this.queueChild(order, spec, wireSymbol(instrument));
    order.placed = this.track(this.place(order, request));
  }

  /** A combo as one order_class mleg order, or why it cannot go as one. */
  private mlegRequest(spec: OrderSpec): { request: PostRequest; legs: MlegLeg[] } | string {
    const n = spec.legs.length;
    if (!this.capabilities.combos)
      return `a combo of ${n} legs: this Alpaca account's options level (${this.accountSeen?.options_trading_level ?? 0}) does not allow multi-leg orders (level ${mlegOptionsLevel}); keel sends one leg per order`;
    if (n < 2 || n > this.capabilities.comboLegsMax)
      return `a combo of ${n} legs: Alpaca's multi-leg orders take 2 to ${this.capabilities.comboLegsMax}`;
    if (spec.type !== 'LMT' || spec.limitPrice === null)
      return 'a multi-leg order goes as a limit with one net price: send it as LMT';
    if (spec.tif === 'IOC') return 'a multi-leg order rests (day or gtc) at Alpaca: IOC is not sent';
    const legs: MlegLeg[] = [];
    const wire: AlpacaMlegRequest['legs'][number][] = [];
    for (const l of spec.legs) {
      const i = this.instruments.get(l.instrumentId);
      if (i === undefined || i.kind !== 'option')
        return `leg ${l.instrumentId}: not a resolved option contract (resolve it first)`;
      if (!Number.isInteger(l.ratio) || l.ratio < 1)
        return `leg ${l.instrumentId}: ratio ${l.ratio} is not whole`;
      const held = this.positions.get(l.instrumentId)?.qty ?? 0;
      const closes = l.side === 'BUY' ? held < 0 : held > 0;
      legs.push({ instrumentId: l.instrumentId, side: l.side, ratio: l.ratio, alpacaId: null, filled: 0 });
      wire.push({
        symbol: i.id,
        ratioQty: String(l.ratio),
        side: l.side === 'BUY' ? 'buy' : 'sell',
        positionIntent:
          l.side === 'BUY'
            ? closes
              ? 'buy_to_close'
              : 'buy_to_open'
            : closes
              ? 'sell_to_close'
              : 'sell_to_open',
      });
    }
    return {
      legs,
      request: {
        mleg: {
          qty: String(roundQty(spec.qty)),
          limitPrice: String(Math.round(spec.limitPrice * 1e6) / 1e6),
          timeInForce: spec.tif === 'GTC' ? 'gtc' : 'day',
          clientOrderId: spec.clientOrderId,
          legs: wire,
        },
      },
    };
  }

  /**
   * A bracket child waits for the end of the turn: keel sends a group's stop-loss and take-profit
   * together, and Alpaca holds the shares for one sell order only, so the two go as one native
   * OCO order (order_class oco). A child without its pair goes alone.
   */
  private queueChild(order: Tracked, spec: OrderSpec, symbol: string): void {
    let release = () => {};
    order.placed = new Promise<void>((resolve) => (release = resolve));
    this.queuedChildren.push({ order, spec, symbol });
    if (this.queuedChildren.length === 1)
      this.track(
        new Promise<void>((resolve) =>
          setImmediate(() => {
            this.flushChildren();
            resolve();
          }),
        ),
      );
    this.releases.set(order, release);
  }

  private readonly releases = new Map<Tracked, () => void>();

  private flushChildren(): void {
    const queued = this.queuedChildren.splice(0);
    const paired = new Set<Tracked>();
    for (const tp of queued) {
      if (paired.has(tp.order) || !isTakeProfit(tp.spec)) continue;
      const stop = queued.find(
        (c) =>
          !paired.has(c.order) &&
          isStopLoss(c.spec) &&
          c.spec.parentClientOrderId === tp.spec.parentClientOrderId &&
          c.symbol === tp.symbol &&
          c.spec.qty === tp.spec.qty &&
          c.spec.tif === tp.spec.tif &&
          c.spec.legs[0]?.side === tp.spec.legs[0]?.side,
      );
      const wireId = stop === undefined ? null : ocoWireId(tp.order.clientOrderId, stop.order.clientOrderId);
      if (stop === undefined || wireId === null || wireId.length > this.capabilities.clientOrderId.maxLength)
        continue;
      paired.add(tp.order).add(stop.order);
      const request = ocoRequest(tp.spec, stop.spec, tp.symbol, wireId);
      tp.order.wireId = wireId;
      tp.order.ocoLeg = stop.order;
      stop.order.ocoHead = tp.order;
      tp.order.wasOco = stop.order.wasOco = true;
      stop.order.wireId = null;
      this.byWireId.delete(tp.order.clientOrderId);
      this.byWireId.delete(stop.order.clientOrderId);
      this.byWireId.set(wireId, tp.order);
      this.log(`${tp.order.clientOrderId} and ${stop.order.clientOrderId} go as one OCO order (${wireId})`);
      const done = this.track(this.place(tp.order, request));
      for (const o of [tp.order, stop.order]) void done.then(() => this.releases.get(o)?.());
    }
    for (const c of queued) {
      if (paired.has(c.order)) continue;
      const lone = this.loneSiblings(c.order, c.spec);
      if (lone.length > 0) {
        this.regroup(c.order, lone);
        this.releases.get(c.order)?.();
        continue;
      }
      const request = orderRequest(c.spec, c.symbol, c.spec.legs[0]?.side ?? 'SELL');
      const done = typeof request === 'string' ? Promise.resolve() : this.track(this.place(c.order, request));
      void done.then(() => this.releases.get(c.order)?.());
    }
    for (const c of queued) void c.order.placed.then(() => this.releases.delete(c.order));
  }

  /**
   * The exits of the same position a lone child (a stop-loss re-sent after its OCO leg was refused,
   * or a take-profit) would stand beside: what survives of an OCO whose other leg ended. Sent as a
   * plain order beside it, the child would be tied to nothing: it would outlive the survivor's fill
   * (Alpaca knows no link between two orders; a restarted keel none either), and on a symbol
   * someone else also holds, Alpaca's hold on the shares would not stop it from selling theirs.
   */
  private loneSiblings(child: Tracked, spec: OrderSpec): Tracked[] {
    const tp = isTakeProfit(spec);
    if (!tp && !isStopLoss(spec)) return [];
    const leg = spec.legs[0];
    const out: Tracked[] = [];
    for (const o of this.byClientId.values()) {
      const s = o.spec;
      if (o === child || s === null || o.end !== null || o.held !== null || o.cancelRequested) continue;
      if (o.regroupFailed || o.regroupFor !== null || o.alpacaId === null) continue;
      if (!(tp ? isStopLoss(s) : isTakeProfit(s)) || !sameBracket(s, spec)) continue;
      if (s.legs[0]?.instrumentId !== leg?.instrumentId || s.legs[0]?.side !== leg?.side) continue;
      // The survivor of an OCO whose other leg ended (refused, most likely): no longer tied to anything.
      const pairedWith = o.ocoLeg ?? o.ocoHead;
      if (!o.wasOco || (pairedWith !== null && pairedWith.end === null)) continue;
      out.push(o);
    }
    return out;
  }

  /**
   * The child is kept back and its lone siblings are cancelled; once Alpaca says they are, keel
   * hears both ended in one burst (the siblings cancelled, the child cancelled unsent, reason venue)
   * and sends the pair again in one turn: one OCO order. A sibling that fills first takes the child
   * with it (one-cancels-other).
   */
  private regroup(child: Tracked, siblings: readonly Tracked[]): void {
    const names = siblings.map((o) => o.clientOrderId).join(', ');
    this.log(
      `${child.clientOrderId} would stand beside ${names}, working alone at Alpaca: two separate exits of one position could each outlive the other's fill. It is not sent; ${names} is cancelled, and keel sends the pair again as one OCO order`,
    );
    child.held = { siblingsLeft: siblings.length };
    for (const o of siblings) {
      o.regroupFor = child;
      this.track(this.cancelForRegroup(o, child));
    }
  }

  private async cancelForRegroup(sibling: Tracked, child: Tracked): Promise<void> {
    await sibling.placed;
    const alpacaId = sibling.alpacaId;
    const attemptsMax = this.options.retryAttemptsMax ?? 5;
    let why = 'no Alpaca order id';
    for (let attempt = 0; alpacaId !== null && attempt < attemptsMax; attempt++) {
      if (this.closed || sibling.regroupFor !== child) return;
      try {
        await this.client.cancelOrder(alpacaId);
        return; // the stream says canceled (then both go to keel), or the sibling filled first
      } catch (e) {
        const m = meaningOfCancelFailure(e);
        if (m.kind === 'ambiguous') {
          why = m.why;
          await this.sleep(this.backoffMs(attempt, m.retryAfterMs));
          continue;
        }
        why = `${m.code} ${m.message}`;
        if (m.kind === 'notWorking' || m.kind === 'notFound') {
          // It ended meanwhile (a fill, most likely, whose update follows): the child is not needed as it was.
          sibling.regroupFor = null;
          return this.releaseHeld(
            child,
            `not sent: its sibling ${sibling.clientOrderId} ended first (${why})`,
          );
        }
        break;
      }
    }
    if (sibling.regroupFor !== child) return;
    sibling.regroupFor = null;
    sibling.regroupFailed = true;
    if (child.held === null || child.spec === null) return;
    // The sibling could not be cancelled and still works: the child goes alone rather than not at all.
    this.log(
      `${sibling.clientOrderId} could not be cancelled (${why}): ${child.clientOrderId} is sent alone beside it`,
    );
    child.held = null;
    const leg = child.spec.legs[0];
    const symbol = leg === undefined ? undefined : this.instruments.get(leg.instrumentId)?.symbol;
    const request = symbol === undefined ? null : orderRequest(child.spec, symbol, leg?.side ?? 'SELL');
    if (request === null || typeof request === 'string')
      return this.releaseHeld(child, `not sent: ${request ?? 'its instrument is not resolved'}`);
    child.placed = this.track(this.place(child, request));
  }

  /** A child kept back for a regroup ends unsent: keel hears it cancelled (reason venue) and sends again what the position needs. */
  private releaseHeld(child: Tracked, detail: string): void {
    if (child.held === null) return;
    child.held = null;
    this.ended(child, 'venue', detail);
  }

  cancel(clientOrderId: ClientOrderId): void {
    const t = this.clock.now();
    const refuse = (reason: CancelRejectReason, detail: string) =>
      this.deferred({ type: 'cancelRejected', t, clientOrderId, reason, detail });
    if (!this.isConnected()) return refuse('notSent', 'not connected to Alpaca: the cancel was not sent');
    const order = this.byClientId.get(clientOrderId);
    if (order !== undefined && order.end !== null) return refuse('notWorking', `the order is ${order.end}`);
    if (order !== undefined && order.held !== null) {
      // Kept back for a regroup, never sent: cancelled here.
      order.held = null;
      order.end = 'cancelled';
      return this.deferred({
        type: 'cancelled',
        t,
        clientOrderId,
        venueOrderId: null,
        remainingQty: order.spec?.qty ?? 0,
        reason: 'requested',
        detail: 'cancelled before it was sent',
      });
    }
    if (order !== undefined) order.cancelRequested = true;
    this.track(this.cancelAtVenue(clientOrderId, order ?? null));
  }

  private trackOrder(clientOrderId: ClientOrderId, spec: OrderSpec | null): Tracked {
    const order: Tracked = {
      clientOrderId,
      spec,
      alpacaId: null,
      accepted: false,
      end: null,
      filledQty: 0,
      cash: 0,
      execIds: new Set(),
      cancelRequested: false,
      siblingFilled: false,
      placed: Promise.resolve(),
      wireId: clientOrderId,
      ocoLeg: null,
      ocoHead: null,
      wasOco: false,
      held: null,
      regroupFor: null,
      regroupFailed: false,
      mleg: null,
    };
    this.byClientId.set(clientOrderId, order);
    this.byWireId.set(clientOrderId, order);
    return order;
  }

  private learnId(order: Tracked, alpacaId: string): void {
    if (order.alpacaId === alpacaId) return;
    order.alpacaId = alpacaId;
    this.byAlpacaId.set(alpacaId, order);
  }

  /** POST the order; on an ambiguous answer look it up by client order id before ever resending. */
  private async place(order: Tracked, request: AlpacaOrderRequest | PostRequest): Promise<void> {
    const name = `order ${order.clientOrderId}`;
    const attemptsMax = this.options.retryAttemptsMax ?? 5;
    let lookFirst = false;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      if (this.closed) return;
      if (lookFirst) {
        const found = await this.lookUp(order);
        if (found === 'found') return;
        if (found === 'unknown') {
          await this.sleep(this.backoffMs(attempt, null));
          continue;
        }
        this.log(`${name}: Alpaca has no order with this client_order_id: sending it again with the same id`);
      }
      let body: unknown;
      try {
        body = await ('mleg' in request
          ? this.client.postMleg(request.mleg)
          : this.client.postOrder(request));
      } catch (e) {
        const m = meaningOfFailure(e);
        if (m.kind === 'ambiguous') {
          this.log(`${name}: ${m.why}: looking it up by client_order_id before any retry`);
          lookFirst = true;
          await this.sleep(this.backoffMs(attempt, m.retryAfterMs));
          continue;
        }
        if (m.kind === 'refused' && m.reason === 'duplicateId' && lookFirst) {
          this.log(`${name}: the resend was refused as a duplicate: the first one is at Alpaca`);
          lookFirst = true;
          continue;
        }
        return this.onRefused(order, m);
      }
      const o = readAs(orderSchema, body, 'the order Alpaca returned');
      if (typeof o === 'string') {
        this.log(`${name}: ${o}: looking it up by client_order_id`);
        lookFirst = true;
        continue;
      }
      return this.onOrderRecord(order, o);
    }
    this.log(
      `${name}: no clear answer after ${attemptsMax} tries: not sent again; keel's reconciliation finds it by client_order_id if Alpaca has it`,
    );
  }

  private async lookUp(order: Tracked): Promise<'found' | 'absent' | 'unknown'> {
    if (order.wireId === null) return order.alpacaId === null ? 'unknown' : 'found';
    try {
      const o = readAs(orderSchema, await this.client.orderByClientOrderId(order.wireId), 'order');
      if (typeof o === 'string') {
        this.log(`order ${order.clientOrderId}: lookup: ${o}`);
        return 'unknown';
      }
      this.log(
        `order ${order.clientOrderId}: found at Alpaca by client_order_id (${o.status}): not sent again`,
      );
      this.onOrderRecord(order, o);
      return 'found';
    } catch (e) {
      const m = meaningOfFailure(e);
      if (m.kind === 'notFound') return 'absent';
      this.log(`order ${order.clientOrderId}: lookup by client_order_id failed: ${errorText(e)}`);
      return 'unknown';
    }
  }

  private onRefused(order: Tracked, m: FailureMeaning): void {
    const [reason, code, message]: [RejectReason, number, string] =
      m.kind === 'refused'
        ? [m.reason, m.code, m.message]
        : m.kind === 'ambiguous'
          ? ['refused', 0, m.why]
          : ['refused', m.code, m.message];
    this.log(`order ${order.clientOrderId} refused by Alpaca: ${code} ${message}`);
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

  /** An order record from REST (the POST's answer, a lookup, a catch-up): what it says that keel has not heard. */
  private onOrderRecord(order: Tracked, o: AlpacaOrder): void {
    this.learnId(order, o.id);
    if (order.mleg !== null) this.learnLegs(order, order.mleg, o.legs ?? []);
    const leg = o.legs?.[0];
    if (order.ocoLeg !== null && leg !== undefined) this.onOrderRecord(order.ocoLeg, leg);
    switch (o.status) {
      case 'new':
      case 'accepted':
      case 'partially_filled':
      case 'filled':
      case 'pending_cancel':
      case 'pending_replace':
      case 'done_for_day':
      case 'calculated':
      case 'held':
      case 'stopped':
      case 'accepted_for_bidding':
      case 'suspended':
      case 'pending_new':
        return;
      case 'canceled':
      case 'expired':
      case 'replaced':
        if (o.filled_qty > order.filledQty) return; // fills not yet heard: the stream or reconciliation brings them
        return this.ended(
          order,
          o.status === 'expired' ? 'expired' : order.cancelRequested ? 'requested' : 'venue',
          o.status,
        );
      case 'rejected':
        if (order.end !== null) return;
        order.end = 'rejected';
        return this.push({
          type: 'rejected',
          t: this.clock.now(),
          clientOrderId: order.clientOrderId,
          venueOrderId: VenueOrderId.of(o.id),
          reason: 'refused',
          code: 0,
          message: 'rejected by Alpaca',
        });
    }
  }

  private async cancelAtVenue(clientOrderId: ClientOrderId, known: Tracked | null): Promise<void> {
    const refuse = (reason: CancelRejectReason, detail: string) => {
      if (known) known.cancelRequested = false;
      this.push({ type: 'cancelRejected', t: this.clock.now(), clientOrderId, reason, detail });
    };
    let alpacaId: string | null;
    if (known) {
      await known.placed;
      alpacaId = known.alpacaId;
      if (alpacaId === null && (await this.lookUp(known)) !== 'found')
        return refuse('unknownOrder', 'Alpaca has no order with this client_order_id');
      alpacaId = known.alpacaId;
    } else {
      try {
        const o = readAs(orderSchema, await this.client.orderByClientOrderId(clientOrderId), 'order');
        if (typeof o === 'string') return refuse('refused', o);
        alpacaId = o.id;
      } catch (e) {
        const m = meaningOfFailure(e);
        return m.kind === 'notFound'
          ? refuse('unknownOrder', 'Alpaca has no order with this client_order_id')
          : refuse('refused', errorText(e));
      }
    }
    if (alpacaId === null) return refuse('unknownOrder', 'no Alpaca order id');
    const attemptsMax = this.options.retryAttemptsMax ?? 5;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      try {
        await this.client.cancelOrder(alpacaId);
        return; // the stream says canceled (or order_cancel_rejected when a fill came first)
      } catch (e) {
        const m = meaningOfCancelFailure(e);
        if (m.kind === 'notWorking') return refuse('notWorking', `${m.code} ${m.message}`);
        if (m.kind === 'notFound') return refuse('unknownOrder', `${m.code} ${m.message}`);
        if (m.kind === 'refused') return refuse('refused', `${m.code} ${m.message}`);
        this.log(`cancel of ${clientOrderId}: ${m.why}: trying again (a cancel is safe to repeat)`);
        await this.sleep(this.backoffMs(attempt, m.retryAfterMs));
      }
    }
    refuse('refused', `no answer to the cancel after ${attemptsMax} tries`);
  }

  // ---- the stream ---------------------------------------------------------------------------------

  private onTradeUpdate(raw: unknown): void {
    const u = readAs(tradeUpdateSchema, raw, 'trade update');
    if (typeof u === 'string') return this.log(`a trade update keel cannot read: ${u}`);
    const legOf = this.byLegId.get(u.order.id);
    if (legOf !== undefined) return this.onLegUpdate(legOf.order, legOf.leg, u);
    const order = this.byAlpacaId.get(u.order.id) ?? this.byWireId.get(u.order.client_order_id);
    if (order === undefined) return this.onForeignUpdate(u);
    this.learnId(order, u.order.id);
    if (order.mleg !== null) this.learnLegs(order, order.mleg, u.order.legs ?? []);
    const leg = u.order.legs?.[0];
    if (order.ocoLeg !== null && leg !== undefined) this.learnId(order.ocoLeg, leg.id);
    const t = this.clock.now();
    switch (u.event) {
      case 'new':
      case 'accepted':
        return this.acceptOnce(order);
      case 'fill':
      case 'partial_fill':
        // A multi-leg order's executions arrive on its legs' own orders.
        return order.mleg === null ? this.onFillUpdate(order, u) : undefined;
      case 'canceled':
        return this.ended(
          order,
          order.siblingFilled ? 'venue' : order.cancelRequested ? 'requested' : 'venue',
          u.reason ?? 'canceled',
        );
      case 'expired':
        return this.ended(order, 'expired', u.reason ?? 'expired');
      case 'replaced':
        return this.ended(order, 'venue', `replaced by ${u.order.id} (not by keel)`);
      case 'rejected':
        if (order.end !== null) return;
        order.end = 'rejected';
        return this.push({
          type: 'rejected',
          t,
          clientOrderId: order.clientOrderId,
          venueOrderId: VenueOrderId.of(u.order.id),
          reason: 'refused',
          code: u.reason_code ?? 0,
          message: u.reason ?? 'rejected by Alpaca',
        });
      case 'order_cancel_rejected':
        order.cancelRequested = false;
        return this.push({
          type: 'cancelRejected',
          t,
          clientOrderId: order.clientOrderId,
          reason: 'notWorking',
          detail: u.reason ?? 'order_cancel_rejected',
        });
      default:
        // pending_new, pending_cancel, pending_replace, done_for_day, stopped, calculated, suspended, ...
        return;
    }
  }

  /** An update about an order keel did not place (entered by hand, another app): its fills move the position. */
  private onForeignUpdate(u: AlpacaTradeUpdate): void {
    if (u.event !== 'fill' && u.event !== 'partial_fill') return;
    const qty = u.qty ?? null;
    const price = u.price ?? null;
    if (qty === null || price === null) return this.log(`a fill of order ${u.order.id} without qty or price`);
    this.log(
      `fill of ${qty} ${u.order.symbol} for order ${u.order.id} (client_order_id '${u.order.client_order_id}') that keel did not place: not keel's; the position moves`,
    );
    this.movePosition(
      u.order.symbol,
      u.order.side === 'buy' ? 'BUY' : 'SELL',
      qty,
      price,
      u.position_qty ?? null,
    );
  }

  private onFillUpdate(order: Tracked, u: AlpacaTradeUpdate): void {
    const qty = u.qty ?? null;
    const price = u.price ?? null;
    if (u.execution_id === undefined || qty === null || price === null)
      return this.log(
        `a ${u.event} of ${order.clientOrderId} without execution_id, qty or price: reconciliation reads it`,
      );
    this.applyFill(
      order,
      u.execution_id,
      qty,
      price,
      u.commission ?? 0,
      u.position_qty ?? null,
      u.order.symbol,
      u.order.side === 'buy' ? 'BUY' : 'SELL',
    );
  }

  /** An update of one leg of keel's multi-leg order: its fills are fills of that order. */
  private onLegUpdate(order: Tracked, leg: MlegLeg, u: AlpacaTradeUpdate): void {
    if (u.event !== 'fill' && u.event !== 'partial_fill') return;
    const qty = u.qty ?? null;
    const price = u.price ?? null;
    if (u.execution_id === undefined || qty === null || price === null)
      return this.log(`a ${u.event} of a leg of ${order.clientOrderId} without execution_id, qty or price`);
    this.applyLegFill(order, leg, u.execution_id, qty, price, u.commission ?? 0, u.position_qty ?? null);
  }

  /**
   * A leg's execution is held until every leg of the order has filled the same whole units: then
   * they go to keel together, as one combo execution (one comboExecId), in one burst, so keel never
   * sees a short leg filled without the long that covers it.
   */
  private applyLegFill(
    order: Tracked,
    leg: MlegLeg,
    execId: string,
    qty: number,
    price: number,
    commission: number,
    positionQty: number | null,
  ): void {
    const book = order.mleg;
    if (book === null) return;
    this.acceptOnce(order);
    const combo = this.comboOfExec.get(execId);
    if (order.execIds.has(execId)) {
      if (combo === undefined) return; // still held with its execution
      this.log(`execution ${execId} reported again: passed on once more, counted once`);
      return this.pushLegFill(order, leg, execId, qty, price, commission, combo);
    }
    order.execIds.add(execId);
    this.execTimes.set(execId, this.clock.now());
    leg.filled = roundQty(leg.filled + qty);
    book.pending.push({ leg, execId, qty, price, commission, positionQty });
    const units = book.legs.map((l) => roundQty(l.filled / l.ratio));
    const whole = units[0] ?? 0;
    if (!units.every((u) => u === whole)) return;
    const comboExecId = `${order.alpacaId ?? order.clientOrderId}:${whole}`;
    order.filledQty = whole;
    for (const p of book.pending.splice(0)) {
      this.comboOfExec.set(p.execId, comboExecId);
      this.pushLegFill(order, p.leg, p.execId, p.qty, p.price, p.commission, comboExecId);
      this.movePosition(p.leg.instrumentId, p.leg.side, p.qty, p.price, p.positionQty);
    }
    if (order.spec !== null && whole >= order.spec.qty) order.end = 'filled';
  }

  private pushLegFill(
    order: Tracked,
    leg: MlegLeg,
    execId: string,
    qty: number,
    price: number,
    commission: number,
    comboExecId: string,
  ): void {
    const t = this.clock.now();
    this.push({
      type: 'fill',
      t,
      fill: {
        execId: ExecId.of(execId),
        clientOrderId: order.clientOrderId,
        venueOrderId: VenueOrderId.of(order.alpacaId ?? ''),
        instrumentId: leg.instrumentId,
        side: leg.side,
        qty,
        price,
        commission: toMicros(commission),
        comboExecId: ExecId.of(comboExecId),
        venuePositionId: null,
        t: this.execTimes.get(execId) ?? t,
      },
    });
  }

  /** The Alpaca orders of a multi-leg order's legs, matched by contract and side. */
  private learnLegs(
    order: Tracked,
    book: MlegBook,
    legs: readonly { id: string; symbol?: string; side?: string }[],
  ): void {
    legs.forEach((l, n) => {
      const mine =
        book.legs.find(
          (x) =>
            x.alpacaId === null && x.instrumentId === l.symbol && (l.side === 'buy') === (x.side === 'BUY'),
        ) ?? (l.symbol === undefined ? book.legs[n] : undefined);
      if (mine === undefined || (mine.alpacaId !== null && mine.alpacaId !== l.id)) return;
      mine.alpacaId = l.id;
      this.byLegId.set(l.id, { order, leg: mine });
    });
  }

  private applyFill(
    order: Tracked,
    execId: string,
    qty: number,
    price: number,
    commission: number,
    positionQty: number | null,
    symbol: string,
    side: Side,
  ): void {
    this.acceptOnce(order);
    const t = this.clock.now();
    const duplicate = order.execIds.has(execId);
    if (!duplicate) {
      order.execIds.add(execId);
      order.filledQty = roundQty(order.filledQty + qty);
      order.cash += qty * price;
      this.execTimes.set(execId, t);
    } else this.log(`execution ${execId} reported again: passed on once more, counted once`);
    this.push({
      type: 'fill',
      t,
      fill: {
        execId: ExecId.of(execId),
        clientOrderId: order.clientOrderId,
        venueOrderId: VenueOrderId.of(order.alpacaId ?? ''),
        instrumentId: order.spec?.legs[0]?.instrumentId ?? InstrumentId.of(symbol),
        side,
        qty,
        price,
        commission: toMicros(commission),
        comboExecId: null,
        venuePositionId: null,
        t: this.execTimes.get(execId) ?? t,
      },
    });
    if (duplicate) return;
    this.movePosition(symbol, side, qty, price, positionQty);
    if (order.spec !== null && order.filledQty >= order.spec.qty) order.end = 'filled';
    this.cancelSiblings(order);
  }

  /** Bracket children keel sent one by one: a fill of one cancels the others (Alpaca holds no link between them). */
  private cancelSiblings(order: Tracked): void {
    const parent = order.spec?.parentClientOrderId ?? null;
    if (parent === null) return;
    for (const other of this.byClientId.values()) {
      if (other === order || other.end !== null || other.cancelRequested) continue;
      if (other.spec?.parentClientOrderId !== parent) continue;
      if (other.held !== null) {
        other.siblingFilled = true;
        this.releaseHeld(other, `not sent: its sibling ${order.clientOrderId} filled`);
        continue;
      }
      this.log(
        `${other.clientOrderId}: its sibling ${order.clientOrderId} filled: cancelled (one-cancels-other)`,
      );
      other.siblingFilled = true;
      other.cancelRequested = true;
      this.track(this.cancelAtVenue(other.clientOrderId, other));
    }
  }

  private movePosition(
    symbol: string,
    side: Side,
    qty: number,
    price: number,
    positionQty: number | null,
  ): void {
    const id = InstrumentId.of(symbol);
    this.watched.add(symbol); // what keel holds is marked to the market
    const before = this.positions.get(id) ?? { qty: 0, avgPrice: 0 };
    const signed = side === 'BUY' ? qty : -qty;
    const after = roundQty(positionQty ?? before.qty + signed);
    const avgPrice =
      after === 0
        ? 0
        : Math.sign(after) !== Math.sign(before.qty)
          ? price
          : Math.abs(after) > Math.abs(before.qty)
            ? (before.qty * before.avgPrice + signed * price) / (before.qty + signed)
            : before.avgPrice;
    const book = { qty: after, avgPrice: Math.round(avgPrice * 1e6) / 1e6 };
    this.positions.set(id, book);
    this.push({
      type: 'position',
      t: this.clock.now(),
      instrumentId: id,
      qty: book.qty,
      avgPrice: book.avgPrice,
    });
  }

  private acceptOnce(order: Tracked): void {
    if (order.accepted || order.alpacaId === null) return;
    order.accepted = true;
    const parentId = order.spec?.parentClientOrderId ?? null;
    const parent = parentId === null ? undefined : this.byClientId.get(parentId);
    this.push({
      type: 'accepted',
      t: this.clock.now(),
      clientOrderId: order.clientOrderId,
      venueOrderId: VenueOrderId.of(order.alpacaId),
      parentVenueOrderId: parent?.alpacaId ? VenueOrderId.of(parent.alpacaId) : null,
    });
  }

  private ended(order: Tracked, reason: 'requested' | 'expired' | 'venue', detail: string): void {
    if (order.end !== null) return;
    order.end = reason === 'expired' ? 'expired' : 'cancelled';
    order.cancelRequested = false;
    const remainingQty = order.spec === null ? 0 : roundQty(Math.max(0, order.spec.qty - order.filledQty));
    this.push({
      type: 'cancelled',
      t: this.clock.now(),
      clientOrderId: order.clientOrderId,
      venueOrderId: order.alpacaId === null ? null : VenueOrderId.of(order.alpacaId),
      remainingQty,
      reason,
      detail: order.siblingFilled
        ? `one-cancels-other: a sibling filled (${detail})`
        : order.regroupFor !== null
          ? `cancelled to go again with ${order.regroupFor.clientOrderId} as one OCO order (${detail})`
          : detail,
    });
    const child = order.regroupFor;
    order.regroupFor = null;
    if (child === null || child.held === null) return;
    // In the same burst: keel sees the pair ended together and sends both again in one turn.
    if (--child.held.siblingsLeft > 0) return;
    this.releaseHeld(
      child,
      `not sent alone: its sibling ${order.clientOrderId} was cancelled so that both go again as one OCO order`,
    );
  }

  // ---- snapshot -----------------------------------------------------------------------------------

  async snapshot(request: SnapshotRequest = { executionsSince: null }): Promise<VenueSnapshot> {
    if (!this.isConnected()) throw new Error('alpaca: no snapshot while the trade_updates stream is down');
    await this.idle();
    const open = await this.openOrders();
    const positions = await this.readPositions();
    const since = request.executionsSince;
    const activities = await this.fillActivities(since === null ? null : since - 1_000);
    if (!this.isConnected()) throw new Error('alpaca: the stream dropped while the snapshot was read');
    const orders: VenueOrderStatus[] = [];
    const listed = new Set<string>();
    for (const { order: o, keelId } of open) {
      listed.add(o.id);
      const tracked =
        this.byAlpacaId.get(o.id) ?? (keelId === null ? undefined : this.byClientId.get(keelId));
      const id = tracked?.clientOrderId ?? keelId;
      const qty = o.qty ?? 0;
      orders.push({
        clientOrderId: id,
        venueOrderId: VenueOrderId.of(o.id),
        spec: tracked?.spec ?? (id === null ? null : await this.specOf(o, id)),
        status: 'working',
        filledQty: o.filled_qty,
        remainingQty: roundQty(Math.max(0, qty - o.filled_qty)),
        parentVenueOrderId: this.parentIdOf(tracked),
        avgFillPrice: o.filled_avg_price,
      });
    }
    for (const t of this.byClientId.values()) {
      if (t.alpacaId === null || listed.has(t.alpacaId)) continue;
      if (t.end === null && t.wireId !== null) {
        const o = readAs(orderSchema, await this.client.orderByClientOrderId(t.wireId), 'order');
        if (typeof o === 'string') throw new Error(`alpaca: ${o}`);
        orders.push(this.statusOfRecord(t, o));
        const leg = o.legs?.[0];
        if (t.ocoLeg !== null && leg !== undefined && !listed.has(leg.id)) {
          listed.add(leg.id);
          orders.push(this.statusOfRecord(t.ocoLeg, leg));
        }
        continue;
      }
      if (t.end === null) continue; // an OCO's stop leg: listed with its take-profit
      orders.push({
        clientOrderId: t.clientOrderId,
        venueOrderId: VenueOrderId.of(t.alpacaId),
        spec: t.spec,
        status: t.end,
        filledQty: t.filledQty,
        remainingQty: 0,
        parentVenueOrderId: this.parentIdOf(t),
        avgFillPrice: t.filledQty > 0 ? Math.round((t.cash / t.filledQty) * 1e6) / 1e6 : null,
      });
    }
    const executions: VenueExecution[] = [];
    for (const a of activities) {
      const execId = execIdOfActivity(a.id);
      const t = this.execTimes.get(execId) ?? Date.parse(a.transaction_time);
      if (since !== null && t < since) continue;
      const legOf = this.byLegId.get(a.order_id);
      const combo = this.comboOfExec.get(execId);
      if (legOf !== undefined) {
        executions.push({
          execId: ExecId.of(execId),
          clientOrderId: legOf.order.clientOrderId,
          venueOrderId: VenueOrderId.of(legOf.order.alpacaId ?? a.order_id),
          instrumentId: legOf.leg.instrumentId,
          side: legOf.leg.side,
          qty: a.qty,
          price: a.price,
          commission: toMicros(a.commission ?? 0),
          comboExecId: combo === undefined ? null : ExecId.of(combo),
          venuePositionId: null,
          t,
        });
        continue;
      }
      executions.push({
        execId: ExecId.of(execId),
        clientOrderId: this.byAlpacaId.get(a.order_id)?.clientOrderId ?? null,
        venueOrderId: VenueOrderId.of(a.order_id),
        instrumentId: InstrumentId.of(a.symbol),
        side: a.side === 'buy' ? 'BUY' : 'SELL',
        qty: a.qty,
        price: a.price,
        commission: toMicros(a.commission ?? 0),
        comboExecId: null,
        venuePositionId: null,
        t,
      });
    }
    for (const p of positions) this.positions.set(p.instrumentId, { qty: p.qty, avgPrice: p.avgPrice });
    return { t: this.clock.now(), orders, positions, executions, settlements: [], positionHistory: [] };
  }

  private statusOfRecord(t: Tracked, o: AlpacaOrder): VenueOrderStatus {
    const status: VenueOrderStatus['status'] =
      o.status === 'filled'
        ? 'filled'
        : o.status === 'canceled' || o.status === 'replaced' || o.status === 'done_for_day'
          ? 'cancelled'
          : o.status === 'expired'
            ? 'expired'
            : o.status === 'rejected'
              ? 'rejected'
              : 'working';
    const qty = o.qty ?? t.spec?.qty ?? 0;
    return {
      clientOrderId: t.clientOrderId,
      venueOrderId: VenueOrderId.of(o.id),
      spec: t.spec,
      status,
      filledQty: o.filled_qty,
      remainingQty: status === 'working' ? roundQty(Math.max(0, qty - o.filled_qty)) : 0,
      parentVenueOrderId: this.parentIdOf(t),
      avgFillPrice: o.filled_avg_price,
    };
  }

  private parentIdOf(t: Tracked | undefined): VenueOrderId | null {
    const parentId = t?.spec?.parentClientOrderId ?? null;
    const parent = parentId === null ? undefined : this.byClientId.get(parentId);
    return parent?.alpacaId ? VenueOrderId.of(parent.alpacaId) : null;
  }

  /** Open orders (whole, or refused), each with keel's id: an OCO names both, its take-profit first. */
  private async openOrders(): Promise<{ order: AlpacaOrder; keelId: ClientOrderId | null; oco: boolean }[]> {
    const body = await this.client.listOrders({ status: 'open', limit: openOrdersMax, nested: true });
    const list = readAs(z.array(orderSchema), body, 'open orders');
    if (typeof list === 'string') throw new Error(`alpaca: ${list}`);
    if (list.length >= openOrdersMax)
      throw new Error(
        `alpaca: ${list.length} open orders, more than one page: keel refuses a view it cannot get whole`,
      );
    const out: { order: AlpacaOrder; keelId: ClientOrderId | null; oco: boolean }[] = [];
    for (const o of list) {
      const [first, second] = splitWireId(o.client_order_id);
      const oco = o.order_class === 'oco';
      out.push({ order: o, keelId: keelIdOf(first), oco });
      // A multi-leg order's legs are parts of it, not orders of their own.
      if (o.order_class !== 'mleg')
        (o.legs ?? []).forEach((leg, n) =>
          out.push({ order: leg, keelId: n === 0 && second !== null ? keelIdOf(second) : null, oco }),
        );
    }
    return out.filter((x) => isOpen(x.order.status));
  }

  private async readPositions(): Promise<VenuePosition[]> {
    const list = readAs(z.array(positionSchema), await this.client.listPositions(), 'positions');
    if (typeof list === 'string') throw new Error(`alpaca: ${list}`);
    return list
      .filter((p) => p.qty !== 0)
      .map((p) => ({
        instrumentId: InstrumentId.of(p.symbol),
        qty: p.side === 'short' && p.qty > 0 ? -p.qty : p.qty,
        avgPrice: Math.round(p.avg_entry_price * 1e6) / 1e6,
        venuePositionId: null,
      }));
  }

  /** FILL activities after `after` (null: all), every page, in time order. */
  private async fillActivities(after: number | null): Promise<AlpacaFillActivity[]> {
    const out: AlpacaFillActivity[] = [];
    let token: string | null = null;
    for (;;) {
      const body = await this.client.fillActivities(
        after === null ? null : new Date(after),
        token,
        activitiesPageSize,
      );
      const page = readAs(z.array(fillActivitySchema), body, 'FILL activities');
      if (typeof page === 'string') throw new Error(`alpaca: ${page}`);
      out.push(...page);
      if (out.length > executionsMax)
        throw new Error(
          `alpaca: more than ${executionsMax} fills to read: keel refuses a view it cannot get whole`,
        );
      const last = page[page.length - 1];
      if (page.length < activitiesPageSize || last === undefined) return out;
      token = last.id;
    }
  }

  /** The order as keel would have sent it, rebuilt from Alpaca's record (an order from before a restart). */
  private async specOf(o: AlpacaOrder, id: ClientOrderId): Promise<OrderSpec | null> {
    if (o.qty === null) return null;
    if (o.order_class === 'mleg') {
      const legs: OrderSpec['legs'][number][] = [];
      for (const l of o.legs ?? []) {
        const i = await this.instrument(InstrumentId.of(l.symbol));
        const ratio = l.ratio_qty ?? (l.qty === null ? null : l.qty / o.qty);
        if (i === null || ratio === null) return null;
        legs.push({ instrumentId: i.id, side: l.side === 'buy' ? 'BUY' : 'SELL', ratio });
      }
      return {
        clientOrderId: id,
        legs,
        qty: o.qty,
        type: 'LMT',
        limitPrice: o.limit_price,
        stopPrice: null,
        tif: o.time_in_force === 'gtc' ? 'GTC' : 'DAY',
        reduceOnly: false,
        parentClientOrderId: null,
      };
    }
    const r = await this.resolveInstrument({ symbol: o.symbol });
    if (!r.ok) return null;
    const type: OrderType | null =
      o.type === 'market'
        ? 'MKT'
        : o.type === 'limit'
          ? 'LMT'
          : o.type === 'stop'
            ? 'STP'
            : o.type === 'stop_limit'
              ? 'STP_LMT'
              : null;
    const tif: TimeInForce | null =
      o.time_in_force === 'day'
        ? 'DAY'
        : o.time_in_force === 'gtc'
          ? 'GTC'
          : o.time_in_force === 'ioc'
            ? 'IOC'
            : null;
    if (type === null || tif === null) return null;
    return {
      clientOrderId: id,
      legs: [{ instrumentId: r.instrument.id, side: o.side === 'buy' ? 'BUY' : 'SELL', ratio: 1 }],
      qty: o.qty,
      type,
      limitPrice: o.limit_price,
      stopPrice: o.stop_price,
      tif,
      reduceOnly: false,
      parentClientOrderId: null,
    };
  }

  // ---- instruments ---------------------------------------------------------------------------------

  resolveInstrument(terms: InstrumentTerms): MaybePromise<ResolveResult> {
    if ('strike' in terms) {
      const occ = occSymbol(terms.symbol, terms.expiry, terms.strike, terms.right);
      if (occ === null)
        return {
          ok: false,
          reason: `${terms.symbol} ${terms.expiry} ${terms.strike}${terms.right} has no OCC symbol (root of 1-6 letters, a date, a strike in tenths of a cent)`,
        };
      return this.resolveContract(occ);
    }
    if (terms.kind !== undefined && terms.kind !== 'equity')
      return { ok: false, reason: `Alpaca lists no ${terms.kind} ${terms.symbol} (equities only here)` };
    const known = this.instruments.get(InstrumentId.of(terms.symbol));
    if (known) return { ok: true, instrument: known };
    const asked = this.resolving.get(terms.symbol);
    if (asked) return asked;
    const lookup = this.lookupAsset(terms.symbol).finally(() => this.resolving.delete(terms.symbol));
    this.resolving.set(terms.symbol, lookup);
    return lookup;
  }

  private async lookupAsset(symbol: string): Promise<ResolveResult> {
    if (!/^[A-Za-z0-9./-]{1,20}$/.test(symbol))
      return { ok: false, reason: `'${symbol}' is not an Alpaca symbol` };
    try {
      const a = readAs(assetSchema, await this.client.asset(symbol), `asset ${symbol}`);
      if (typeof a === 'string') return { ok: false, reason: a };
      if (a.class !== 'us_equity') return { ok: false, reason: `${symbol} is ${a.class}, not an equity` };
      if (!a.tradable || a.status !== 'active')
        return { ok: false, reason: `${symbol} is not tradable at Alpaca` };
      const instrument: Instrument = {
        id: InstrumentId.of(a.symbol),
        symbol: a.symbol,
        kind: 'equity',
        multiplier: 1,
        tick: 0.01,
        lot: 1,
      };
      this.instruments.set(instrument.id, instrument);
      return { ok: true, instrument };
    } catch (e) {
      return { ok: false, reason: `Alpaca has no asset ${symbol}: ${errorText(e)}` };
    }
  }

  instrument(id: InstrumentId): MaybePromise<Instrument | null> {
    const known = this.instruments.get(id);
    if (known) return known;
    const r = isOccSymbol(id) ? this.resolveContract(id) : this.resolveInstrument({ symbol: id });
    return Promise.resolve(r).then((x) => (x.ok ? x.instrument : null));
  }

  /** An option contract by its OCC symbol (`GET /v2/options/contracts/{symbol}`), once per session. */
  private resolveContract(occ: string): MaybePromise<ResolveResult> {
    const known = this.instruments.get(InstrumentId.of(occ));
    if (known) return { ok: true, instrument: known };
    const asked = this.resolving.get(occ);
    if (asked) return asked;
    const lookup = (async (): Promise<ResolveResult> => {
      try {
        const c = readAs(
          optionContractSchema,
          await this.client.optionContract(occ),
          `option contract ${occ}`,
        );
        if (typeof c === 'string') return { ok: false, reason: c };
        if (!c.tradable || c.status !== 'active')
          return { ok: false, reason: `${occ} is not tradable at Alpaca` };
        return { ok: true, instrument: this.noteContract(c) };
      } catch (e) {
        return { ok: false, reason: `Alpaca has no option contract ${occ}: ${errorText(e)}` };
      }
    })().finally(() => this.resolving.delete(occ));
    this.resolving.set(occ, lookup);
    return lookup;
  }

  private noteContract(c: AlpacaOptionContract): Instrument {
    const instrument: Instrument = {
      id: InstrumentId.of(c.symbol),
      symbol: c.underlying_symbol,
      kind: 'option',
      multiplier: c.size,
      tick: 0.01,
      lot: 1,
      expiry: c.expiration_date,
      strike: c.strike_price,
      right: c.type === 'call' ? 'C' : 'P',
      // Alpaca lists options on US equities and ETFs.
      underlyingKind: 'equity',
    };
    this.instruments.set(instrument.id, instrument);
    return instrument;
  }

  /** The contracts Alpaca lists for an underlying and expiry (every page), by strike; [] when it lists none. */
  optionChain(symbol: string, expiry: string): MaybePromise<readonly Instrument[]> {
    if (!/^[A-Z]{1,6}$/.test(symbol) || !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) return [];
    return (async () => {
      const out: Instrument[] = [];
      let token: string | null = null;
      try {
        for (let page = 0; page < 100; page++) {
          const body = await this.client.optionContracts(symbol, expiry, token);
          const p = readAs(optionContractsPageSchema, body, `option contracts of ${symbol} ${expiry}`);
          if (typeof p === 'string') {
            this.log(p);
            return [];
          }
          for (const c of p.option_contracts)
            if (c.tradable && c.status === 'active' && c.expiration_date === expiry)
              out.push(this.noteContract(c));
          token = p.next_page_token ?? null;
          if (token === null) break;
        }
      } catch (e) {
        this.log(`option chain of ${symbol} ${expiry}: ${errorText(e)}`);
        return [];
      }
      return out.sort((a, b) =>
        a.kind === 'option' && b.kind === 'option'
          ? a.strike - b.strike || a.right.localeCompare(b.right)
          : 0,
      );
    })();
  }

  // ---- market data ---------------------------------------------------------------------------------

  watch(instrumentIds: readonly InstrumentId[]): void {
    for (const id of instrumentIds) this.watched.add(id);
  }

  /** Reads the latest quote and trade of every watched symbol (one request). */
  async refreshQuotes(): Promise<void> {
    if (this.watched.size === 0 || !this.isConnected()) return;
    const all = [...this.watched].sort();
    const stocks = all.filter((x) => !isOccSymbol(x));
    const options = all.filter((x) => isOccSymbol(x));
    const snaps: Record<string, z.infer<typeof stockSnapshotsSchema>[string]> = {};
    if (stocks.length > 0) {
      const read = readAs(stockSnapshotsSchema, await this.client.stockSnapshots(stocks), 'stock snapshots');
      if (typeof read === 'string') this.log(read);
      else Object.assign(snaps, read);
    }
    // Option quotes: `GET /v1beta1/options/snapshots`, at most 100 contracts a request.
    for (let at = 0; at < options.length; at += 100) {
      const body = await this.client.optionSnapshots(options.slice(at, at + 100));
      const read = readAs(optionSnapshotsSchema, body, 'option snapshots');
      if (typeof read === 'string') this.log(read);
      else Object.assign(snaps, read.snapshots);
    }
    const t = this.clock.now();
    for (const [symbol, s] of Object.entries(snaps)) {
      const q = s.latestQuote;
      if (q && q.bp > 0 && q.ap >= q.bp)
        this.quotes.set(symbol, {
          bid: q.bp,
          ask: q.ap,
          mid: Math.round(((q.bp + q.ap) / 2) * 1e6) / 1e6,
          t,
        });
      else this.quotes.delete(symbol);
      if (s.latestTrade && s.latestTrade.p > 0) this.lastTrade.set(symbol, s.latestTrade.p);
    }
  }

  private quote(id: InstrumentId): Quote | null {
    this.watched.add(id);
    return this.quotes.get(id) ?? null;
  }

  private spot(symbol: string): number | null {
    this.watched.add(symbol);
    return this.lastTrade.get(symbol) ?? this.quotes.get(symbol)?.mid ?? null;
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  private push(e: VenueEvent): void {
    if (!this.closed) this.listener?.(e);
  }

  /** A client-side report: after the caller's turn, never inside it. */
  private deferred(e: VenueEvent): void {
    const p = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.push(e);
        resolve();
      }),
    );
    this.track(p);
  }

  private track<T>(p: Promise<T>): Promise<void> {
    const settled = p.then(
      () => undefined,
      (e: unknown) => this.log(`unexpected: ${errorText(e)}`),
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
    return settled;
  }

  private backoffMs(attempt: number, retryAfterMs: number | null): number {
    const base = this.options.retryBaseMs ?? 500;
    return Math.min(30_000, retryAfterMs ?? base * 2 ** attempt);
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
      this.options.log?.('alpaca: log line budget reached; further lines dropped');
    if (this.logged > logLinesMax) return;
    this.options.log?.(`alpaca: ${line}`);
  }

  /** The last account figures read (null before connect). */
  get lastAccount(): AlpacaAccount | null {
    return this.accountSeen;
  }
}

/** keel's ids are never UUIDs; Alpaca names what keel did not (legs, orders entered by hand) with UUIDs. */
function keelIdOf(clientOrderId: string): ClientOrderId | null {
  if (isUuid(clientOrderId)) return null;
  const r = ClientOrderId.parse(clientOrderId);
  return r.ok ? r.value : null;
}

/** Between the two keel ids an OCO order's client_order_id carries. */
const ocoSeparator = '::';

/**
 * An OCO order's client_order_id: the take-profit's id, then the stop-loss's. Both are keel ids of
 * one group (`<group id>-p<n>`), so the stop's is written from its last `-` on (`g-p3::-p2`), which
 * no keel id starts with: two full ids of a group id longer than 21 characters would pass Alpaca's
 * 48, and the pair would go as two separate exits, the second refused (Alpaca holds the shares for
 * one sell order only). An id of another group is written whole.
 */
function ocoWireId(takeProfit: string, stopLoss: string): string {
  const cut = takeProfit.lastIndexOf('-');
  const short = cut > 0 && stopLoss.startsWith(takeProfit.slice(0, cut + 1)) ? stopLoss.slice(cut) : stopLoss;
  return `${takeProfit}${ocoSeparator}${short}`;
}

function splitWireId(clientOrderId: string): [string, string | null] {
  const at = clientOrderId.indexOf(ocoSeparator);
  if (at < 0) return [clientOrderId, null];
  const first = clientOrderId.slice(0, at);
  const second = clientOrderId.slice(at + ocoSeparator.length);
  return [first, second.startsWith('-') ? `${first.slice(0, first.lastIndexOf('-'))}${second}` : second];
}

function isTakeProfit(spec: OrderSpec): boolean {
  return (
    (spec.type === 'LMT' && spec.limitPrice !== null) || (spec.type === 'MIT' && spec.stopPrice !== null)
  );
}

/**
 * Exits of one bracket: the same parent, or, for an order learned after a restart (Alpaca keeps no
 * parent), keel's protective ids of the same group (`<group>-p<n>`).
 */
function sameBracket(a: OrderSpec, b: OrderSpec): boolean {
  if (a.parentClientOrderId !== null && b.parentClientOrderId !== null)
    return a.parentClientOrderId === b.parentClientOrderId;
  const group = (id: string) => /^(.+)-p\d+$/.exec(id)?.[1] ?? null;
  const g = group(a.clientOrderId);
  return g !== null && g === group(b.clientOrderId);
}

function isStopLoss(spec: OrderSpec): boolean {
  return (spec.type === 'STP' || spec.type === 'STP_LMT') && spec.stopPrice !== null;
}

/** A stop-loss and a take-profit of one position as one Alpaca OCO order: the limit leg first, the stop its leg. */
function ocoRequest(tp: OrderSpec, stop: OrderSpec, symbol: string, wireId: string): AlpacaOrderRequest {
  const price = (p: number | null) => String(Math.round((p ?? 0) * 1e6) / 1e6);
  const target = tp.type === 'MIT' ? tp.stopPrice : tp.limitPrice;
  return {
    symbol,
    qty: String(roundQty(tp.qty)),
    side: tp.legs[0]?.side === 'BUY' ? 'buy' : 'sell',
    type: 'limit',
    timeInForce: tp.tif === 'DAY' ? 'day' : 'gtc',
    limitPrice: price(target),
    stopPrice: null,
    clientOrderId: wireId,
    orderClass: 'oco',
    positionIntent: closingIntent(tp, tp.legs[0]?.side ?? 'SELL'),
    takeProfit: { limitPrice: price(target) },
    stopLoss: {
      stopPrice: price(stop.stopPrice),
      ...(stop.type === 'STP_LMT' ? { limitPrice: price(stop.limitPrice) } : {}),
    },
  };
}

function execIdOfActivity(activityId: string): string {
  const at = activityId.indexOf('::');
  return at >= 0 ? activityId.slice(at + 2) : activityId;
}

function isOpen(status: AlpacaOrder['status']): boolean {
  switch (status) {
    case 'new':
    case 'partially_filled':
    case 'accepted':
    case 'pending_new':
    case 'pending_cancel':
    case 'pending_replace':
    case 'accepted_for_bidding':
    case 'held':
    case 'calculated':
    case 'stopped':
    case 'suspended':
      return true;
    case 'filled':
    case 'done_for_day':
    case 'canceled':
    case 'expired':
    case 'replaced':
    case 'rejected':
      return false;
  }
}

/** keel's order as Alpaca's request; prices only cleaned of float noise (an off-tick price is Alpaca's to refuse). */
function orderRequest(spec: OrderSpec, symbol: string, side: Side): AlpacaOrderRequest | string {
  const price = (p: number | null) => (p === null ? null : String(Math.round(p * 1e6) / 1e6));
  const base = {
    symbol,
    qty: String(roundQty(spec.qty)),
    side: side === 'BUY' ? ('buy' as const) : ('sell' as const),
    timeInForce:
      spec.tif === 'DAY' ? ('day' as const) : spec.tif === 'GTC' ? ('gtc' as const) : ('ioc' as const),
    clientOrderId: spec.clientOrderId,
    orderClass: 'simple' as const,
    takeProfit: null,
    stopLoss: null,
    positionIntent: closingIntent(spec, side),
  };
  switch (spec.type) {
    case 'MKT':
      return { ...base, type: 'market', limitPrice: null, stopPrice: null };
    case 'LMT':
      return { ...base, type: 'limit', limitPrice: price(spec.limitPrice), stopPrice: null };
    case 'STP':
      return { ...base, type: 'stop', limitPrice: null, stopPrice: price(spec.stopPrice) };
    case 'STP_LMT':
      return {
        ...base,
        type: 'stop_limit',
        limitPrice: price(spec.limitPrice),
        stopPrice: price(spec.stopPrice),
      };
    case 'MIT':
      // Alpaca has no market-if-touched: a take-profit rests as a limit at its price.
      return spec.stopPrice === null
        ? 'a take-profit (MIT) without its price'
        : { ...base, type: 'limit', limitPrice: price(spec.stopPrice), stopPrice: null };
  }
}

/** A reduce-only order closes what keel owns: Alpaca's position intent says so (`*_to_close`). */
function closingIntent(spec: OrderSpec, side: Side): 'buy_to_close' | 'sell_to_close' | null {
  if (!spec.reduceOnly) return null;
  return side === 'BUY' ? 'buy_to_close' : 'sell_to_close';
}

function roundQty(q: number): number {
  return Math.round(q * 1e9) / 1e9;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What Alpaca names an instrument by: an option by its OCC symbol (keel's id for it), else its symbol. */
function wireSymbol(i: Instrument): string {
  return i.kind === 'option' ? i.id : i.symbol;
}

const occPattern = /^[A-Z]{1,6}\d{6}[CP]\d{8}$/;

function isOccSymbol(text: string): boolean {
  return occPattern.test(text);
}

/** The OCC symbol: root, YYMMDD, C or P, the strike in thousandths (SPY260220C00500000); null when it has none. */
export function occSymbol(root: string, expiry: string, strike: number, right: 'C' | 'P'): string | null {
  const date = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(expiry);
  const thousandths = Math.round(strike * 1000);
  if (!/^[A-Z]{1,6}$/.test(root) || date === null || !(thousandths > 0) || thousandths >= 1e8) return null;
  if (Math.abs(thousandths - strike * 1000) > 1e-6) return null;
  return `${root}${date[1]}${date[2]}${date[3]}${right}${String(thousandths).padStart(8, '0')}`;
}
