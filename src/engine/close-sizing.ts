// A close or reduce order is bounded by what the group owns minus what its working close orders
// already cover. It can never flip a leg or touch a foreign quantity: the contamination cascade
// (2026-02-13) sent market orders for every XSP position and flipped legs with partial fills.
import { qtyAdd, type InstrumentId, type OrderType, type Side } from '../domain';
import { remainingLegQty, type GroupRecord, type Projection } from '../ledger/projection';

export type ClosableLeg = { readonly instrumentId: InstrumentId; readonly side: Side; readonly qty: number };

/** Quantity of this group's leg that working close/reduce orders are already taking off. */
export function workingCloseQty(
  p: Projection,
  group: GroupRecord,
  instrumentId: InstrumentId,
  closingSide: Side,
): number {
  let working = 0;
  for (const id of group.clientOrderIds) {
    const order = p.orders.get(id);
    if (!order || (order.intent.intent !== 'close' && order.intent.intent !== 'reduce')) continue;
    const leg = order.intent.legs.find((l) => l.instrumentId === instrumentId);
    if (!leg || leg.side !== closingSide) continue;
    working = qtyAdd(working, remainingLegQty(order, instrumentId));
  }
  return working;
}

/** How much of one leg the group may still close now, and on which side; null when nothing. */
export function closableQty(
  p: Projection,
  group: GroupRecord,
  instrumentId: InstrumentId,
): ClosableLeg | null {
  const owned = p.ownership.owned(instrumentId, group.id);
  if (owned === 0) return null;
  const side: Side = owned > 0 ? 'SELL' : 'BUY';
  const qty = qtyAdd(Math.abs(owned), -workingCloseQty(p, group, instrumentId, side));
  return qty > 0 ? { instrumentId, side, qty } : null;
}

/**
 * How much of one leg a protective order may cover: what the group owns, minus working closes,
 * minus working protective orders of the same trigger type. A stop and a take-profit for the same
 * quantity are alternatives (one cancels the other at the venue), so they do not add up.
 */
export function protectableQty(
  p: Projection,
  group: GroupRecord,
  instrumentId: InstrumentId,
  type: OrderType,
): ClosableLeg | null {
  const closable = closableQty(p, group, instrumentId);
  if (!closable) return null;
  let working = 0;
  for (const id of group.clientOrderIds) {
    const order = p.orders.get(id);
    if (!order || order.intent.intent !== 'protect' || order.intent.type !== type) continue;
    const leg = order.intent.legs.find((l) => l.instrumentId === instrumentId);
    if (!leg || leg.side !== closable.side) continue;
    working = qtyAdd(working, remainingLegQty(order, instrumentId));
  }
  const qty = qtyAdd(closable.qty, -working);
  return qty > 0 ? { ...closable, qty } : null;
}
