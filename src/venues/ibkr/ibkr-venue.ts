// The Interactive Brokers venue: keel's Venue contract over TWS / IB Gateway through @stoqey/ib.
// What IB says in its own words (order statuses, error codes, executions and commission reports
// that arrive apart, combo fills leg by leg) becomes keel's typed events here and nowhere else.
// Events are pushed from the socket's callbacks, never from inside submit() or cancel(); a fill
// leaves only when whole (commission joined, every leg of a combo execution in) and a combo's
// legs leave in one synchronous run. On 1100 the adapter says the link is down and refuses to send;
// on 1101/1102 it says it is up and keel reconciles. Time stamps come from the injected clock.
import {
  IBApi,
  EventName,
  type Contract,
  type ContractDetails,
  type Execution,
  type Order,
  type OrderState,
} from '@stoqey/ib';
import {
  assert,
  ClientOrderId,
  ExecId,
  fixedOffsetZone,
  legsPerOrderMax,
  localDate,
  VenueOrderId,
  type Clock,
  type Instrument,
  type InstrumentId,
  type InstrumentTerms,
  type OrderSpec,
} from '../../domain';
import type {
  MaybePromise,
  QuoteBook,
  Quote,
  ResolveResult,
  SnapshotRequest,
  Venue,
  VenueCapabilities,
  VenueEvent,
  VenueExecution,
  VenueFill,
  VenueListener,
  VenueOrderStatus,
  VenuePosition,
  VenueSettlement,
  VenueSnapshot,
} from '../venue';
import { ibkrConfigErrors, type IbkrConfig } from './config';
import {
  chainQuery,
  conIdOf,
  contractOf,
  instrumentFromDetails,
  instrumentIdOf,
  queriesFor,
} from './contracts';
import { meaningOf } from './errors';
import {
  ComboExecution,
  ExecutionBook,
  execPrefix,
  readExecution,
  type ExecutionRecord,
  type IbExecution,
} from './executions';
import { OrderIdAllocator } from './order-ids';
import { specFromOpenOrder, toIbOrder } from './order-mapping';
import { Outbox, type Reserved } from './outbox';
import {
  newOrderLife,
  onExecution,
  onFilled,
  onReject,
  onStatus,
  parseIbOrderStatus,
  type OrderLife,
} from './status-mapping';

export type IbkrVenueOptions = {
  readonly config: IbkrConfig;
  /** Event time stamps (the simulator passes its clock); default the wall clock. */
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  /** Requests per second to TWS (IB allows 50; default 40). A loopback fake may take more. */
  readonly maxReqPerSec?: number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How long a fill may wait for its commission report or its combo's other legs. */
  readonly reportWaitMs?: number;
  /** Reconnect attempts after TWS closes the socket (0: none). */
  readonly reconnectAttemptsMax?: number;
  /** Market data lines keel may hold (IB's default allowance is 100). */
  readonly marketDataLinesMax?: number;
};

type TrackedOrder = {
  readonly ibOrderId: number;
  readonly clientOrderId: ClientOrderId | null;
  spec: OrderSpec | null;
  permId: number;
  life: OrderLife;
  cancelPending: boolean;
  /** Filled quantity in order units (combo units for a BAG), from the executions keel delivered. */
  filledQty: number;
  legQty: number;
  cash: number;
  /** conId -> ratio for a combo. */
  readonly ratios: Map<number, number>;
  assembly: Assembly | null;
};

/** One combo execution being put together: the BAG's execution and its legs, in one outbox slot. */
type Assembly = { readonly slot: Reserved; bag: ComboExecution | null; readonly legs: ExecutionRecord[] };

type Pending<T> = {
  readonly items: T[];
  readonly resolve: (items: T[]) => void;
  readonly reject: (e: Error) => void;
};

type QuoteFields = {
  bid: number | null;
  ask: number | null;
  mark: number | null;
  last: number | null;
  t: number;
  /** IB's delayed quotes (15 minutes or more), on an account without a subscription. */
  delayed: boolean;
};

/** Live quotes refused for want of a subscription (354; 10089/10090/10168: part or all of it). */
const noSubscriptionCodes: ReadonlySet<number> = new Set([354, 10089, 10090, 10168]);
/** "Displaying delayed market data": the line is served, late. */
const delayedServedCode = 10167;
/** Delayed tick types: bid, ask, last (live 1, 2, 4). */
const delayedTicks: Readonly<Record<number, 'bid' | 'ask' | 'last'>> = { 66: 'bid', 67: 'ask', 68: 'last' };
/** reqMarketDataType: 3 delayed (live where subscribed). */
const marketDataTypeDelayed = 3;

const requestIdFirst = 900_000_000;
const pendingLinesNoted = 20;

export class IbkrVenue implements Venue {
  readonly name = 'ibkr';
  readonly capabilities: VenueCapabilities = {
    combos: true,
    nativeBrackets: false,
    positionHistory: false,
    // IB has no reduce-only flag for options: keel's close sizing against owned quantity guards it.
    reduceOnly: false,
    marketOrders: true,
    // orderRef takes free text; keel's ids are at most 48 of these characters.
    clientOrderId: { maxLength: 48, allowed: /^[A-Za-z0-9._:-]+$/ },
    comboLegsMax: legsPerOrderMax,
  };
  readonly market: QuoteBook;

