// The simulated venue: deterministic, seeded, and honest about what it did. It fills orders against
// the simulated market's quotes after a latency, keeps its own positions (keel's and everybody
// else's), settles expiring options, and writes venue-log.jsonl itself: the ground truth that the
// outside checker reads. Faults plug in through VenueFaultPlan without changing this file.
//
// Futures with distinct position ids behave like BingX (the 2025-10-24 incident): positions have
// ids of their own; live fills and trade records carry no position id; trade records carry the
// venue order id but not the client order id; the position history carries no order id. Bracket
// children of one parent are one-cancels-other, and a futures position going flat cancels the
// reduce-only orders resting on it.
import {
  assert,
  InvariantError,
  ClientOrderId,
  ExecId,
  formatIso,
  instrumentRecord,
  isOnLot,
  isOnTick,
  localDate,
  qtyAdd,
  qtyMul,
  qtySub,
  roundToLot,
  VenueOrderId,
  VenuePositionId,
  type Instrument,
  type InstrumentId,
  type InstrumentTerms,
  type OrderSpec,
  type OrderIntentKind,
  type OrderType,
  type Rng,
  type Side,
  type TimeInForce,
  type TimeZone,
  toMicros,
  legsPerOrderMax,
} from '../../domain';
import type {
  CancelReason,
  MarketData,
  RejectReason,
  ResolveResult,
  Venue,
  VenueCapabilities,
  VenueEvent,
  VenueListener,
  VenueExecution,
  VenueFill,
  VenueOrderStatus,
  VenuePositionHistoryRecord,
  VenueSettlement,
  VenueSnapshot,
  SnapshotRequest,
} from '../venue';
import { commissionFor, type CommissionSchedule } from './commission';
import { noFaults, type OrderFault, type VenueFaultPlan } from './faults';
import { decideFill, legPrices, type PricedLeg } from './fill-pricing';
import type { SimInstrumentRegistry } from './instruments';
import { SimPositionBook } from './positions';
import type { SimScheduler } from './scheduler';
import type { VenueLogLine } from './venue-log';

export type SimVenueConfig = {
  readonly products: 'options' | 'equities' | 'futures';
  readonly combos: boolean;
  readonly latencyMs: number;
  readonly commission: CommissionSchedule;
  readonly positionIds: 'distinct' | 'same';
  readonly positionHistory: boolean;
  /** Chance per market step that a resting limit at or better than mid fills at its limit. */
  readonly midFillChance: number;
  /** The exchange's zone: the venue log's times and the local date of expiries. */
  readonly timeZone: TimeZone;
};

type SimOrderStatus = 'pending' | 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired';

type SimOrder = {
  readonly venueOrderId: string;
  readonly clientOrderId: string | null;
  readonly origin: 'keel' | 'external';
  readonly legs: readonly { instrument: Instrument; side: Side; ratio: number }[];
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  readonly parentVenueOrderId: string | null;
  status: SimOrderStatus;
  filledUnits: number;
  triggered: boolean;
  fault: OrderFault;
  /** Cash and instrument quantity of the fills so far (for the order record's average price). */
  filledCash: number;
  filledLegQty: number;
  /** A stale pending order: it fills (all or the rest) at this time whatever the market does. */
  delayedFillAt: number | null;
  partialDone: boolean;
};

const maxOrdersPerStep = 10_000;

export class SimVenue implements Venue {
  readonly name = 'sim';
  readonly capabilities: VenueCapabilities;
  private readonly orders = new Map<string, SimOrder>();
  /**
   * Orders that may still be working or pending, in the order they came: what a market step, a
   * close or an OCO looks through, not every order of the run. Pruned as orders end (an ended
   * order never works again).
   */
  private live: SimOrder[] = [];
  private readonly byClientId = new Map<string, SimOrder>();
  private readonly positions: SimPositionBook;
  private readonly executions: VenueFill[] = [];
  private readonly settlements: VenueSettlement[] = [];
  private readonly history: VenuePositionHistoryRecord[] = [];
  private readonly log: VenueLogLine[] = [];
  private connected = true;
  private nextOrderNo = 1;
  private nextExecNo = 1;
  private nextPositionNo = 1;
  private listener: VenueListener | null = null;
  private partialFillKeepsSiblings = false;

