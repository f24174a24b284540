// Test helpers for reconciliation: a futures account with one perpetual, groups journaled the way
// the engine journals them, and venue snapshots written by hand.
import {
  ClientOrderId,
  ExecId,
  GroupId,
  InstrumentId,
  StrategyId,
  toMicros,
  VenueOrderId,
  VenuePositionId,
  type Instrument,
  type OrderType,
} from '../../src/domain';
import type { VenueExecution, VenueOrderStatus, VenueSnapshot } from '../../src/venues/venue';
import { OrderManager } from '../../src/engine/order-manager';
import { testCore } from './engine-fixtures';

export const btc: Instrument = {
  id: InstrumentId.of('841000001'),
  symbol: 'BTC-USDT',
  kind: 'future',
  expiry: null,
  multiplier: 1,
  tick: 0.1,
  lot: 0.0001,
};

export function futuresAccount() {
  const t = testCore([btc]);
  return { ...t, orders: new OrderManager(t.core) };
}

type Core = ReturnType<typeof futuresAccount>['core'];

export const strategy = StrategyId.of('btc-perp');

/** A long perpetual group, opened and filled, as the engine journals it. */
export function openLong(
  core: Core,
  o: {
    group: string;
    qty: number;
    price: number;
    commission?: number;
    venueOrderId: string;
    positionId?: string;
    /** The entry's protective stop and take-profit. */
    exits?: { stopPrice: number | null; targetPrice: number | null };
  },
) {
  const groupId = GroupId.of(o.group);
  const clientOrderId = ClientOrderId.of(`${o.group}-o1`);
  const rec = core.recorder;
  rec.record('group.opened', {
    groupId,
    strategyId: strategy,
    kind: 'futures-protected',
    source: 'strategy',
    legs: [{ instrumentId: btc.id, qtyPerUnit: o.qty }],
    units: 1,
    note: null,
    budget: null,
    entry: { limitPrice: null, stopPrice: null, targetPrice: null, ...o.exits },
  });
  rec.record('order.intent', {
    order: {
      clientOrderId,
      groupId,
      strategyId: strategy,
      source: 'strategy',
      intent: 'open',
      legs: [{ instrumentId: btc.id, side: 'BUY', ratio: 1 }],
      qty: o.qty,
      type: 'LMT',
      limitPrice: o.price,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: false,
      parentClientOrderId: null,
    },
  });
  rec.record('order.sent', { clientOrderId });
  rec.record('order.accepted', { clientOrderId, venueOrderId: VenueOrderId.of(o.venueOrderId) });
  rec.record('order.fill', {
    fill: {
      execId: ExecId.of(`E-open-${o.group}`),
      clientOrderId,
      venueOrderId: VenueOrderId.of(o.venueOrderId),
      instrumentId: btc.id,
      side: 'BUY',
      qty: o.qty,
      price: o.price,
      commission: toMicros(o.commission ?? 0),
      comboExecId: null,
      venuePositionId: null,
      t: core.now(),
      provenance: 'live',
    },
  });
  rec.record('venue.position', { instrumentId: btc.id, qty: o.qty, avgPrice: o.price });
  rec.record('group.status', { groupId, status: 'open', reason: 'opened', targetUnits: null });
  if (o.positionId !== undefined)
    rec.record('group.positionId', {
      groupId,
      instrumentId: btc.id,
      venuePositionId: VenuePositionId.of(o.positionId),
    });
  return { groupId, clientOrderId };
}

/** A protective order of a long group, sent and acknowledged. */
export function protect(
  core: Core,
  o: { group: string; n: number; qty: number; type: OrderType; trigger: number; venueOrderId: string },
) {
  const groupId = GroupId.of(o.group);
  const clientOrderId = ClientOrderId.of(`${o.group}-p${o.n}`);
  core.recorder.record('order.intent', {
    order: {
      clientOrderId,
      groupId,
      strategyId: strategy,
      source: 'engine',
      intent: 'protect',
      legs: [{ instrumentId: btc.id, side: 'SELL', ratio: 1 }],
      qty: o.qty,
      type: o.type,
      limitPrice: null,
      stopPrice: o.trigger,
      tif: 'GTC',
      reduceOnly: true,
      parentClientOrderId: ClientOrderId.of(`${o.group}-o1`),
    },
  });
  core.recorder.record('order.sent', { clientOrderId });
  core.recorder.record('order.accepted', { clientOrderId, venueOrderId: VenueOrderId.of(o.venueOrderId) });
  return clientOrderId;
}

export function venueOrder(o: {
  clientOrderId: string | null;
  venueOrderId: string;
  status: VenueOrderStatus['status'];
  filledQty?: number;
  remainingQty?: number;
  avgFillPrice?: number | null;
}): VenueOrderStatus {
  return {
    clientOrderId: o.clientOrderId === null ? null : ClientOrderId.of(o.clientOrderId),
    venueOrderId: VenueOrderId.of(o.venueOrderId),
    spec: null,
    status: o.status,
    filledQty: o.filledQty ?? 0,
    remainingQty: o.remainingQty ?? 0,
    avgFillPrice: o.avgFillPrice ?? null,
  };
}

export function execution(o: {
  execId: string;
  clientOrderId?: string | null;
  venueOrderId: string;
  side: 'BUY' | 'SELL';
  qty: number;
  price: number;
  commission?: number;
  t: number;
}): VenueExecution {
  return {
    execId: ExecId.of(o.execId),
    clientOrderId:
      o.clientOrderId === undefined || o.clientOrderId === null ? null : ClientOrderId.of(o.clientOrderId),
    venueOrderId: VenueOrderId.of(o.venueOrderId),
    instrumentId: btc.id,
    side: o.side,
    qty: o.qty,
    price: o.price,
    commission: toMicros(o.commission ?? 0),
    comboExecId: null,
    venuePositionId: null,
    t: o.t,
  };
}

export function snapshot(t: number, parts: Partial<Omit<VenueSnapshot, 't'>> = {}): VenueSnapshot {
  return { t, orders: [], positions: [], executions: [], settlements: [], positionHistory: [], ...parts };
}

/** Journal event types appended since `from` (the store's events). */
export function typesSince(store: { events: { type: string }[] }, from: number): string[] {
  return store.events.slice(from).map((e) => e.type);
}
