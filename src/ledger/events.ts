// Every fact keel knows is one of these journal events. State is only ever the fold of them
// (projection.ts), so what keel believes after a restart is exactly what it believed before.
import type {
  ClientOrderId,
  Fill,
  Micros,
  GroupId,
  Instrument,
  InstrumentId,
  OrderIntent,
  OrderSource,
  RejectReason,
  StrategyId,
  VenueOrderId,
  VenuePositionId,
} from '../domain';

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** Lifecycle of one opened structure. 'residual': some legs could not be closed (an incident). */
export type GroupStatus = 'opening' | 'open' | 'closing' | 'closed' | 'residual' | 'failed';

export type DiscrepancyKind =
  | 'missing-at-venue'
  | 'foreign-position'
  | 'quantity-mismatch'
  | 'unknown-order'
  | 'stale-pending'
  | 'pnl-mismatch'
  | 'fill-after-close'
  | 'unexpected-position'
  | 'uncovered-short'
  | 'residual'
  | 'duplicate-fill'
  | 'budget-breach'
  | 'unknown-instrument';

/** The keys reconciliation matches a venue record by, in order of trust. */
export type MatchKey = 'clientOrderId' | 'venueOrderId' | 'venuePositionId' | 'characteristics';
export type MatchedRecord = 'order' | 'execution' | 'position' | 'positionHistory';

/** What one reconciliation round did (journaled at start-up, when it changed anything, and hourly). */
export type ReconcileCounts = {
  fillsRecovered: number;
  fillsInferred: number;
  ordersResolved: number;
  ordersAdopted: number;
  ordersLost: number;
  groupsClosed: number;
  settlementsApplied: number;
  discrepanciesRaised: number;
  discrepanciesResolved: number;
};

/** One leg of a group: signed quantity per unit of the structure (iron condor: +1, -1, -1, +1). */
export type GroupLeg = { readonly instrumentId: InstrumentId; readonly qtyPerUnit: number };

/**
 * What a group's open holds against the exposure budgets (risk/budget.ts): its worst-case
 * exposure per unit (notional, or max loss of an option structure) at the order's worst price.
 */
export type BudgetClaim = {
  symbol: string;
  price: number;
  exposurePerUnit: number;
  lot: number;
  unit: string;
};

/** A fixed entry limit (never chased) and a bracket's children: stop-loss and take-profit. */
export type EntryTerms = {
  limitPrice: number | null;
  stopPrice: number | null;
  targetPrice: number | null;
};

/** Budget limits as journaled: fractions of equity and position counts. */
export type BudgetLimitsData = {
  maxPositionPct: number;
  maxDailyPct: number;
  maxWeeklyPct: number;
  maxPositionsPerDay: number;
  positionsPerWeekWarnAt: number;
  maxPositionsPerWeek: number;
};