  constructor(
    private readonly config: SimVenueConfig,
    private readonly registry: SimInstrumentRegistry,
    readonly market: MarketData,
    private readonly scheduler: SimScheduler,
    private readonly rng: Rng,
    private readonly faults: VenueFaultPlan = noFaults,
  ) {
    this.capabilities = {
      combos: config.combos,
      nativeBrackets: false,
      positionHistory: config.products === 'futures' && config.positionHistory,
      reduceOnly: true,
      marketOrders: true,
      clientOrderId: { maxLength: 48, allowed: /^[A-Za-z0-9._:-]+$/ },
      comboLegsMax: legsPerOrderMax,
    };
    const distinctIds = config.products === 'futures' && config.positionIds === 'distinct';
    this.positions = new SimPositionBook(distinctIds ? () => this.mintPositionId() : null);
    this.tradeRecordsLackIds = distinctIds;
  }

  /** BingX-like: fills without position ids, trade records without client order ids. */
  private readonly tradeRecordsLackIds: boolean;

  /** The simulated venue is in-process: its session is always open; the link fails only by fault. */
  async connect(): Promise<void> {}

  async close(): Promise<void> {
    this.listener = null;
  }

  /** Where venue events go: the engine host, while an engine is alive to hear them. */
  subscribe(listener: VenueListener): () => void {
    assert(this.listener === null, 'the simulated venue has one subscriber at a time');
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }

  resolveInstrument(terms: InstrumentTerms): ResolveResult {
    return this.registry.resolve(terms);
  }

  instrument(id: InstrumentId): Instrument | null {
    return this.registry.get(id);
  }

  optionChain(symbol: string, expiry: string): readonly Instrument[] {
    return this.market.optionChain(symbol, expiry);
  }

  /** Every simulated quote is always at hand: nothing to subscribe to. */
  watch(): void {}

  isConnected(): boolean {
    return this.connected;
  }

  venueLog(): readonly VenueLogLine[] {
    return this.log;
  }

  // ---- what keel does -------------------------------------------------------------------------

  submit(spec: OrderSpec): void {
    const t = this.scheduler.now();
    if (!this.connected) {
      // The venue is unreachable: the order never arrives; the client library reports it.
      this.emitAt(t, {
        type: 'rejected',
        t,
        clientOrderId: spec.clientOrderId,
        venueOrderId: null,
        reason: 'notSent',
        code: 1100,
        message: 'Connectivity between client and venue has been lost',
      });
      return;
    }
    this.scheduler.at(t + this.config.latencyMs, `order ${spec.clientOrderId} arrives`, () =>
      this.arriveKeelOrder(spec),
    );
  }

  cancel(clientOrderId: ClientOrderId): void {
    const t = this.scheduler.now();
    if (!this.connected) {
      this.emitAt(t, {
        type: 'cancelRejected',
        t,
        clientOrderId,
        reason: 'notSent',
        detail: 'not connected',
      });
      return;
    }
    this.scheduler.at(t + this.config.latencyMs, `cancel ${clientOrderId}`, () => {
      const now = this.scheduler.now();
      const order = this.byClientId.get(clientOrderId);
      if (!order || (order.status !== 'working' && order.status !== 'pending')) {
        this.emit({
          type: 'cancelRejected',
          t: now,
          clientOrderId,
          reason: order ? 'notWorking' : 'unknownOrder',
          detail: order ? `order is ${order.status}` : 'unknown order',
        });
        return;
      }
      this.cancelOrder(order, 'requested', 'cancelled by client');
    });
  }

  async snapshot(request: SnapshotRequest = { executionsSince: null }): Promise<VenueSnapshot> {
    assert(this.connected, 'snapshot while disconnected');
    const t = this.scheduler.now();
    const since = request.executionsSince;
    return {
      t,
      // keel's orders (open and past, looked up by client id) and everyone's working orders.
      orders: [...this.orders.values()]
        .filter((o) => o.origin === 'keel' || o.status === 'working' || o.status === 'pending')
        .map((o) => this.orderStatus(o)),
      positions: this.positions
        .entries()
        .filter(([, p]) => p.qty !== 0)
        .map(([instrumentId, p]) => ({
          instrumentId,
          qty: p.qty,
          avgPrice: p.avgPrice,
          venuePositionId: p.venuePositionId === null ? null : VenuePositionId.of(p.venuePositionId),
        })),
      executions: this.executions
        .filter((f) => since === null || f.t >= since)
        .map((f): VenueExecution => (this.tradeRecordsLackIds ? { ...f, clientOrderId: null } : f)),
      settlements: [...this.settlements],
      positionHistory: this.capabilities.positionHistory ? [...this.history] : [],
    };
  }

