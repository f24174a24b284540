// keel's orders against the venue's order records. Matched by client order id, else by venue order
// id. An order keel journaled but the venue never saw is 'lost' (never re-sent): at once for an
// intent a crash kept from being sent, after a bounded number of checks and a grace period for one
// that was sent. A working order with keel's id that the journal lacks is adopted into its group.
// A fill the venue reports and keel has no execution for is inferred from the order record.
import {
  canTransition,
  ExecId,
  isLive,
  qtyMul,
  qtySub,
  roundToTick,
  ZERO_MICROS,
  type OrderIntent,
} from '../../domain';
import { filledUnits, type OrderRecord } from '../../ledger/projection';
import type { VenueOrderStatus } from '../../venues/venue';
import { noteParentId, parseKeelClientOrderId } from './ids';
import { venueRecordOf, type Round } from './round';

/** Reconciliations an order may be missing from the venue before it is declared lost. */
export const missingChecksMax = 3;
export const missingGraceMs = 30_000;

/** Links the venue's records to keel's orders: venue and parent ids, adoption, unknown orders. */
export function linkOrders(r: Round): void {
  for (const v of r.snap.orders) {
    if (v.clientOrderId !== null && r.byClientId.get(v.clientOrderId) !== v) continue; // a refused duplicate
    const order = keelOrderOf(r, v);
    if (!order) {
      if (v.clientOrderId !== null) adoptOrFlag(r, v);
      continue;
    }
    const id = order.intent.clientOrderId;
    if (order.venueOrderId === null && canTransition(order.state, 'accepted'))
      r.core.recorder.record('order.accepted', { clientOrderId: id, venueOrderId: v.venueOrderId });
    noteParentId(r.core, id, v.parentVenueOrderId ?? null);
  }
}

function keelOrderOf(r: Round, v: VenueOrderStatus): OrderRecord | undefined {
  const p = r.core.p;
  if (v.clientOrderId !== null) return p.orders.get(v.clientOrderId);
  const order = p.orders.byVenueOrderId(v.venueOrderId);
  if (order && !p.reconciliation.wasMatched('order', v.venueOrderId)) {
    r.core.recorder.record('reconcile.matched', {
      record: 'order',
      venueRef: v.venueOrderId,
      keelRef: order.intent.clientOrderId,
      by: 'venueOrderId',
      confidence: 1,
      detail: `the venue lists order ${v.venueOrderId} without a client order id; keel journaled that venue id for ${order.intent.clientOrderId}`,
    });
  }
  return order;
}

/** A venue order with keel's id format that keel has no record of. */
function adoptOrFlag(r: Round, v: VenueOrderStatus): void {
  const id = v.clientOrderId;
  if (id === null || (v.status !== 'working' && v.filledQty === 0)) return;
  const parsed = parseKeelClientOrderId(id);
  if (!parsed) return; // someone else's order: shown, never touched
  const group = r.core.p.groups.get(parsed.groupId);
  if (!group || v.spec === null) {
    r.core.raise(
      'unknown-order',
      `the venue has order ${v.venueOrderId} (${v.status}, filled ${v.filledQty}) with keel's client order id ${id}, but keel's journal has ${group ? 'no record of the order' : `no group ${parsed.groupId}`}`,
      v.spec?.legs[0]?.instrumentId ?? null,
      group ? group.id : null,
      id,
    );
    return;
  }
  const order: OrderIntent = {
    ...v.spec,
    groupId: group.id,
    strategyId: group.strategyId,
    source: 'engine',
    intent: parsed.intent,
  };
  r.core.recorder.record('order.intent', { order });
  r.core.recorder.record('order.accepted', { clientOrderId: id, venueOrderId: v.venueOrderId });
  r.core.recorder.record('reconcile.matched', {
    record: 'order',
    venueRef: v.venueOrderId,
    keelRef: id,
    by: 'clientOrderId',
    confidence: 1,
    detail: `adopted into ${group.id}: ${v.status} at the venue with keel's client order id, missing from the journal`,
  });
  r.counts.ordersAdopted++;
}

/** Every order keel believes live, against the venue's record of it. */
export function resolveOrders(r: Round): void {
  const p = r.core.p;
  for (const order of p.orders.live()) {
    const v = venueRecordOf(r, order);
    if (!v) {
      missing(r, order);
      continue;
    }
    order.missingChecks = 0;
    fillGap(r, order, v);
    const now = p.orders.require(order.intent.clientOrderId);
    if (!isLive(now.state)) {
      r.counts.ordersResolved++;
      continue;
    }
    syncStatus(r, now, v);
  }
  staleAtVenue(r);
}

function missing(r: Round, order: OrderRecord): void {
  const id = order.intent.clientOrderId;
  if (order.state === 'intent') {
    r.core.recorder.record('order.lost', {
      clientOrderId: id,
      reason: 'journaled but never sent before a crash; not re-sent',
    });
    r.counts.ordersLost++;
    return;
  }
  // In flight or slow to appear: only after a bounded number of checks and a grace period.
  order.missingChecks++;
  if (order.missingChecks < missingChecksMax || r.snap.t - order.updatedAt < missingGraceMs) return;
  r.core.raise(
    'missing-at-venue',
    `${id} (${order.state}) is not at the venue after ${order.missingChecks} checks`,
    order.intent.legs[0]?.instrumentId ?? null,
    order.intent.groupId,
    id,
  );
  r.core.recorder.record('order.lost', { clientOrderId: id, reason: 'the venue has no record of it' });
  r.counts.ordersLost++;
}

