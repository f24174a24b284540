// Start-up reconciliation (and on reconnect): keel's journal against the venue's own view.
// Invariants: nothing is deleted; an order keel journaled but the venue never saw becomes 'lost'
// (never re-sent); fills keel missed are applied with provenance 'reconciled'; settlements missed
// while down are applied; any owned instrument whose venue quantity cannot contain keel's owned
// quantity is a discrepancy that stops trading.
import { describeInstrument, isLive, qtyAdd, type InstrumentId } from '../domain';
import type { VenueSnapshot } from '../venues/venue';
import type { EngineCore } from './engine-core';
import type { OrderManager } from './order-manager';
import { settleGroups } from './settlement';

/** Reconciliations an order may be missing from the venue before it is declared lost. */
export const missingChecksMax = 3;
export const missingGraceMs = 30_000;

export type ReconcileSummary = {
  readonly ordersResolved: number;
  readonly fillsRecovered: number;
  readonly settlementsApplied: number;
  readonly discrepancies: number;
};

export function reconcile(core: EngineCore, orders: OrderManager, snap: VenueSnapshot): ReconcileSummary {
  const p = core.p;
  const before = p.discrepancies.size;
  let fillsRecovered = 0;
  for (const fill of snap.executions) {
    if (p.execIds.has(fill.execId) || !p.orders.get(fill.clientOrderId)) continue;
    orders.onFill(fill);
    fillsRecovered++;
  }
  const ordersResolved = resolveOrders(core, snap);
  let settlementsApplied = 0;
  for (const s of snap.settlements) settlementsApplied += settleGroups(core, s.instrumentId, s.price, s.t);
  syncPositions(core, snap);
  return { ordersResolved, fillsRecovered, settlementsApplied, discrepancies: p.discrepancies.size - before };
}

function resolveOrders(core: EngineCore, snap: VenueSnapshot): number {
  const p = core.p;
  const atVenue = new Map(
    snap.orders.filter((o) => o.clientOrderId !== null).map((o) => [o.clientOrderId as string, o]),
  );
  let resolved = 0;
  for (const order of p.orders.live()) {
    const id = order.intent.clientOrderId;
    const v = atVenue.get(id);
    if (!v) {
      if (order.state === 'intent') {
        core.recorder.record('order.lost', {
          clientOrderId: id,
          reason: 'journaled but never sent before a crash; not re-sent',
        });
        resolved++;
        continue;
      }
      // In flight or slow to appear: only after a bounded number of checks and a grace period.
      order.missingChecks++;
      if (order.missingChecks < missingChecksMax || snap.t - order.updatedAt < missingGraceMs) continue;
      core.raise(
        'missing-at-venue',
        `${id} (${order.state}) is not at the venue after ${order.missingChecks} checks`,
        null,
        order.intent.groupId,
      );
      core.recorder.record('order.lost', { clientOrderId: id, reason: 'the venue has no record of it' });
      resolved++;
      continue;
    }
    if (order.venueOrderId === null && order.state !== 'filled') {
      core.recorder.record('order.accepted', { clientOrderId: id, venueOrderId: v.venueOrderId });
    }
    const now = p.orders.require(id);
    if (!isLive(now.state)) {
      resolved++;
      continue;
    }
    switch (v.status) {
      case 'working':
        break;
      case 'cancelled':
        core.recorder.record('order.cancelled', {
          clientOrderId: id,
          remainingQty: v.remainingQty,
          reason: 'found cancelled at the venue on reconcile',
        });
        resolved++;
        break;
      case 'expired':
        core.recorder.record('order.expired', { clientOrderId: id });
        resolved++;
        break;
      case 'rejected':
        core.recorder.record('order.rejected', {
          clientOrderId: id,
          code: 0,
          message: 'found rejected at the venue on reconcile',
        });
        resolved++;
        break;
      case 'filled':
        core.raise(
          'quantity-mismatch',
          `${id} is filled at the venue but keel has not seen all its fills`,
          null,
          order.intent.groupId,
        );
        break;
    }
  }
  return resolved;
}

function syncPositions(core: EngineCore, snap: VenueSnapshot): void {
  const p = core.p;
  const venueQty = new Map<InstrumentId, { qty: number; avgPrice: number }>();
  for (const pos of snap.positions) venueQty.set(pos.instrumentId, { qty: pos.qty, avgPrice: pos.avgPrice });
  const ids = new Set<InstrumentId>([...venueQty.keys(), ...p.ownership.instruments()]);
  for (const id of [...ids].sort()) {
    const v = venueQty.get(id) ?? { qty: 0, avgPrice: 0 };
    if (p.ownership.venueNetQty(id) !== v.qty)
      core.recorder.record('venue.position', { instrumentId: id, qty: v.qty, avgPrice: v.avgPrice });
    checkContainsOwned(core, id, 'reconcile');
  }
}

/** The venue's net must contain what keel owns; otherwise keel's picture is wrong: stop. */
export function checkContainsOwned(core: EngineCore, id: InstrumentId, when: string): boolean {
  const p = core.p;
  const owned = p.ownership.ownedTotal(id);
  const net = p.ownership.venueNetQty(id) ?? 0;
  if (owned === 0) return true;
  const contains = Math.sign(net) === Math.sign(owned) && Math.abs(net) >= Math.abs(owned);
  if (contains) return true;
  const i = p.instruments.get(id);
  const name = i ? describeInstrument(i) : id;
  core.raise(
    'quantity-mismatch',
    `${when}: keel owns ${owned} ${name} but the venue shows ${net} (foreign ${qtyAdd(net, -owned)})`,
    id,
  );
  core.trip('HALTED', `venue quantity of ${name} does not contain keel's owned ${owned}`);
  return false;
}