  // ---- what the world does (driven by the simulation runner) ----------------------------------

  /** Positions that are at the venue before keel starts: someone else's. */
  seedPosition(instrument: Instrument, qty: number, avgPrice: number): void {
    this.positions.seed(instrument.id, qty, avgPrice, this.scheduler.now());
  }

  /** Writes the opening position lines (spec: one for every instrument at the start). */
  logOpeningPositions(): void {
    for (const [id, p] of this.positions.entries())
      this.logPosition(this.requireInstrument(id), p.qty, p.avgPrice);
  }

  submitExternal(
    instrument: Instrument,
    side: Side,
    qty: number,
    type: 'MKT' | 'LMT',
    limit: number | null,
  ): void {
    const order = this.newOrder({
      clientOrderId: null,
      origin: 'external',
      legs: [{ instrument, side, ratio: 1 }],
      qty,
      type,
      limitPrice: limit,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: false,
      parentVenueOrderId: null,
    });
    this.accept(order);
  }

  /**
   * BingX's way with a position's stop-loss and take-profit: a partly filled one leaves the other
   * working for the rest of the position (a flat futures position still takes its reduce-only
   * orders with it). The fake BingX sets this on the venue behind it.
   */
  keepSiblingsOnPartialFill(): void {
    this.partialFillKeepsSiblings = true;
  }

  setConnected(up: boolean): void {
    if (this.connected === up) return;
    this.connected = up;
    const t = this.scheduler.now();
    this.append({ type: 'connection', event: up ? 'up' : 'down' });
    this.emit({ type: 'connection', t, up });
  }

  logEngine(event: 'start' | 'crash'): void {
    this.append({ type: 'engine', event });
  }

  /** The orders that may still work, as a copy to walk while orders end or come. */
  private liveOrders(): SimOrder[] {
    this.live = this.live.filter((o) => o.status === 'working' || o.status === 'pending');
    return this.live.slice();
  }

  /** Called on every market step: resting orders meet the new quotes. */
  onMarketStep(): void {
    let n = 0;
    for (const order of this.liveOrders()) {
      if (order.status !== 'working') continue;
      assert(++n <= maxOrdersPerStep, 'too many working orders at the simulated venue');
      this.tryFill(order);
    }
  }

  /** Cash-settles every option expiring on this local date at intrinsic value; ends DAY orders. */
  settleExpiring(): void {
    const t = this.scheduler.now();
    const today = localDate(t, this.config.timeZone);
    for (const order of this.liveOrders()) {
      if (order.status !== 'working' && order.status !== 'pending') continue;
      const expiring = order.legs.some((l) => l.instrument.kind === 'option' && l.instrument.expiry <= today);
      if (expiring || order.tif === 'DAY')
        this.cancelOrder(order, 'expired', expiring ? 'instrument expired' : 'end of day');
    }
    for (const [id, p] of this.positions.entries()) {
      const instrument = this.requireInstrument(id);
      if (p.qty === 0 || instrument.kind !== 'option' || instrument.expiry > today) continue;
      const spot = this.market.spot(instrument.symbol);
      if (spot === null) throw new InvariantError(`no spot for ${instrument.symbol} at settlement`);
      const intrinsic =
        instrument.right === 'C'
          ? Math.max(0, spot - instrument.strike)
          : Math.max(0, instrument.strike - spot);
      const price = Math.round(intrinsic * 100) / 100;
      this.positions.settle(id);
      this.settlements.push({ instrumentId: id, qty: p.qty, price, t });
      this.append({ type: 'settle', instrument: instrumentRecord(instrument), qty: p.qty, price });
      this.logPosition(instrument, 0, 0);
      this.emit({ type: 'settlement', t, instrumentId: id, qty: p.qty, price });
      this.emit({ type: 'position', t, instrumentId: id, qty: 0, avgPrice: 0 });
    }
  }

