// Every fact keel knows is one of these journal events. State is only ever the fold of them
// (projection.ts), so what keel believes after a restart is exactly what it believed before.
import type {
  ClientOrderId,
  Fill,
  GroupId,
  Instrument,
  InstrumentId,
  OrderIntent,
  OrderSource,
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
  | 'duplicate-fill';

/** One leg of a group: signed quantity per unit of the structure (iron condor: +1, -1, -1, +1). */
export type GroupLeg = { readonly instrumentId: InstrumentId; readonly qtyPerUnit: number };

export type JournalEventData = {
  'engine.started': { account: string; mode: 'start' | 'restart'; utcOffsetMin: number };
  'instrument.defined': { instrument: Instrument };
  'group.opened': {
    groupId: GroupId;
    strategyId: StrategyId;
    kind: string;
    source: OrderSource;
    legs: GroupLeg[];
    units: number;
    note: string | null;
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
  'order.rejected': { clientOrderId: ClientOrderId; code: number; message: string };
  'order.cancelRequested': { clientOrderId: ClientOrderId; reason: string };
  'order.cancelRejected': { clientOrderId: ClientOrderId; reason: string };
  'order.cancelled': { clientOrderId: ClientOrderId; remainingQty: number; reason: string };
  'order.expired': { clientOrderId: ClientOrderId };
  'order.lost': { clientOrderId: ClientOrderId; reason: string };
  'order.fill': { fill: Fill };
  'venue.position': { instrumentId: InstrumentId; qty: number; avgPrice: number };
  'trading.state': { state: TradingState; reason: string; source: 'engine' | 'operator' };
  'discrepancy.raised': {
    id: string;
    kind: DiscrepancyKind;
    instrumentId: InstrumentId | null;
    groupId: GroupId | null;
    detail: string;
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
};

export type JournalEventType = keyof JournalEventData;

export type JournalEvent = {
  [K in JournalEventType]: { readonly type: K; readonly t: number; readonly data: JournalEventData[K] };
}[JournalEventType];

export type EventOf<K extends JournalEventType> = Extract<JournalEvent, { type: K }>;

/** Event versions this keel reads and writes. A journal with a newer one is refused at start. */
export const eventVersions: Readonly<Record<JournalEventType, number>> = {
  'engine.started': 1,
  'instrument.defined': 1,
  'group.opened': 1,
  'group.status': 1,
  'group.positionId': 1,
  'group.settled': 1,
  'order.intent': 1,
  'order.sent': 1,
  'order.accepted': 1,
  'order.rejected': 1,
  'order.cancelRequested': 1,
  'order.cancelRejected': 1,
  'order.cancelled': 1,
  'order.expired': 1,
  'order.lost': 1,
  'order.fill': 1,
  'venue.position': 1,
  'trading.state': 1,
  'discrepancy.raised': 1,
  'discrepancy.resolved': 1,
  refusal: 1,
  'operator.command': 1,
  'strategy.note': 1,
};