  private readonly clock: Clock;
  private readonly ids: OrderIdAllocator;
  private readonly outbox: Outbox;
  private readonly book = new ExecutionBook();
  private readonly orders = new Map<number, TrackedOrder>();
  private readonly byClientId = new Map<string, TrackedOrder>();
  private readonly instruments = new Map<InstrumentId, Instrument>();
  private readonly resolvedTerms = new Map<string, ResolveResult>();
  private readonly resolving = new Map<string, Promise<ResolveResult>>();
  private readonly chainsKnown = new Map<string, readonly Instrument[]>();
  private readonly chains = new Map<string, Promise<readonly Instrument[]>>();
  private readonly positions = new Map<number, { qty: number; avgPrice: number }>();
  private readonly fillsSincePosition = new Map<number, number>();
  private readonly settlements: VenueSettlement[] = [];
  private readonly quotes = new Map<InstrumentId, QuoteFields>();
  private readonly tickers = new Map<number, InstrumentId>();
  private readonly watched = new Map<InstrumentId, number>();
  /** Delayed market data asked for (once a session) / served by TWS. */
  private delayedAsked = false;
  private marketDataDelayed = false;
  private readonly details = new Map<number, Pending<ContractDetails>>();
  private readonly execRequests = new Map<number, Pending<{ contract: Contract; exec: Execution }>>();
  private openOrdersRequest: Pending<{ contract: Contract; order: Order; state: OrderState }> | null = null;
  private positionsRequest: Pending<{
    account: string;
    contract: Contract;
    pos: number;
    avgCost: number;
  }> | null = null;
  private readonly timeWaiters: (() => void)[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Single-leg executions waiting for their commission report. */
  private readonly pendingSingles = new Map<ExecutionRecord, { order: TrackedOrder; slot: Reserved }>();
  private ib: IBApi | null = null;
  private listener: VenueListener | null = null;
  private nextRequestId = requestIdFirst;
  private sessionUp = false;
  private linkDown = false;
  private ready = false;
  private closed = true;
  private resyncing = false;
  private accounts: string[] = [];
  private connecting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private snapshotTurn: Promise<unknown> = Promise.resolve();
  private reconnectAttempts = 0;

  constructor(private readonly options: IbkrVenueOptions) {
    this.clock = options.clock ?? { now: () => Date.now(), timeZone: fixedOffsetZone(0) };
    this.ids = new OrderIdAllocator(options.config.lastOrderId);
    this.outbox = new Outbox((e) => {
      if (!this.closed) this.listener?.(e);
    });
    this.market = {
      spot: (symbol) => this.spot(symbol),
      quote: (id) => this.quote(id),
    };
  }

  readonly orderSequence = {
    resume: (last: number | null, onTaken: (id: number) => void) => this.ids.resume(last, onTaken),
  };

  /** The last order id this adapter used (or was told was used): journal it for the next start. */
  get lastOrderIdUsed(): number | null {
    return this.ids.lastUsedId;
  }

  get managedAccounts(): readonly string[] {
    return this.accounts;
  }

  /** The account keel trades: the configured one, else the only one the login manages. */
  get tradedAccount(): string | null {
    return this.options.config.account ?? (this.accounts.length === 1 ? (this.accounts[0] ?? null) : null);
  }

  // ---- session ----------------------------------------------------------------------------------

  async connect(): Promise<void> {
    const errors = ibkrConfigErrors(this.options.config);
    if (errors.length > 0) throw new Error(`ibkr: invalid config: ${errors.join('; ')}`);
    this.closed = false;
    await this.openSession();
    await this.learnVenue();
    this.ready = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener = null;
    this.ready = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.outbox.clear();
    const ib = this.ib;
    this.ib = null;
    this.sessionUp = false;
    if (ib) {
      ib.removeAllListeners();
      ib.disconnect();
    }
    this.failPending(new Error('ibkr: the session was closed'));
  }

  subscribe(listener: VenueListener): () => void {
    assert(this.listener === null, 'the ibkr venue has one subscriber at a time');
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }

  isConnected(): boolean {
    return this.sessionUp && !this.linkDown && !this.closed;
  }

  /** One request and its answer (reqCurrentTime): TCP being ordered, everything sent before has been handled. */
  roundTrip(): Promise<void> {
    const ib = this.ib;
    if (ib === null || !this.sessionUp) return Promise.resolve();
    return this.timed<never>('current time', (resolve) => {
      this.timeWaiters.push(() => resolve([]));
      ib.reqCurrentTime();
    }).then(() => undefined);
  }

  private openSession(): Promise<void> {
    const c = this.options.config;
    const ib = new IBApi({ host: c.host, port: c.port, maxReqPerSec: this.options.maxReqPerSec ?? 40 });
    this.ib = ib;
    this.listen(ib);
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.connecting = null;
        ib.disconnect();
        reject(new Error(`ibkr: no answer from TWS / Gateway at ${c.host}:${c.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.connecting = {
        resolve: () => {
          clearTimeout(timer);
          this.connecting = null;
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          this.connecting = null;
          this.sessionUp = false;
          ib.removeAllListeners();
          ib.disconnect();
          reject(e);
        },
      };
      ib.connect(c.clientId);
    });
  }

  /** What is at the venue before keel acts: its open orders (keel's by orderRef) and positions. */
  private async learnVenue(): Promise<void> {
    await this.openOrders();
    await this.requestPositions();
  }

  private listen(api: IBApi): void {
    // The client library types each event's arguments; the handlers below read them as the decoder emits them.
    const ib = api as unknown as { on(event: EventName, fn: (...args: never[]) => void): void };
    const mine =
      <A extends never[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (api === this.ib) fn(...args);
      };
    ib.on(
      EventName.nextValidId,
      mine((id: number) => this.onNextValidId(id)),
    );
    ib.on(
      EventName.managedAccounts,
      mine((list: string) => (this.accounts = list.split(',').filter((a) => a !== ''))),
    );
    ib.on(
      EventName.disconnected,
      mine(() => this.onSocketClosed()),
    );
    ib.on(
      EventName.error,
      mine((err: Error, code: number, reqId: number) => this.onError(err.message, code, reqId)),
    );
    ib.on(
      EventName.info,
      mine((message: string, code: number) => this.onNotice(message, code)),
    );
    ib.on(
      EventName.currentTime,
      mine(() => this.timeWaiters.shift()?.()),
    );
    ib.on(
      EventName.orderStatus,
      mine(
        (orderId: number, status: string, filled: number, remaining: number, _avg: number, permId: number) =>
          this.onOrderStatus(orderId, status, filled, remaining, permId),
      ),
    );
    ib.on(
      EventName.openOrder,
      mine((orderId: number, contract: Contract, order: Order, state: OrderState) =>
        this.onOpenOrder(orderId, contract, order, state),
      ),
    );
    ib.on(
      EventName.openOrderEnd,
      mine(() => this.endOf('openOrders')),
    );
    ib.on(
      EventName.execDetails,
      mine((reqId: number, contract: Contract, exec: Execution) => this.onExecDetails(reqId, contract, exec)),
    );
    ib.on(
      EventName.execDetailsEnd,
      mine((reqId: number) => this.endOfExecutions(reqId)),
    );
    ib.on(
      EventName.commissionReport,
      mine((r: { execId?: string; commission?: number }) => this.onCommission(r.execId ?? '', r.commission)),
    );
    ib.on(
      EventName.position,
      mine((account: string, contract: Contract, pos: number, avgCost: number) =>
        this.onPosition(account, contract, pos, avgCost),
      ),
    );
    ib.on(
      EventName.positionEnd,
      mine(() => this.endOf('positions')),
    );
    ib.on(
      EventName.contractDetails,
      mine((reqId: number, d: ContractDetails) => this.details.get(reqId)?.items.push(d)),
    );
    ib.on(
      EventName.contractDetailsEnd,
      mine((reqId: number) => this.endOfDetails(reqId)),
    );
    ib.on(
      EventName.tickPrice,
      mine((tickerId: number, field: number, price: number) => this.onTick(tickerId, field, price)),
    );
  }

  private onNextValidId(id: number): void {
    this.ids.onNextValidId(id);
    const wasUp = this.sessionUp;
    this.sessionUp = true;
    const connecting = this.connecting;
    if (connecting) {
      const account = this.options.config.account;
      if (account !== null && this.accounts.length > 0 && !this.accounts.includes(account))
        return connecting.reject(
          new Error(`ibkr: account ${account} is not one this login manages (${this.accounts.join(', ')})`),
        );
      // Positions and orders of several accounts must never mix into one engine's view.
      if (account === null && this.accounts.length > 1)
        return connecting.reject(
          new Error(
            `ibkr: this login manages ${this.accounts.length} accounts (${this.accounts.join(', ')}): name the one keel trades with venue.account`,
          ),
        );
      this.log(
        `connected to ${this.options.config.host}:${this.options.config.port} as client ${this.options.config.clientId}, server version ${this.ib?.serverVersion ?? '?'}, next order id ${id}`,
      );
      return connecting.resolve();
    }
    if (!wasUp && this.reconnectAttempts > 0) this.log(`reconnected; next order id ${id}`);
  }

  /** TWS closed the socket (or it broke): the link is down until a reconnect says otherwise. */
  private onSocketClosed(): void {
    const wasUp = this.sessionUp;
    this.sessionUp = false;
    if (this.connecting)
      return this.connecting.reject(
        new Error('ibkr: TWS / Gateway closed the connection during the handshake'),
      );
    if (this.closed || !wasUp) return;
    const held = this.outbox.held;
    this.outbox.clear();
    this.log(
      `TWS / Gateway closed the connection${held > 0 ? `; ${held} report(s) not yet whole are re-read from the venue on reconnect` : ''}`,
    );
    this.failPending(new Error('ibkr: the connection to TWS / Gateway was lost'));
    this.push({ type: 'connection', t: this.clock.now(), up: false });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const max = this.options.reconnectAttemptsMax ?? 6;
    if (this.closed || this.reconnectAttempts >= max) {
      if (!this.closed)
        this.log(`gave up reconnecting after ${this.reconnectAttempts} attempt(s): keel stays disconnected`);
      return;
    }
    const delayMs = Math.min(30_000, 500 * 2 ** this.reconnectAttempts++);
    this.later(delayMs, () => {
      if (this.closed) return;
      this.openSession()
        .then(
          () =>
            this.learnVenue().then(() => {
              this.reconnectAttempts = 0;
              this.linkDown = false;
              this.resubscribe();
              this.push({ type: 'connection', t: this.clock.now(), up: true, dataLost: true });
            }),
          (e: unknown) => {
            this.log(`reconnect failed: ${e instanceof Error ? e.message : String(e)}`);
            this.scheduleReconnect();
          },
        )
        .catch((e: unknown) => this.log(`reconnect: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  // ---- errors and notices -------------------------------------------------------------------------

  /** A message TWS sent with id -1: connectivity and farm notices. */
  private onNotice(message: string, code: number): void {
    const meaning = meaningOf(code, 'session');
    switch (meaning.kind) {
      case 'linkDown':
        this.log(`${code} ${message}: orders are not sent until TWS reconnects`);
        if (this.linkDown) return;
        this.linkDown = true;
        return this.push({ type: 'connection', t: this.clock.now(), up: false });
      case 'linkUp':
        this.log(`${code} ${message}: keel reconciles before trading again`);
        if (!this.linkDown) return;
        this.linkDown = false;
        if (meaning.dataLost) this.resubscribe();
        return this.push({ type: 'connection', t: this.clock.now(), up: true, dataLost: meaning.dataLost });
      case 'session':
        if (this.connecting && code === 326)
          return this.connecting.reject(new Error(`ibkr: ${code} ${message}`));
        return this.log(`${code} ${message} (${meaning.detail})`);
      default:
        return this.log(`notice ${code}: ${message}`);
    }
  }

  private onError(message: string, code: number, reqId: number): void {
    if (this.details.has(reqId)) return this.failDetails(reqId, code, message);
    const line = this.tickers.get(reqId);
    if (line !== undefined) return this.onMarketDataError(reqId, line, code, message);
    const order = this.orders.get(reqId);
    if (order) return this.onOrderError(order, code, message);
    const meaning = meaningOf(code, 'session');
    if (this.connecting && meaning.kind === 'session')
      return this.connecting.reject(new Error(`ibkr: ${meaning.detail} (${code}: ${message})`));
    if (meaning.kind === 'undecodable') return this.resync(`${code} ${message}`);
    if (reqId !== -1 && reqId < requestIdFirst)
      return this.log(
        `error ${code} for order id ${reqId} that keel did not place in this session: ${message}`,
      );
    this.log(`error ${code}${reqId === -1 ? '' : ` (request ${reqId})`}: ${message}`);
  }

  private onOrderError(order: TrackedOrder, code: number, message: string): void {
    const scope = order.cancelPending ? 'cancel' : 'order';
    const meaning = meaningOf(code, scope);
    const name = `order ${order.clientOrderId ?? order.ibOrderId}`;
    switch (meaning.kind) {
      case 'reject': {
        if (code === 103) this.ids.skipPast(order.ibOrderId);
        if (order.life.accepted)
          return this.log(`${name}: ${code} ${message} on a working order: left as it is`);
        const step = onReject(order.life, code, message);
        order.life = step.life;
        if (step.ended === null || order.clientOrderId === null) return;
        this.log(`${name} rejected: ${code} ${message}`);
        return this.push({
          type: 'rejected',
          t: this.clock.now(),
          clientOrderId: order.clientOrderId,
          venueOrderId: order.permId > 0 ? VenueOrderId.of(String(order.permId)) : null,
          reason: meaning.reason,
          code,
          message,
        });
      }
      case 'orderCancelled':
        order.life = { ...order.life, lastError: { code, message } };
        return;
      case 'cancelReject':
        order.cancelPending = false;
        order.life = { ...order.life, cancelRequested: false };
        if (order.clientOrderId === null) return;
        return this.push({
          type: 'cancelRejected',
          t: this.clock.now(),
          clientOrderId: order.clientOrderId,
          reason: meaning.reason,
          detail: `${code} ${message}`,
        });
      case 'info':
        return this.log(`${name}: ${code} ${message} (informational: the order stands and may still fill)`);
      default:
        return this.log(
          `${name}: unmapped error ${code} ${message}: the order is left as it is; check it in TWS`,
        );
    }
  }

  /**
   * The client library could not read a message: it may have been a fill. keel is told the link
   * dropped and came back with data lost, so it reconciles from the venue's own records.
   */
  private resync(why: string): void {
    this.log(`could not read a message from TWS (${why}): keel re-reads orders, positions and executions`);
    if (this.resyncing || !this.ready) return;
    this.resyncing = true;
    const wasDown = this.linkDown;
    if (!wasDown) this.push({ type: 'connection', t: this.clock.now(), up: false });
    void this.roundTrip()
      .catch(() => undefined)
      .then(() => {
        this.resyncing = false;
        if (!wasDown && !this.linkDown && this.sessionUp)
          this.push({ type: 'connection', t: this.clock.now(), up: true, dataLost: true });
      });
  }

  // ---- orders -------------------------------------------------------------------------------------

  submit(spec: OrderSpec): void {
    const t = this.clock.now();
    const refuse = (
      reason: Extract<VenueEvent, { type: 'rejected' }>['reason'],
      code: number,
      message: string,
    ) =>
      this.deferred({
        type: 'rejected',
        t,
        clientOrderId: spec.clientOrderId,
        venueOrderId: null,
        reason,
        code,
        message,
      });
    if (!this.isConnected() || !this.ids.ready)
      return refuse(
        'notSent',
        1100,
        'not connected to TWS / Gateway (or TWS has lost IB): the order was not sent',
      );
    if (this.byClientId.has(spec.clientOrderId))
      return refuse(
        'duplicateId',
        103,
        `client order id ${spec.clientOrderId} was already sent (IB does not check orderRef: keel does)`,
      );
    if (spec.legs.length > this.capabilities.comboLegsMax)
      return refuse(
        'unsupported',
        201,
        `a combo of ${spec.legs.length} legs: keel sends at most ${this.capabilities.comboLegsMax} to IB`,
      );
    const legs = spec.legs.map((l) => this.instruments.get(l.instrumentId) ?? null);
    const ib = toIbOrder(spec, legs, this.options.config.account ?? '');
    if (typeof ib === 'string') return refuse('unknownInstrument', 200, ib);
    const id = this.ids.take();
    const order = this.track(id, spec.clientOrderId, spec);
    for (const l of spec.legs)
      if (spec.legs.length > 1) order.ratios.set(conIdOf(l.instrumentId) ?? 0, l.ratio);
    this.ib?.placeOrder(id, ib.contract, ib.order);
  }

  cancel(clientOrderId: ClientOrderId): void {
    const t = this.clock.now();
    const refuse = (reason: Extract<VenueEvent, { type: 'cancelRejected' }>['reason'], detail: string) =>
      this.deferred({ type: 'cancelRejected', t, clientOrderId, reason, detail });
    if (!this.isConnected())
      return refuse('notSent', 'not connected to TWS / Gateway: the cancel was not sent');
    const order = this.byClientId.get(clientOrderId);
    if (!order) return refuse('unknownOrder', 'IB has no order of keel with this orderRef');
    order.cancelPending = true;
    order.life = { ...order.life, cancelRequested: true };
    this.ib?.cancelOrder(order.ibOrderId);
  }

  private track(
    ibOrderId: number,
    clientOrderId: ClientOrderId | null,
    spec: OrderSpec | null,
  ): TrackedOrder {
    const order: TrackedOrder = {
      ibOrderId,
      clientOrderId,
      spec,
      permId: 0,
      life: newOrderLife,
      cancelPending: false,
      filledQty: 0,
      legQty: 0,
      cash: 0,
      ratios: new Map(),
      assembly: null,
    };
    this.orders.set(ibOrderId, order);
    if (clientOrderId !== null) this.byClientId.set(clientOrderId, order);
    return order;
  }

  private onOrderStatus(
    orderId: number,
    text: string,
    filled: number,
    remaining: number,
    permId: number,
  ): void {
    const order = this.orders.get(orderId);
    if (!order) return;
    if (permId > 0) order.permId = permId;
    const status = parseIbOrderStatus(text);
    if (status === null)
      return this.log(`order ${order.clientOrderId ?? orderId}: unknown status '${text}' (left as it is)`);
    // What is left is the order less what TWS says filled (some versions say 0 left once cancelled).
    const left =
      order.spec !== null
        ? Math.max(0, order.spec.qty - Math.max(filled ?? 0, order.filledQty))
        : (remaining ?? 0);
    const step = onStatus(order.life, status, left);
    order.life = step.life;
    if (status === 'Cancelled' || status === 'ApiCancelled') order.cancelPending = false;
    if (step.accept) this.pushAccepted(order);
    const end = step.ended;
    if (end === null || order.clientOrderId === null) return;
    const t = this.clock.now();
    const venueOrderId = order.permId > 0 ? VenueOrderId.of(String(order.permId)) : null;
    if (end.kind === 'rejected')
      this.push({
        type: 'rejected',
        t,
        clientOrderId: order.clientOrderId,
        venueOrderId,
        reason: 'refused',
        code: end.code,
        message: end.message,
      });
    else if (end.kind === 'cancelled')
      this.push({
        type: 'cancelled',
        t,
        clientOrderId: order.clientOrderId,
        venueOrderId,
        remainingQty: end.remainingQty,
        reason: end.reason,
        detail: end.detail,
      });
  }

  private pushAccepted(order: TrackedOrder): void {
    if (order.clientOrderId === null || order.permId <= 0) return;
    const parentId = order.spec?.parentClientOrderId ?? null;
    const parent = parentId === null ? undefined : this.byClientId.get(parentId);
    this.push({
      type: 'accepted',
      t: this.clock.now(),
      clientOrderId: order.clientOrderId,
      venueOrderId: VenueOrderId.of(String(order.permId)),
      parentVenueOrderId: parent && parent.permId > 0 ? VenueOrderId.of(String(parent.permId)) : null,
    });
  }

  private onOpenOrder(orderId: number, contract: Contract, order: Order, state: OrderState): void {
    this.openOrdersRequest?.items.push({ contract, order, state });
    if (orderId <= 0 || order.clientId !== this.options.config.clientId) return;
    const ref = ClientOrderId.parse(order.orderRef);
    const known = this.orders.get(orderId);
    const tracked =
      known ?? this.track(orderId, ref.ok ? ref.value : null, specFromOpenOrder(contract, order));
    if (order.permId !== undefined && order.permId > 0) tracked.permId = order.permId;
    if (!known && tracked.spec && tracked.spec.legs.length > 1)
      for (const l of tracked.spec.legs) tracked.ratios.set(conIdOf(l.instrumentId) ?? 0, l.ratio);
    const status = parseIbOrderStatus(state.status ?? '');
    // An order learned from TWS (a restart) that is already working was accepted before keel's time.
    if (!known && (status === 'Submitted' || status === 'PreSubmitted'))
      tracked.life = { ...tracked.life, accepted: true, status };
    if (!known) this.ids.skipPast(orderId);
  }

  // ---- executions ---------------------------------------------------------------------------------

  private onExecDetails(reqId: number, contract: Contract, exec: Execution): void {
    const collecting = this.execRequests.get(reqId);
    if (collecting) return void collecting.items.push({ contract, exec });
    if (reqId !== -1) return;
    const x = readExecution(contract, exec);
    if (typeof x === 'string') return this.log(`an execution keel cannot read: ${x}`);
    const order = this.orders.get(x.orderId);
    if (!order)
      return this.log(
        `execution ${x.execId} of order id ${x.orderId} that keel did not place (orderRef '${x.orderRef}'): not keel's`,
      );
    const added = this.book.add(x, this.clock.now());
    if (added.kind === 'duplicate') return this.onDuplicate(order, added.record);
    if (added.kind === 'correction') return this.onCorrection(order, added.record, added.before);
    if (order.permId <= 0 && x.permId > 0) order.permId = x.permId;
    const step = onExecution(order.life);
    order.life = step.life;
    if (step.accept) this.pushAccepted(order);
    if (x.bag || order.ratios.size > 0) return this.comboExecution(order, added.record);
    this.countFill(x);
    const slot = this.reserve(`execution ${x.execId}`, () => this.fillEvents(order, [added.record]));
    this.pendingSingles.set(added.record, { order, slot });
  }

  private onDuplicate(order: TrackedOrder, record: ExecutionRecord): void {
    this.log(`execution ${record.exec.execId} reported again: passed on once more, counted once`);
    if (record.exec.bag) return;
    const fill = this.fillOf(order, record);
    if (fill) this.push({ type: 'fill', t: this.clock.now(), fill });
  }

  private onCorrection(order: TrackedOrder, record: ExecutionRecord, before: IbExecution): void {
    const same = before.shares === record.exec.shares && before.price === record.exec.price;
    this.log(
      same
        ? `execution ${record.key} re-reported as ${record.exec.execId}: the same execution, not counted again`
        : `execution ${record.key} of order ${order.clientOrderId ?? order.ibOrderId} corrected by ${record.exec.execId}: ${before.shares} @ ${before.price} -> ${record.exec.shares} @ ${record.exec.price}; keel's reconciliation reads the corrected one`,
    );
  }

  /** A combo: the BAG's execution opens an assembly; its legs join it; it leaves once whole. */
  private comboExecution(order: TrackedOrder, record: ExecutionRecord): void {
    const x = record.exec;
    if (!x.bag) this.countFill(x);
    let a = order.assembly;
    const fits = (asm: Assembly) => (x.bag ? asm.bag === null : asm.bag === null || asm.bag.takes(x));
    if (a === null || !fits(a)) {
      const fresh: Assembly = {
        slot: this.reserve(`combo execution of ${order.clientOrderId ?? order.ibOrderId}`, () =>
          this.forceAssembly(order, fresh),
        ),
        bag: null,
        legs: [],
      };
      order.assembly = fresh;
      a = fresh;
    }
    if (x.bag) {
      const bag = new ComboExecution(execPrefix(x.execId), x.shares, order.ratios);
      a.bag = bag;
      for (const leg of a.legs) bag.add(leg);
    } else {
      a.legs.push(record);
      a.bag?.add(record);
    }
    this.completeAssembly(order);
  }

  private completeAssembly(order: TrackedOrder): void {
    const a = order.assembly;
    if (a === null || a.bag === null || !a.bag.complete) return;
    order.assembly = null;
    order.filledQty += a.bag.units;
    if (order.spec && order.filledQty >= order.spec.qty) order.life = onFilled(order.life);
    a.slot.resolve(this.fillsOf(order, a.legs));
  }

  private forceAssembly(order: TrackedOrder, a: Assembly): VenueEvent[] {
    if (order.assembly === a) order.assembly = null;
    const comboExecId = a.bag?.comboExecId ?? (a.legs[0] ? execPrefix(a.legs[0].exec.execId) : null);
    for (const leg of a.legs) {
      leg.comboExecId ??= comboExecId;
      leg.commission ??= 0 as ExecutionRecord['commission'] & number;
    }
    this.log(
      `combo execution ${comboExecId ?? '?'} of ${order.clientOrderId ?? order.ibOrderId} incomplete after the wait: ${a.legs.length} leg execution(s) passed on as they are`,
    );
    return this.fillsOf(order, a.legs);
  }

  private onCommission(execId: string, commission: number | undefined): void {
    const record = this.book.commission(execId, commission);
    if (record === null) return;
    const single = this.pendingSingles.get(record);
    if (single) {
      this.pendingSingles.delete(record);
      single.order.legQty += record.exec.shares;
      single.order.cash += record.exec.shares * record.exec.price;
      single.order.filledQty += record.exec.shares;
      if (single.order.spec && single.order.filledQty >= single.order.spec.qty)
        single.order.life = onFilled(single.order.life);
      return single.slot.resolve(this.fillsOf(single.order, [record]));
    }
    for (const order of this.orders.values())
      if (order.assembly?.legs.includes(record)) return this.completeAssembly(order);
  }

  private fillEvents(order: TrackedOrder, records: readonly ExecutionRecord[]): VenueEvent[] {
    for (const r of records) {
      this.pendingSingles.delete(r);
      if (r.commission === null) {
        this.log(
          `execution ${r.exec.execId}: no commission report after the wait: passed on with commission 0, reconciliation reads it again`,
        );
        r.commission = 0 as ExecutionRecord['commission'] & number;
      }
    }
    return this.fillsOf(order, records);
  }

  private fillsOf(order: TrackedOrder, records: readonly ExecutionRecord[]): VenueEvent[] {
    const t = this.clock.now();
    return records.flatMap((r) => {
      const fill = this.fillOf(order, r);
      return fill ? [{ type: 'fill' as const, t, fill }] : [];
    });
  }

  private fillOf(order: TrackedOrder, r: ExecutionRecord): VenueFill | null {
    const instrumentId = instrumentIdOf(r.exec.conId);
    if (order.clientOrderId === null || instrumentId === null || r.exec.bag) return null;
    return {
      execId: ExecId.of(r.key),
      clientOrderId: order.clientOrderId,
      venueOrderId: VenueOrderId.of(String(order.permId > 0 ? order.permId : r.exec.permId)),
      instrumentId,
      side: r.exec.side,
      qty: r.exec.shares,
      price: r.exec.price,
      commission: r.commission ?? (0 as VenueFill['commission']),
      comboExecId: r.comboExecId,
      venuePositionId: null,
      t: r.t,
    };
  }

  private countFill(x: IbExecution): void {
    const signed = x.side === 'BUY' ? x.shares : -x.shares;
    this.fillsSincePosition.set(x.conId, (this.fillsSincePosition.get(x.conId) ?? 0) + signed);
  }

  // ---- positions and settlement -------------------------------------------------------------------

  private onPosition(account: string, contract: Contract, pos: number, avgCost: number): void {
    if (this.options.config.account !== null && account !== this.options.config.account) return;
    const request = this.positionsRequest;
    if (request) request.items.push({ account, contract, pos, avgCost });
    const conId = contract.conId ?? 0;
    const multiplier =
      contract.multiplier !== undefined && contract.multiplier > 0 ? Number(contract.multiplier) : 1;
    const avgPrice = pos === 0 ? 0 : (avgCost ?? 0) / multiplier;
    const before = this.positions.get(conId);
    this.positions.set(conId, { qty: pos, avgPrice });
    const explained = this.fillsSincePosition.get(conId) ?? 0;
    this.fillsSincePosition.delete(conId);
    const instrumentId = instrumentIdOf(conId);
    if (!this.ready || instrumentId === null) return;
    if (before !== undefined && before.qty === pos && Math.abs(before.avgPrice - avgPrice) < 1e-9) return;
    const left = (before?.qty ?? 0) + explained;
    if (pos === 0 && Math.abs(left) > 1e-9) this.maybeSettled(instrumentId, left);
    this.push({ type: 'position', t: this.clock.now(), instrumentId, qty: pos, avgPrice });
  }

  /**
   * TWS reports no settlement: an expiring option's position just goes to zero. What no execution
   * explains is settled at intrinsic value from the underlying's last price.
   */
  private maybeSettled(id: InstrumentId, qty: number): void {
    const i = this.instruments.get(id);
    if (i?.kind !== 'option' || i.expiry > localDate(this.clock.now(), this.clock.timeZone)) return;
    const spot = this.spotQuiet(i.symbol);
    if (spot === null)
      return this.log(
        `${i.symbol} ${i.expiry} ${i.strike}${i.right} went to zero at expiry with no underlying price: reconcile by hand`,
      );
    const intrinsic = i.right === 'C' ? Math.max(0, spot - i.strike) : Math.max(0, i.strike - spot);
    const price = Math.round(intrinsic * 100) / 100;
    const t = this.clock.now();
    this.settlements.push({ instrumentId: id, qty, price, t });
    this.log(
      `${i.symbol} ${i.expiry} ${i.strike}${i.right}: ${qty} settled at ${price} (intrinsic from ${i.symbol} ${spot})`,
    );
    this.push({ type: 'settlement', t, instrumentId: id, qty, price });
  }

  // ---- snapshot -----------------------------------------------------------------------------------

  snapshot(request: SnapshotRequest = { executionsSince: null }): Promise<VenueSnapshot> {
    const next = this.snapshotTurn.then(() => this.takeSnapshot(request));
    this.snapshotTurn = next.catch(() => undefined);
    return next;
  }

  private async takeSnapshot(request: SnapshotRequest): Promise<VenueSnapshot> {
    if (!this.isConnected())
      throw new Error('ibkr: no snapshot while TWS / Gateway is disconnected (or TWS has lost IB)');
    const open = await this.openOrders();
    const positions = await this.requestPositions();
    const executions = await this.requestExecutions(request.executionsSince);
    return {
      t: this.clock.now(),
      orders: this.orderStatuses(open),
      positions,
      executions,
      settlements: [...this.settlements],
      positionHistory: [],
    };
  }

  private orderStatuses(
    open: readonly { contract: Contract; order: Order; state: OrderState }[],
  ): VenueOrderStatus[] {
    const out: VenueOrderStatus[] = [];
    const listed = new Set<number>();
    for (const o of open) {
      const permId = o.order.permId ?? 0;
      if (permId <= 0) continue;
      listed.add(permId);
      const tracked =
        (o.order.orderId ?? 0) > 0 && o.order.clientId === this.options.config.clientId
          ? this.orders.get(o.order.orderId ?? 0)
          : undefined;
      const spec = tracked?.spec ?? specFromOpenOrder(o.contract, o.order);
      const ref = ClientOrderId.parse(o.order.orderRef);
      const filled = tracked?.filledQty ?? 0;
      out.push(
        this.statusOf(
          ref.ok ? ref.value : null,
          permId,
          spec,
          'working',
          filled,
          (o.order.totalQuantity ?? 0) - filled,
          tracked ?? null,
        ),
      );
    }
    for (const t of this.orders.values()) {
      if (t.clientOrderId === null || listed.has(t.permId)) continue;
      const end = t.life.end;
      if (end !== null && t.permId > 0) {
        const status =
          end.kind === 'cancelled' ? (end.reason === 'expired' ? 'expired' : 'cancelled') : end.kind;
        out.push(this.statusOf(t.clientOrderId, t.permId, t.spec, status, t.filledQty, 0, t));
        continue;
      }
      // Not open at the venue and never heard to end (the link was down): its executions say what it did.
      const executed = this.executedUnits(t);
      if (end !== null || executed.units === 0 || t.spec === null || executed.permId <= 0) continue;
      if (t.permId <= 0) t.permId = executed.permId;
      const status = executed.units >= t.spec.qty ? 'filled' : 'cancelled';
      out.push(this.statusOf(t.clientOrderId, t.permId, t.spec, status, executed.units, 0, t));
    }
    return out;
  }

  private statusOf(
    clientOrderId: ClientOrderId | null,
    permId: number,
    spec: OrderSpec | null,
    status: VenueOrderStatus['status'],
    filledQty: number,
    remainingQty: number,
    tracked: TrackedOrder | null,
  ): VenueOrderStatus {
    const parentId = spec?.parentClientOrderId ?? null;
    const parent = parentId === null ? undefined : this.byClientId.get(parentId);
    return {
      clientOrderId,
      venueOrderId: VenueOrderId.of(String(permId)),
      spec,
      status,
      filledQty,
      remainingQty,
      parentVenueOrderId: parent && parent.permId > 0 ? VenueOrderId.of(String(parent.permId)) : null,
      avgFillPrice:
        tracked && tracked.legQty > 0 && tracked.ratios.size === 0
          ? Math.round((tracked.cash / tracked.legQty) * 1e6) / 1e6
          : null,
    };
  }

  /** Units of an order the venue executed, from every execution keel has read of it. */
  private executedUnits(t: TrackedOrder): { units: number; permId: number } {
    let units = 0;
    let legs = 0;
    let permId = 0;
    for (const r of this.book.all()) {
      if (r.exec.orderId !== t.ibOrderId) continue;
      permId = r.exec.permId;
      if (r.exec.bag) units += r.exec.shares;
      else legs += r.exec.shares / (t.ratios.get(r.exec.conId) ?? 1);
    }
    return { units: t.ratios.size > 0 ? units : legs, permId };
  }

  private openOrders(): Promise<{ contract: Contract; order: Order; state: OrderState }[]> {
    const ib = this.ib;
    assert(this.openOrdersRequest === null, 'one open-orders request at a time');
    return this.timed('open orders', (resolve, reject) => {
      this.openOrdersRequest = { items: [], resolve, reject };
      ib?.reqAllOpenOrders();
    });
  }

  private async requestPositions(): Promise<VenuePosition[]> {
    const ib = this.ib;
    assert(this.positionsRequest === null, 'one positions request at a time');
    const rows = await this.timed<{ account: string; contract: Contract; pos: number; avgCost: number }>(
      'positions',
      (resolve, reject) => {
        this.positionsRequest = { items: [], resolve, reject };
        ib?.reqPositions();
      },
    );
    const out: VenuePosition[] = [];
    for (const r of rows) {
      const id = instrumentIdOf(r.contract.conId);
      if (id === null || r.pos === 0) continue;
      const multiplier =
        r.contract.multiplier !== undefined && r.contract.multiplier > 0 ? Number(r.contract.multiplier) : 1;
      out.push({
        instrumentId: id,
        qty: r.pos,
        avgPrice: Math.round(((r.avgCost ?? 0) / multiplier) * 1e6) / 1e6,
        venuePositionId: null,
      });
    }
    return out;
  }

  private endOf(what: 'openOrders' | 'positions'): void {
    const pending = what === 'openOrders' ? this.openOrdersRequest : this.positionsRequest;
    if (what === 'openOrders') this.openOrdersRequest = null;
    else this.positionsRequest = null;
    if (pending) (pending.resolve as (items: unknown[]) => void)(pending.items);
  }

  private async requestExecutions(since: number | null): Promise<VenueExecution[]> {
    const ib = this.ib;
    const reqId = this.nextRequestId++;
    const time = since === null ? '' : ibUtcTime(since - 1000);
    const rows = await this.timed<{ contract: Contract; exec: Execution }>(
      'executions',
      (resolve, reject) => {
        this.execRequests.set(reqId, { items: [], resolve, reject });
        ib?.reqExecutions(reqId, {
          clientId: undefined,
          acctCode: this.options.config.account ?? undefined,
          time,
        } as never);
      },
    );
    const bagOf = new Map<number, string>();
    const out: VenueExecution[] = [];
    for (const row of rows) {
      const x = readExecution(row.contract, row.exec);
      if (typeof x === 'string') {
        this.log(`an execution in the venue's list keel cannot read: ${x}`);
        continue;
      }
      if (x.bag) {
        bagOf.set(x.orderId, execPrefix(x.execId));
        continue;
      }
      const known = this.book.get(x.execId);
      const record = known ?? this.book.add(x, parseIbTime(x.time) ?? this.clock.now()).record;
      const instrumentId = instrumentIdOf(x.conId);
      if (instrumentId === null || (since !== null && record.t < since)) continue;
      const ref = ClientOrderId.parse(x.orderRef);
      const combo =
        record.comboExecId ??
        (this.orders.get(x.orderId)?.ratios.size ? (bagOf.get(x.orderId) ?? null) : null);
      out.push({
        execId: ExecId.of(record.key),
        clientOrderId: ref.ok ? ref.value : null,
        venueOrderId: VenueOrderId.of(String(x.permId)),
        instrumentId,
        side: record.exec.side,
        qty: record.exec.shares,
        price: record.exec.price,
        commission: record.commission ?? (0 as VenueExecution['commission']),
        comboExecId: combo ?? bagOf.get(x.orderId) ?? null,
        venuePositionId: null,
        t: record.t,
      });
    }
    return out;
  }

  private endOfExecutions(reqId: number): void {
    const pending = this.execRequests.get(reqId);
    this.execRequests.delete(reqId);
    pending?.resolve(pending.items);
  }

  // ---- instruments ----------------------------------------------------------------------------------

  // Lookups answer at once what the session has described already (MaybePromise): the engine treats
  // a promise as "still resolving", so a known instrument must never wait for a round trip.

  resolveInstrument(terms: InstrumentTerms): MaybePromise<ResolveResult> {
    const key = JSON.stringify(terms);
    const known = this.resolvedTerms.get(key);
    if (known) return known;
    const asked = this.resolving.get(key);
    if (asked) return asked;
    const lookup = this.lookup(terms).then((r) => {
      this.resolving.delete(key);
      if (r.ok) this.resolvedTerms.set(key, r); // a refusal is asked again next time
      return r;
    });
    this.resolving.set(key, lookup);
    return lookup;
  }

  private async lookup(terms: InstrumentTerms): Promise<ResolveResult> {
    const reasons: string[] = [];
    for (const query of queriesFor(terms)) {
      const r = await this.describe(query);
      if (typeof r === 'string') {
        reasons.push(r);
        continue;
      }
      const first = r[0];
      if (first) return { ok: true, instrument: first };
    }
    return {
      ok: false,
      reason: `IB has no contract for ${JSON.stringify(terms)}: ${reasons.join('; ') || 'nothing found'}`,
    };
  }

  instrument(id: InstrumentId): MaybePromise<Instrument | null> {
    const known = this.instruments.get(id);
    if (known) return known;
    const conId = conIdOf(id);
    if (conId === null) return null;
    return this.describe({ conId }).then((r) => (typeof r === 'string' ? null : (r[0] ?? null)));
  }

  optionChain(symbol: string, expiry: string): MaybePromise<readonly Instrument[]> {
    const key = `${symbol}|${expiry}`;
    const known = this.chainsKnown.get(key);
    if (known) return known;
    const asked = this.chains.get(key);
    if (asked) return asked;
    const chain = this.describe(chainQuery(symbol, expiry)).then((r) => {
      this.chains.delete(key);
      if (typeof r === 'string') return [];
      const list = r
        .filter((i) => i.kind === 'option' && i.expiry === expiry)
        .sort((a, b) =>
          a.kind === 'option' && b.kind === 'option'
            ? a.strike - b.strike || (a.right < b.right ? 1 : -1)
            : 0,
        );
      this.chainsKnown.set(key, list);
      return list;
    });
    this.chains.set(key, chain);
    return chain;
  }

  /** Contract details -> instruments (kept for the session); a reason when TWS knows none. */
  private async describe(query: Contract): Promise<Instrument[] | string> {
    if (!this.sessionUp || this.ib === null) return 'not connected';
    const ib = this.ib;
    const reqId = this.nextRequestId++;
    let rows: ContractDetails[];
    try {
      rows = await this.timed<ContractDetails>('contract details', (resolve, reject) => {
        this.details.set(reqId, { items: [], resolve, reject });
        ib.reqContractDetails(reqId, query);
      });
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    const out: Instrument[] = [];
    for (const d of rows) {
      const i = instrumentFromDetails(d);
      if (typeof i === 'string') {
        this.log(`contract details keel cannot use: ${i}`);
        continue;
      }
      const known = this.instruments.get(i.id) ?? i;
      this.instruments.set(i.id, known);
      out.push(known);
    }
    return out;
  }

  private endOfDetails(reqId: number): void {
    const pending = this.details.get(reqId);
    this.details.delete(reqId);
    pending?.resolve(pending.items);
  }

  private failDetails(reqId: number, code: number, message: string): void {
    const pending = this.details.get(reqId);
    this.details.delete(reqId);
    pending?.reject(new Error(`${code} ${message}`));
  }

  // ---- market data ----------------------------------------------------------------------------------

  watch(instrumentIds: readonly InstrumentId[]): void {
    for (const id of instrumentIds) this.subscribeQuotes(id);
  }

  private subscribeQuotes(id: InstrumentId): void {
    if (this.watched.has(id) || this.ib === null || !this.sessionUp) return;
    const conId = conIdOf(id);
    if (conId === null) return;
    const max = this.options.marketDataLinesMax ?? 100;
    if (this.watched.size >= max) {
      if (this.watched.size === max)
        this.log(
          `market data: ${max} lines in use, no more quotes (raise marketDataLinesMax if the account has more)`,
        );
      return;
    }
    const tickerId = this.nextRequestId++;
    this.watched.set(id, tickerId);
    this.tickers.set(tickerId, id);
    const i = this.instruments.get(id);
    this.ib.reqMktData(tickerId, i ? contractOf(i) : { conId, exchange: 'SMART' }, '', false, false);
  }

  /** After 1101 (data lost) or a reconnect: every quote line is asked for again. */
  private resubscribe(): void {
    const ids = [...this.watched.keys()];
    this.watched.clear();
    this.tickers.clear();
    for (const id of ids) this.subscribeQuotes(id);
  }

  /**
   * No subscription for live quotes: without `delayedData` keel sees no quote there (and so opens
   * nothing on it); with it, the line is asked for again as IB's delayed data, marked delayed.
   */
  private onMarketDataError(tickerId: number, id: InstrumentId, code: number, message: string): void {
    if (code === delayedServedCode) {
      this.marketDataDelayed = true;
      return this.log(`market data ${id}: delayed quotes (15 minutes or more): ${message}`);
    }
    if (!noSubscriptionCodes.has(code)) return this.log(`market data ${id}: ${code} ${message}`);
    if (this.options.config.delayedData !== true || this.delayedAsked || this.ib === null)
      return this.log(
        `market data ${id}: ${code} ${message}: no quote, so nothing is opened on it${this.options.config.delayedData === true ? '' : ' (venue.delayedData: true takes IB’s delayed quotes, for a paper account)'}`,
      );
    this.delayedAsked = true;
    this.log(`market data ${id}: ${code} ${message}: asking for IB's delayed quotes (venue.delayedData)`);
    this.ib.reqMarketDataType(marketDataTypeDelayed);
    this.ib.cancelMktData(tickerId);
    this.tickers.delete(tickerId);
    this.watched.delete(id);
    this.subscribeQuotes(id);
  }

  /** live: every quote is current; delayed: some lines are IB's delayed data. */
  get marketData(): 'live' | 'delayed' {
    return this.marketDataDelayed ? 'delayed' : 'live';
  }

  private onTick(tickerId: number, field: number, price: number): void {
    const id = this.tickers.get(tickerId);
    if (id === undefined) return;
    const q = this.quotes.get(id) ?? { bid: null, ask: null, mark: null, last: null, t: 0, delayed: false };
    const value = price === undefined || price < 0 ? null : price;
    const late = delayedTicks[field];
    if (late !== undefined) {
      q.delayed = true;
      q[late] = value;
    } else if (field === 1) q.bid = value;
    else if (field === 2) q.ask = value;
    else if (field === 4) q.last = value;
    else if (field === 37) q.mark = value;
    else return;
    q.t = this.clock.now();
    this.quotes.set(id, q);
  }

  private quote(id: InstrumentId): Quote | null {
    this.subscribeQuotes(id);
    const q = this.quotes.get(id);
    if (!q || q.bid === null || q.ask === null) return null;
    const mid = q.mark ?? Math.round(((q.bid + q.ask) / 2) * 1e6) / 1e6;
    return q.delayed
      ? { bid: q.bid, ask: q.ask, mid, t: q.t, delayed: true }
      : { bid: q.bid, ask: q.ask, mid, t: q.t };
  }

  private spot(symbol: string): number | null {
    const underlying = this.underlyingOf(symbol);
    if (underlying === null) {
      void Promise.resolve(this.resolveInstrument({ symbol })).then((r) => {
        if (r.ok) this.subscribeQuotes(r.instrument.id);
      });
      return null;
    }
    this.subscribeQuotes(underlying.id);
    return this.spotQuiet(symbol);
  }

  private spotQuiet(symbol: string): number | null {
    const underlying = this.underlyingOf(symbol);
    const q = underlying ? this.quotes.get(underlying.id) : undefined;
    return q?.last ?? q?.mark ?? null;
  }

  private underlyingOf(symbol: string): Instrument | null {
    for (const i of this.instruments.values()) if (i.symbol === symbol && i.kind !== 'option') return i;
    return null;
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  private push(e: VenueEvent): void {
    this.outbox.push(e);
  }

  /** A client-side report (not sent, unknown order): after the caller's turn, never inside it. */
  private deferred(e: VenueEvent): void {
    setImmediate(() => this.push(e));
  }

  private reserve(what: string, force: () => VenueEvent[]): Reserved {
    const slot = this.outbox.reserve();
    this.later(this.options.reportWaitMs ?? 5_000, () => {
      if (!slot.pending()) return;
      this.log(`${what}: still not whole after ${this.options.reportWaitMs ?? 5_000} ms`);
      slot.resolve(force());
    });
    return slot;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private timed<T>(
    what: string,
    start: (resolve: (items: T[]) => void, reject: (e: Error) => void) => void,
  ): Promise<T[]> {
    const ms = this.options.requestTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        reject(new Error(`ibkr: no answer to ${what} within ${ms} ms`));
      }, ms);
      this.timers.add(timer);
      start(
        (items) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve(items);
        },
        (e) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          reject(e);
        },
      );
    });
  }

  private failPending(e: Error): void {
    for (const p of this.details.values()) p.reject(e);
    this.details.clear();
    for (const p of this.execRequests.values()) p.reject(e);
    this.execRequests.clear();
    this.openOrdersRequest?.reject(e);
    this.openOrdersRequest = null;
    this.positionsRequest?.reject(e);
    this.positionsRequest = null;
    for (const w of this.timeWaiters.splice(0)) w();
  }

  private logged = 0;
  private log(line: string): void {
    if (this.logged++ === pendingLinesNoted * 5000)
      this.options.log?.('ibkr: log line budget reached; further lines dropped');
    if (this.logged > pendingLinesNoted * 5000) return;
    this.options.log?.(`ibkr: ${line}`);
  }
}

/** "yyyymmdd-hh:mm:ss" in UTC: the executions filter's time. */
function ibUtcTime(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

/** An execution's time: "yyyymmdd-hh:mm:ss" (UTC) or "yyyymmdd hh:mm:ss" (read as UTC). */
function parseIbTime(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})[- ]+(\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  return m
    ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
    : null;
}