export type JournalEventData = {
  'engine.started': {
    account: string;
    mode: 'start' | 'restart';
    /** v2: the exchange's zone, IANA ("America/New_York") or fixed ("UTC-05:00"). v1 has only the offset. */
    timeZone: string;
    /** The offset in force at this start (v1: the one fixed offset of the run). */
    utcOffsetMin: number;
  };
  'instrument.defined': { instrument: Instrument };
  'group.opened': {
    groupId: GroupId;
    strategyId: StrategyId;
    kind: string;
    source: OrderSource;
    legs: GroupLeg[];
    units: number;
    note: string | null;
    /** v2: the budget reservation, taken atomically with the open. */
    budget: BudgetClaim | null;
    /** v2: an entry at a fixed limit, with its protective stop and target (a bracket). */
    entry: EntryTerms | null;
  };
  'group.status': { groupId: GroupId; status: GroupStatus; reason: string; targetUnits: number | null };
  'group.positionId': { groupId: GroupId; instrumentId: InstrumentId; venuePositionId: VenuePositionId };
  'group.settled': {
    groupId: GroupId;
    instrumentId: InstrumentId;
    qty: number;
    price: number;
    execId: string;
  };
  'order.intent': { order: OrderIntent };
  'order.sent': { clientOrderId: ClientOrderId };
  'order.accepted': { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId };
  /** v2 adds the typed reason; a v1 event has none (see projection). */
  'order.rejected': { clientOrderId: ClientOrderId; code: number; message: string; reason?: RejectReason };
  'order.cancelRequested': { clientOrderId: ClientOrderId; reason: string };
  'order.cancelRejected': { clientOrderId: ClientOrderId; reason: string };
  'order.cancelled': { clientOrderId: ClientOrderId; remainingQty: number; reason: string };
  'order.expired': { clientOrderId: ClientOrderId };
  'order.lost': { clientOrderId: ClientOrderId; reason: string };
  /** The venue's id of the order a bracket / OCO child is attached to, as the venue reported it. */
  'order.parentId': { clientOrderId: ClientOrderId; parentVenueOrderId: VenueOrderId };
  /** The venue reported an execution keel already has (same exec id): ignored, and counted. */
  'fill.duplicate': { execId: string; clientOrderId: ClientOrderId };
  /** The venue's order-id sequence reached `last` (written before the order with that id is sent). */
  'venue.orderSequence': { last: number };
  'order.fill': { fill: Fill };
  'venue.position': { instrumentId: InstrumentId; qty: number; avgPrice: number };
  'trading.state': { state: TradingState; reason: string; source: 'engine' | 'operator' };
  'discrepancy.raised': {
    id: string;
    kind: DiscrepancyKind;
    instrumentId: InstrumentId | null;
    groupId: GroupId | null;
    detail: string;
    /** v2: what it is about (a client order id, a venue position id, ...): one open per kind and subject. */
    subject: string | null;
  };
  'discrepancy.resolved': { id: string; resolution: string };
  refusal: {
    source: 'strategy' | 'operator';
    strategyId: StrategyId | null;
    rule: string;
    message: string;
    maxAllowedQty: number | null;
  };
  'operator.command': { command: string; args: Record<string, unknown> };
  'strategy.note': { strategyId: StrategyId; message: string };
  /** Signals an operator gave a strategy while it runs (as the strategy accepted them). */
  'strategy.signals': { strategyId: StrategyId; signals: unknown[] };
  /** A venue record matched by anything weaker than keel's client order id, with how sure it is. */
  'reconcile.matched': {
    record: MatchedRecord;
    venueRef: string;
    keelRef: string;
    by: MatchKey;
    /** 1 for a match by id; below 1 for a match by characteristics (instrument, side, qty, price, time). */
    confidence: number;
    detail: string;
  };
  /** A reconciliation round: `checkpoint` is the venue time executions are next fetched from. */
  'reconcile.completed': { checkpoint: number; startUp: boolean; counts: ReconcileCounts };
  /**
   * A group found flat at the venue (closed while keel was down, or by a protective order): when
   * it closed by the venue's clock, and the venue's own net PnL for the position where it has one.
   * `funding` is booked into the group's realized PnL (futures funding is in no fill).
   */
  'group.venueClose': {
    groupId: GroupId;
    instrumentId: InstrumentId;
    closedAt: number;
    venuePositionId: VenuePositionId | null;
    venueNetPnl: Micros | null;
    funding: Micros;
    evidence: 'executions' | 'positionHistory';
    detail: string;
  };
  /** Budgets start (or their limits change) with the equity they are measured against. */
  'budget.configured': {
    equity: number;
    limits: BudgetLimitsData;
    strategyLimits: { strategyId: StrategyId; limits: BudgetLimitsData }[];
  };
  /** A new trading day (and, after Friday's close, a new week) for the budgets. */
  'budget.period': { kind: 'day' | 'week'; equity: number };
  /** The scheduled scan: budget freed by closes since the last one becomes available. */
  'budget.scan': { at: string };
};

export type JournalEventType = keyof JournalEventData;

export type JournalEvent = {
  [K in JournalEventType]: { readonly type: K; readonly t: number; readonly data: JournalEventData[K] };
}[JournalEventType];

export type EventOf<K extends JournalEventType> = Extract<JournalEvent, { type: K }>;

/** Event versions this keel reads and writes. A journal with a newer one is refused at start. */
export const eventVersions: Readonly<Record<JournalEventType, number>> = {
  'engine.started': 2,
  'instrument.defined': 1,
  'group.opened': 2,
  'group.status': 1,
  'group.positionId': 1,
  'group.settled': 1,
  'order.intent': 1,
  'order.sent': 1,
  'order.accepted': 1,
  'order.rejected': 2,
  'order.cancelRequested': 1,
  'order.cancelRejected': 1,
  'order.cancelled': 1,
  'order.expired': 1,
  'order.lost': 1,
  'order.fill': 1,
  'venue.position': 1,
  'trading.state': 1,
  'discrepancy.raised': 2,
  'discrepancy.resolved': 1,
  refusal: 1,
  'operator.command': 1,
  'strategy.note': 1,
  'strategy.signals': 1,
  'order.parentId': 1,
  'fill.duplicate': 1,
  'venue.orderSequence': 1,
  'reconcile.matched': 1,
  'reconcile.completed': 1,
  'group.venueClose': 1,
  'budget.configured': 1,
  'budget.period': 1,
  'budget.scan': 1,
};
