// Orders keel has intended, by client order id, with what the venue has said about them.
import {
  InvariantError,
  type RejectReason,
  isLive,
  nextOrderState,
  qtyAdd,
  type ClientOrderId,
  type InstrumentId,
  type OrderIntent,
  type OrderState,
  type VenueOrderId,
} from '../../domain';

export type OrderRecord = {
  readonly intent: OrderIntent;
  /** Changed through OrderBook.transition, which keeps its live index (one live-to-live fix-up aside). */
  state: OrderState;
  venueOrderId: VenueOrderId | null;
  /** The venue's id of the parent order (bracket / OCO children), as the venue reported it. */
  parentVenueOrderId: VenueOrderId | null;
  /** Filled quantity per leg instrument. */
  readonly filledByLeg: Map<InstrumentId, number>;
  readonly createdAt: number;
  updatedAt: number;
  lastReason: string | null;
  rejectCode: number | null;
  rejectReason: RejectReason | null;
  /** Times a reconciliation could not find it at the venue (bounded before 'lost'). */
  missingChecks: number;
  /** Times a reconciliation saw the venue report more filled than keel has fills for. */
  fillGapChecks: number;
};

export function newOrderRecord(intent: OrderIntent, t: number): OrderRecord {
  return {
    intent,
    state: 'intent',
    venueOrderId: null,
    parentVenueOrderId: null,
    filledByLeg: new Map(),
    createdAt: t,
    updatedAt: t,
    lastReason: null,
    rejectCode: null,
    rejectReason: null,
    missingChecks: 0,
    fillGapChecks: 0,
  };
}

/** Whole units of the order filled (a combo unit counts once every leg has its ratio). */
export function filledUnits(order: OrderRecord): number {
  let units = Infinity;
  for (const leg of order.intent.legs) {
    units = Math.min(units, (order.filledByLeg.get(leg.instrumentId) ?? 0) / leg.ratio);
  }
  return units === Infinity ? 0 : units;
}

export function isFullyFilled(order: OrderRecord): boolean {
  return order.intent.legs.every(
    (leg) => (order.filledByLeg.get(leg.instrumentId) ?? 0) >= qtyAdd(order.intent.qty * leg.ratio, 0),
  );
}

/** Quantity of one leg instrument still open at the venue (0 once the order is terminal). */
export function remainingLegQty(order: OrderRecord, instrumentId: InstrumentId): number {
  if (!isLive(order.state)) return 0;
  const leg = order.intent.legs.find((l) => l.instrumentId === instrumentId);
  if (!leg) return 0;
  return Math.max(0, qtyAdd(order.intent.qty * leg.ratio, -(order.filledByLeg.get(instrumentId) ?? 0)));
}

export class OrderBook {
  private readonly orders = new Map<ClientOrderId, OrderRecord>();
  private readonly byVenueId = new Map<VenueOrderId, ClientOrderId>();
  /**
   * The live orders in the order they were added, so live() does not walk every order ever made
   * (a year's journal holds tens of thousands). Kept by add() and transition().
   */
  private readonly liveOrders = new Set<OrderRecord>();

  add(record: OrderRecord): void {
    // Messages are built only on failure: replay runs these once per event.
    if (this.orders.has(record.intent.clientOrderId))
      throw new InvariantError(`duplicate client order id ${record.intent.clientOrderId}`);
    this.orders.set(record.intent.clientOrderId, record);
    if (isLive(record.state)) this.liveOrders.add(record);
  }

  get(id: ClientOrderId): OrderRecord | undefined {
    return this.orders.get(id);
  }

  require(id: ClientOrderId): OrderRecord {
    const order = this.orders.get(id);
    if (order === undefined) throw new InvariantError(`unknown client order id ${id}`);
    return order;
  }

  byVenueOrderId(id: VenueOrderId): OrderRecord | undefined {
    const cid = this.byVenueId.get(id);
    return cid === undefined ? undefined : this.orders.get(cid);
  }

  linkVenueId(order: OrderRecord, venueOrderId: VenueOrderId): void {
    order.venueOrderId = venueOrderId;
    this.byVenueId.set(venueOrderId, order.intent.clientOrderId);
  }

  transition(order: OrderRecord, event: Parameters<typeof nextOrderState>[1], t: number): void {
    const wasLive = isLive(order.state);
    order.state = nextOrderState(order.state, event);
    order.updatedAt = t;
    if (wasLive === isLive(order.state)) return;
    if (wasLive) {
      this.liveOrders.delete(order);
      return;
    }
    // A lost order found after all (rare): rebuild, so live() keeps the order of add().
    this.liveOrders.clear();
    for (const o of this.orders.values()) if (isLive(o.state)) this.liveOrders.add(o);
  }

  /** After a checkpoint restored `orders`: the live index, in the order orders were added. */
  reindex(): void {
    this.liveOrders.clear();
    for (const o of this.orders.values()) if (isLive(o.state)) this.liveOrders.add(o);
  }

  all(): IterableIterator<OrderRecord> {
    return this.orders.values();
  }

  /** Whether any order is live (without building the list). */
  hasLive(): boolean {
    for (const o of this.liveOrders) if (isLive(o.state)) return true;
    return false;
  }

  live(): OrderRecord[] {
    return [...this.liveOrders].filter((o) => isLive(o.state));
  }

  get size(): number {
    return this.orders.size;
  }
}