  /** Ends DAY orders at the close. */
  endOfDay(): void {
    for (const order of this.liveOrders()) {
      if ((order.status === 'working' || order.status === 'pending') && order.tif === 'DAY')
        this.cancelOrder(order, 'expired', 'end of day');
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private arriveKeelOrder(spec: OrderSpec): void {
    const legs: { instrument: Instrument; side: Side; ratio: number }[] = [];
    for (const leg of spec.legs) {
      const instrument = this.registry.get(leg.instrumentId);
      if (!instrument) return this.refuseUnknown(spec, `unknown instrument id ${leg.instrumentId}`);
      legs.push({ instrument, side: leg.side, ratio: leg.ratio });
    }
    const order = this.newOrder({
      clientOrderId: spec.clientOrderId,
      origin: 'keel',
      legs,
      qty: spec.qty,
      type: spec.type,
      limitPrice: spec.limitPrice,
      stopPrice: spec.stopPrice,
      tif: spec.tif,
      reduceOnly: spec.reduceOnly,
      parentVenueOrderId:
        spec.parentClientOrderId === null
          ? null
          : (this.byClientId.get(spec.parentClientOrderId)?.venueOrderId ?? null),
    });
    const refusal = this.validate(order);
    if (refusal) return this.reject(order, refusal.code, refusal.message);
    order.fault = this.faults.onOrder({
      origin: 'keel',
      combo: legs.length > 1,
      legs,
      t: this.scheduler.now(),
      intentHint: intentFromClientId(spec.clientOrderId),
    });
    if (order.fault.kind === 'reject') return this.reject(order, order.fault.code, order.fault.message);
    if (order.fault.kind === 'delayFill')
      order.delayedFillAt = this.scheduler.now() + order.fault.delaySec * 1000;
    this.accept(order);
  }

  private refuseUnknown(spec: OrderSpec, message: string): void {
    const t = this.scheduler.now();
    this.emit({
      type: 'rejected',
      t,
      clientOrderId: spec.clientOrderId,
      venueOrderId: null,
      reason: 'unknownInstrument',
      code: 200,
      message,
    });
  }

  private validate(order: SimOrder): { code: number; message: string } | null {
    if (order.clientOrderId !== null && this.byClientId.get(order.clientOrderId) !== order) {
      return { code: 103, message: `Duplicate order id ${order.clientOrderId}` };
    }
    if (order.legs.length > 1 && !this.config.combos)
      return { code: 201, message: 'Order rejected - combo orders are not supported' };
    if (order.legs.length > legsPerOrderMax)
      return { code: 201, message: `Order rejected - at most ${legsPerOrderMax} legs` };
    if (!(order.qty > 0)) return { code: 201, message: 'Order rejected - quantity must be positive' };
    for (const leg of order.legs) {
      if (!isOnLot(order.qty * leg.ratio, leg.instrument.lot))
        return { code: 201, message: `Order rejected - quantity not on lot ${leg.instrument.lot}` };
    }
    const tick = order.legs[0]?.instrument.tick ?? 0.01;
    for (const p of [order.limitPrice, order.stopPrice]) {
      if (p !== null && !isOnTick(Math.abs(p), tick))
        return { code: 110, message: `The price does not conform to the minimum price variation (${tick})` };
    }
    if ((order.type === 'LMT' || order.type === 'STP_LMT') && order.limitPrice === null)
      return { code: 201, message: 'Order rejected - limit price missing' };
    if (isTriggered(order.type) && order.stopPrice === null)
      return { code: 201, message: 'Order rejected - trigger (stop) price missing' };
    if (order.reduceOnly) {
      for (const leg of order.legs) {
        const net = this.positions.get(leg.instrument.id).qty;
        const signed = (leg.side === 'BUY' ? 1 : -1) * order.qty * leg.ratio;
        if (net === 0 || Math.sign(net) === Math.sign(signed) || Math.abs(signed) > Math.abs(net)) {
          return {
            code: 201,
            message: 'Order rejected - reduce-only order would increase or flip the position',
          };
        }
      }
    }
    return null;
  }

  private newOrder(
    o: Omit<
      SimOrder,
      | 'venueOrderId'
      | 'status'
      | 'filledUnits'
      | 'triggered'
      | 'fault'
      | 'filledCash'
      | 'filledLegQty'
      | 'delayedFillAt'
      | 'partialDone'
    >,
  ): SimOrder {
    const order: SimOrder = {
      ...o,
      venueOrderId: this.mintOrderId(),
      status: 'pending',
      filledUnits: 0,
      triggered: false,
      fault: { kind: 'none' },
      filledCash: 0,
      filledLegQty: 0,
      delayedFillAt: null,
      partialDone: false,
    };
    this.orders.set(order.venueOrderId, order);
    this.live.push(order);
    if (order.clientOrderId !== null && !this.byClientId.has(order.clientOrderId))
      this.byClientId.set(order.clientOrderId, order);
    this.append({
      type: 'order',
      venueOrderId: order.venueOrderId,
      clientOrderId: order.clientOrderId,
      origin: order.origin,
      combo: order.legs.length > 1,
      legs: order.legs.map((l) => ({
        instrument: instrumentRecord(l.instrument),
        side: l.side,
        ratio: l.ratio,
      })),
      qty: order.qty,
      orderType: order.type,
      limitPrice: order.limitPrice,
      stopPrice: order.stopPrice,
      tif: order.tif,
      parentVenueOrderId: order.parentVenueOrderId,
      reduceOnly: order.reduceOnly,
    });
    return order;
  }

  private accept(order: SimOrder): void {
    order.status = 'working';
    this.append({ type: 'ack', venueOrderId: order.venueOrderId });
    if (order.clientOrderId !== null) {
      this.emit({
        type: 'accepted',
        t: this.scheduler.now(),
        clientOrderId: ClientOrderId.of(order.clientOrderId),
        venueOrderId: VenueOrderId.of(order.venueOrderId),
        parentVenueOrderId:
          order.parentVenueOrderId === null ? null : VenueOrderId.of(order.parentVenueOrderId),
      });
    }
    if (order.origin === 'external' && order.fault.kind === 'none') {
      order.fault = this.faults.onOrder({
        origin: 'external',
        combo: false,
        legs: order.legs,
        t: this.scheduler.now(),
        intentHint: null,
      });
      if (order.fault.kind === 'reject') return this.reject(order, order.fault.code, order.fault.message);
    }
    if (order.delayedFillAt !== null) {
      this.scheduler.at(order.delayedFillAt, `delayed fill ${order.venueOrderId}`, () =>
        this.fillDelayed(order),
      );
      return;
    }
    this.tryFill(order);
  }

  private reject(order: SimOrder, code: number, message: string): void {
    order.status = 'rejected';
    this.append({ type: 'reject', venueOrderId: order.venueOrderId, code, message });
    if (order.clientOrderId !== null) {
      this.emit({
        type: 'rejected',
        t: this.scheduler.now(),
        clientOrderId: ClientOrderId.of(order.clientOrderId),
        venueOrderId: VenueOrderId.of(order.venueOrderId),
        reason: rejectReasonOf(code),
        code,
        message,
      });
    }
  }

  private pricedLegs(order: SimOrder): PricedLeg[] | null {
    const legs: PricedLeg[] = [];
    for (const leg of order.legs) {
      const quote = this.market.quote(leg.instrument.id);
      if (!quote) return null;
      legs.push({ instrument: leg.instrument, side: leg.side, ratio: leg.ratio, quote });
    }
    return legs;
  }

  private tryFill(order: SimOrder): void {
    if (order.status !== 'working' || order.delayedFillAt !== null) return;
    const legs = this.pricedLegs(order);
    if (!legs) return;
    if (isTriggered(order.type) && !order.triggered) {
      if (!touched(order, legs[0]?.quote.mid ?? 0)) return;
      order.triggered = true;
    }
    const effectiveType = afterTrigger(order.type);
    const decision = decideFill(
      effectiveType,
      order.limitPrice,
      legs,
      this.rng.next(),
      this.config.midFillChance,
    );
    if (decision.kind === 'none') {
      if (order.tif === 'IOC') this.cancelOrder(order, 'venue', 'IOC not marketable');
      return;
    }
    const prices = legPrices(legs, decision.kind, order.limitPrice);
    let units = unfilledUnits(order);
    if (order.fault.kind === 'partialFill' && !order.partialDone) {
      order.partialDone = true;
      units = Math.min(partialUnits(order, order.fault.fraction), unfilledUnits(order));
      if (order.fault.restDelaySec !== null && units < order.qty) {
        const at = this.scheduler.now() + order.fault.restDelaySec * 1000;
        order.delayedFillAt = at;
        this.scheduler.at(at, `stale rest of ${order.venueOrderId}`, () => this.fillDelayed(order));
      }
    }
    this.execute(order, legs, prices, units);
    if (order.tif === 'IOC' && order.status === 'working') this.cancelOrder(order, 'venue', 'IOC remainder');
  }

  /** A stale pending order fills whatever the market now says: at the natural side or its limit. */
  private fillDelayed(order: SimOrder): void {
    if (order.status !== 'working') return;
    order.delayedFillAt = null;
    const legs = this.pricedLegs(order);
    if (!legs) return;
    const decision = decideFill(afterTrigger(order.type), order.limitPrice, legs, 0, 1);
    const prices = legPrices(
      legs,
      decision.kind === 'natural' || order.limitPrice === null ? 'natural' : 'atLimit',
      order.limitPrice,
    );
    this.execute(order, legs, prices, unfilledUnits(order));
  }

  private execute(order: SimOrder, legs: PricedLeg[], prices: number[], units: number): void {
    if (!(units > 0 && qtyAdd(order.filledUnits, units) <= order.qty))
      throw new InvariantError(`fill of ${units} exceeds order ${order.venueOrderId}`);
    const t = this.scheduler.now();
    const comboExecId = legs.length > 1 ? `C${this.nextExecNo}` : null;
    legs.forEach((leg, i) => {
      const price = prices[i] ?? 0;
      const qty = qtyMul(units, leg.ratio);
      const commission = commissionFor(this.config.commission, leg.instrument, qty, price);
      const change = this.positions.apply(
        leg.instrument.id,
        leg.side,
        qty,
        price,
        commission / 1e6,
        leg.instrument.multiplier,
        t,
      );
      const execId = `E${String(this.nextExecNo++).padStart(6, '0')}.01`;
      const positionId = change.after.venuePositionId ?? change.before.venuePositionId;
      order.filledCash += qty * price;
      order.filledLegQty = qtyAdd(order.filledLegQty, qty);
      const fillLine = {
        type: 'fill' as const,
        venueOrderId: order.venueOrderId,
        clientOrderId: order.clientOrderId,
        execId,
        comboExecId,
        instrument: instrumentRecord(leg.instrument),
        side: leg.side,
        qty,
        price,
        commission: commission / 1e6,
        venuePositionId: positionId,
      };
      this.append(fillLine);
      this.logPosition(leg.instrument, change.after.qty, change.after.avgPrice);
      if (change.closed) this.recordClosedPosition(leg.instrument, change.closed, t);
      if (order.clientOrderId !== null) {
        const fill: VenueFill = {
          execId: ExecId.of(execId),
          clientOrderId: ClientOrderId.of(order.clientOrderId),
          venueOrderId: VenueOrderId.of(order.venueOrderId),
          instrumentId: leg.instrument.id,
          side: leg.side,
          qty,
          price,
          commission,
          comboExecId,
          venuePositionId:
            positionId === null || this.tradeRecordsLackIds ? null : VenuePositionId.of(positionId),
          t,
        };
        this.executions.push(fill);
        this.emit({ type: 'fill', t, fill });
        if (this.faults.takeDuplicateFill(t)) {
          // Reported again with the same exec id: a second fill line, and the position unmoved.
          this.append(fillLine);
          this.emit({ type: 'fill', t, fill });
        }
      }
      this.emit({
        type: 'position',
        t,
        instrumentId: leg.instrument.id,
        qty: change.after.qty,
        avgPrice: change.after.avgPrice,
        venuePositionId:
          change.after.venuePositionId === null ? null : VenuePositionId.of(change.after.venuePositionId),
      });
    });
    order.filledUnits = qtyAdd(order.filledUnits, units);
    if (order.filledUnits >= order.qty) order.status = 'filled';
    this.cancelSiblings(order);
    if (this.config.products === 'futures')
      for (const leg of legs) this.cancelReduceOnlyIfFlat(leg.instrument);
  }

  /**
   * Bracket children of one parent are one-cancels-other: a fill of one ends the others (unless
   * keepSiblingsOnPartialFill: then only once it is wholly filled).
   */
  private cancelSiblings(order: SimOrder): void {
    if (order.parentVenueOrderId === null) return;
    if (this.partialFillKeepsSiblings && order.status !== 'filled') return;
    for (const other of this.liveOrders()) {
      if (other === order || other.parentVenueOrderId !== order.parentVenueOrderId) continue;
      if (other.status === 'working' || other.status === 'pending')
        this.cancelOrder(other, 'venue', `OCO: ${order.venueOrderId} filled`);
    }
  }

  /** A futures position that went flat takes its reduce-only orders with it (BingX, Binance). */
  private cancelReduceOnlyIfFlat(instrument: Instrument): void {
    if (this.positions.get(instrument.id).qty !== 0) return;
    for (const other of this.liveOrders()) {
      if (!other.reduceOnly || (other.status !== 'working' && other.status !== 'pending')) continue;
      if (other.legs.some((l) => l.instrument.id === instrument.id))
        this.cancelOrder(other, 'venue', 'position closed: reduce-only order cancelled');
    }
  }

  private recordClosedPosition(
    instrument: Instrument,
    closed: NonNullable<ReturnType<SimPositionBook['apply']>['closed']>,
    t: number,
  ): void {
    if (!this.capabilities.positionHistory) return;
    const realised = Math.round(closed.realised * 100) / 100;
    const net = Math.round((closed.realised - closed.commission) * 100) / 100;
    const avgClose = Math.round(closed.avgClosePrice * 1e6) / 1e6;
    const avgOpen = Math.round(closed.avgPrice * 1e6) / 1e6;
    this.history.push({
      venuePositionId: VenuePositionId.of(closed.venuePositionId),
      instrumentId: instrument.id,
      qty: closed.qty,
      side: closed.long ? 'LONG' : 'SHORT',
      avgPrice: avgOpen,
      avgClosePrice: avgClose,
      realisedPnl: toMicros(realised),
      netPnl: toMicros(net),
      commission: toMicros(closed.commission),
      funding: toMicros(0), // the simulated venue charges no funding
      openedAt: closed.openedAt,
      closedAt: t,
    });
    this.append({
      type: 'positionClosed',
      venuePositionId: closed.venuePositionId,
      instrument: instrumentRecord(instrument),
      qty: closed.qty,
      avgPrice: avgOpen,
      avgClosePrice: avgClose,
      realisedPnl: realised,
      netPnl: net,
    });
  }

  private cancelOrder(order: SimOrder, reason: CancelReason, detail: string): void {
    order.status = reason === 'expired' ? 'expired' : 'cancelled';
    const remainingQty = unfilledUnits(order);
    this.append({ type: 'cancel', venueOrderId: order.venueOrderId, remainingQty, reason: detail });
    if (order.clientOrderId !== null) {
      this.emit({
        type: 'cancelled',
        t: this.scheduler.now(),
        clientOrderId: ClientOrderId.of(order.clientOrderId),
        venueOrderId: VenueOrderId.of(order.venueOrderId),
        remainingQty,
        reason,
        detail,
      });
    }
  }

  private orderStatus(o: SimOrder): VenueOrderStatus {
    const status = o.status === 'pending' ? 'working' : o.status;
    return {
      clientOrderId: o.clientOrderId === null ? null : ClientOrderId.of(o.clientOrderId),
      venueOrderId: VenueOrderId.of(o.venueOrderId),
      spec: this.specOf(o),
      status,
      filledQty: o.filledUnits,
      remainingQty: status === 'working' ? unfilledUnits(o) : 0,
      parentVenueOrderId: o.parentVenueOrderId === null ? null : VenueOrderId.of(o.parentVenueOrderId),
      avgFillPrice:
        o.filledLegQty > 0 && o.legs.length === 1
          ? Math.round((o.filledCash / o.filledLegQty) * 1e6) / 1e6
          : null,
    };
  }

  /** The order as the venue echoes it back (client id, legs, prices): what adoption rebuilds from. */
  private specOf(o: SimOrder): OrderSpec | null {
    if (o.clientOrderId === null) return null;
    const parent = o.parentVenueOrderId === null ? undefined : this.orders.get(o.parentVenueOrderId);
    return {
      clientOrderId: ClientOrderId.of(o.clientOrderId),
      legs: o.legs.map((l) => ({ instrumentId: l.instrument.id, side: l.side, ratio: l.ratio })),
      qty: o.qty,
      type: o.type,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      tif: o.tif,
      reduceOnly: o.reduceOnly,
      parentClientOrderId:
        parent?.clientOrderId === null || parent === undefined
          ? null
          : ClientOrderId.of(parent.clientOrderId),
    };
  }

  private logPosition(instrument: Instrument, qty: number, avgPrice: number): void {
    this.append({
      type: 'position',
      instrument: instrumentRecord(instrument),
      qty,
      avgPrice: Math.round(avgPrice * 1e6) / 1e6,
    });
  }

  private append(line: DistributiveOmit<VenueLogLine, 'seq' | 't'>): void {
    const t = formatIso(this.scheduler.now(), this.config.timeZone);
    this.log.push({ seq: this.log.length + 1, t, ...line } as VenueLogLine);
  }

  /** While the link is down the client hears nothing; it catches up from a snapshot on reconnect. */
  private emit(event: VenueEvent): void {
    if (this.connected || event.type === 'connection') this.listener?.(event);
  }

  /**
   * Client-side reports (an order or cancel that could not be sent), delivered by the event loop,
   * never from inside the caller's submit(); they need no link.
   */
  private emitAt(t: number, event: VenueEvent): void {
    this.scheduler.at(t, `venue event ${event.type}`, () => this.listener?.(event));
  }

  private requireInstrument(id: InstrumentId): Instrument {
    const i = this.registry.get(id);
    if (i === null) throw new InvariantError(`venue has no instrument ${id}`);
    return i;
  }

  private mintOrderId(): string {
    const n = this.nextOrderNo++;
    // Futures exchanges use 19-digit ids: never parse them as JS numbers.
    return this.config.products === 'futures'
      ? (1981288264506753024n + BigInt(n) * 1000n).toString()
      : String(10_000 + n);
  }

  private mintPositionId(): string {
    return (1981288265204482048n + BigInt(this.nextPositionNo++) * 4096n).toString();
  }
}

/** Quantities stay on the lot grid: 0.001 - 0.0004 is 0.0006, not 0.0006000000000000001. */
function unfilledUnits(order: SimOrder): number {
  return qtySub(order.qty, order.filledUnits);
}

/**
 * A partial fill's size: the fraction rounded down to the order's lot, at least one lot. A lot is
 * a whole share or contract, or 0.0001 BTC: a fractional futures order fills part of itself too.
 */
function partialUnits(order: SimOrder, fraction: number): number {
  const lot = Math.max(...order.legs.map((l) => l.instrument.lot));
  return Math.max(lot, roundToLot(order.qty * fraction, lot));
}

/** Stop and take-profit orders rest until the price touches their trigger. */
function isTriggered(type: OrderType): boolean {
  return type === 'STP' || type === 'STP_LMT' || type === 'MIT';
}

/** A sell stop triggers at or below its price, a sell take-profit (MIT) at or above; buys mirror. */
function touched(order: SimOrder, mid: number): boolean {
  const stop = order.stopPrice ?? 0;
  const buy = (order.legs[0]?.side ?? 'BUY') === 'BUY';
  if (order.type === 'MIT') return buy ? mid <= stop : mid >= stop;
  return buy ? mid >= stop : mid <= stop;
}

function afterTrigger(type: OrderType): OrderType {
  return type === 'STP' || type === 'MIT' ? 'MKT' : type === 'STP_LMT' ? 'LMT' : type;
}

const purposeByCode = { o: 'open', c: 'close', r: 'reduce', p: 'protect' } as const;

/** keel's client order ids end in the purpose and a count (…-c2): the sim reads it like an orderRef. */
function intentFromClientId(id: string): OrderIntentKind | null {
  const m = /-([ocrp])\d+$/.exec(id);
  return m ? purposeByCode[m[1] as keyof typeof purposeByCode] : null;
}

/** The simulated venue speaks IB-like codes; this is its adapter's map to keel's reasons. */
function rejectReasonOf(code: number): RejectReason {
  switch (code) {
    case 1100:
      return 'notSent';
    case 103:
      return 'duplicateId';
    case 110:
      return 'offTick';
    case 200:
      return 'unknownInstrument';
    default:
      return 'refused';
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