/**
 * The venue says more is filled than keel has executions for: the missing part is inferred from
 * the order record (average price, no commission known), with its provenance. Live, a fill may
 * still be on its way, so only after the same bounded number of checks; at start-up no stream was
 * open before the snapshot, so at once.
 */
function fillGap(r: Round, order: OrderRecord, v: VenueOrderStatus): void {
  const id = order.intent.clientOrderId;
  const gap = qtySub(v.filledQty, filledUnits(order));
  if (gap === 0) {
    order.fillGapChecks = 0;
    return;
  }
  const leg = order.intent.legs[0];
  const price = v.avgFillPrice ?? null;
  if (gap < 0 || order.intent.legs.length !== 1 || leg === undefined || price === null) {
    r.core.raise(
      'quantity-mismatch',
      `${id}: the venue reports ${v.filledQty} filled, keel has fills for ${filledUnits(order)}`,
      leg?.instrumentId ?? null,
      order.intent.groupId,
      `fills:${id}`,
    );
    return;
  }
  if (!r.startUp && ++order.fillGapChecks < missingChecksMax) return;
  const qty = qtyMul(gap, leg.ratio);
  const tick = r.core.p.requireInstrument(leg.instrumentId).tick;
  const fillPrice = roundToTick(price, tick);
  r.core.recorder.record('reconcile.matched', {
    record: 'execution',
    venueRef: v.venueOrderId,
    keelRef: id,
    by: v.clientOrderId === id ? 'clientOrderId' : 'venueOrderId',
    confidence: 1,
    detail: `inferred fill ${leg.side} ${qty} @ ${fillPrice} (the order's average) from the venue's order record (${v.filledQty} filled); no execution found since the checkpoint; commission unknown`,
  });
  r.orders.onFill(
    {
      execId: ExecId.of(`inferred:${v.venueOrderId}:${v.filledQty}`),
      clientOrderId: id,
      venueOrderId: v.venueOrderId,
      instrumentId: leg.instrumentId,
      side: leg.side,
      qty,
      price: fillPrice,
      commission: ZERO_MICROS,
      comboExecId: null,
      venuePositionId: null,
      t: r.snap.t,
    },
    'inferred',
  );
  r.counts.fillsInferred++;
}

function syncStatus(r: Round, order: OrderRecord, v: VenueOrderStatus): void {
  const id = order.intent.clientOrderId;
  const rec = r.core.recorder;
  const apply = (event: 'cancelled' | 'expired' | 'rejected', record: () => void) => {
    if (!canTransition(order.state, event))
      return r.core.log(`reconcile: ${id} is ${order.state}, venue says ${v.status}`);
    record();
    r.counts.ordersResolved++;
  };
  switch (v.status) {
    case 'working':
      return resendCancel(r, order);
    case 'filled': // its fills were applied above, or a quantity mismatch was raised
      return;
    case 'cancelled':
      return apply('cancelled', () =>
        rec.record('order.cancelled', {
          clientOrderId: id,
          remainingQty: v.remainingQty,
          reason: 'found cancelled at the venue on reconcile',
        }),
      );
    case 'expired':
      return apply('expired', () => rec.record('order.expired', { clientOrderId: id }));
    case 'rejected':
      return apply('rejected', () =>
        rec.record('order.rejected', {
          clientOrderId: id,
          code: 0,
          message: 'found rejected at the venue on reconcile',
          reason: 'refused',
        }),
      );
  }
}

/**
 * A cancel keel journaled may never have reached the venue (a crash between the journal and the
 * send): while the venue still works the order, the cancel is sent again, at start-up at once,
 * live after the grace period. Cancels are idempotent at the venue.
 */
function resendCancel(r: Round, order: OrderRecord): void {
  if (order.state !== 'cancel_pending') return;
  if (!r.startUp && r.snap.t - order.updatedAt < missingGraceMs) return;
  r.core.log(`reconcile: ${order.intent.clientOrderId} still works at the venue; cancel sent again`);
  r.core.venue.cancel(order.intent.clientOrderId);
}

/**
 * An order keel believes ended that the venue still works: a stale pending order (the 2026-02-13
 * cascade's kept filling). Raised once, and keel asks the venue to cancel it: it is keel's own.
 */
function staleAtVenue(r: Round): void {
  const p = r.core.p;
  for (const v of r.snap.orders) {
    if (v.status !== 'working') continue;
    const order =
      v.clientOrderId !== null ? p.orders.get(v.clientOrderId) : p.orders.byVenueOrderId(v.venueOrderId);
    if (!order || isLive(order.state)) continue;
    if (order.venueOrderId !== null && order.venueOrderId !== v.venueOrderId) continue;
    const id = order.intent.clientOrderId;
    if (p.reconciliation.openFor('stale-pending', id) !== null) continue;
    r.core.raise(
      'stale-pending',
      `${id} is ${order.state} in keel's books but still working at the venue (${v.remainingQty} left); cancel requested`,
      order.intent.legs[0]?.instrumentId ?? null,
      order.intent.groupId,
      id,
    );
    r.core.venue.cancel(id);
  }
}
