// Reconciliation: keel's journal against the venue's own view, at start-up before any new order
// and then on a timer. One round, in this order:
//   1. ids: venue order ids and parent ids linked by client order id (or venue order id); working
//      orders with keel's id that the journal lacks are adopted into their group
//   2. executions since the checkpoint, matched by client order id, venue order id, then by
//      characteristics (inferred, with a confidence)
//   3. the position history: closed positions matched by venue position id, then characteristics
//   4. keel's live orders against the venue's records: lost after bounded checks, statuses synced,
//      missing fills inferred from the order record, stale pending orders flagged and cancelled
//   5. expiry settlements
//   6. positions: venue net, position ids captured, containment of what keel owns (else HALT)
//   7. open groups now flat at the venue are closed, with their venue close facts
//   8. open discrepancies resolved by the evidence, and the checkpoint
// Invariants: nothing is deleted (an unmatched record is an open discrepancy); a fill is applied
// once (by exec id, inferred ones by a deterministic id); an order never sent twice; every fill
// carries its provenance; the same snapshot reconciled twice changes nothing the second time.
import type { ReconcileCounts } from '../../ledger/events';
import type { VenueSnapshot } from '../../venues/venue';
import type { EngineCore } from '../engine-core';
import type { OrderManager } from '../order-manager';
import { settleGroups } from '../settlement';
import { closeFlatGroups } from './closed-groups';
import { resolveByEvidence } from './discrepancies';
import { applyExecutions } from './executions';
import { matchPositionHistory } from './history';
import { linkOrders, resolveOrders } from './orders';
import { syncPositions } from './positions';
import { newRound } from './round';

export type ReconcileSummary = ReconcileCounts;
export type ReconcileOptions = { readonly startUp: boolean };

/** Executions are fetched again from this long before the last snapshot (late trade records). */
export const executionsOverlapMs = 5 * 60_000;
/** A round that changed nothing is journaled at most this often (its checkpoint). */
export const checkpointEveryMs = 60 * 60_000;

export function reconcile(
  core: EngineCore,
  orders: OrderManager,
  snap: VenueSnapshot,
  options: ReconcileOptions = { startUp: false },
): ReconcileSummary {
  const p = core.p;
  const r = newRound(core, orders, snap, options.startUp);
  const discrepanciesBefore = p.discrepancies.size;
  linkOrders(r);
  applyExecutions(r);
  // Before the order records: a closed position's record carries the venue's net PnL, an order
  // record only an average price.
  matchPositionHistory(r);
  resolveOrders(r);
  for (const s of snap.settlements)
    r.counts.settlementsApplied += settleGroups(core, s.instrumentId, s.price, s.t);
  syncPositions(r);
  closeFlatGroups(r);
  resolveByEvidence(r);
  r.counts.discrepanciesRaised = p.discrepancies.size - discrepanciesBefore;
  checkpoint(r.core, snap.t, options.startUp, r.counts);
  return r.counts;
}

function checkpoint(core: EngineCore, t: number, startUp: boolean, counts: ReconcileCounts): void {
  const p = core.p;
  const changed = Object.values(counts).some((n) => n > 0);
  const last = p.reconciliation.checkpoint;
  if (!startUp && !changed && last !== null && t - executionsOverlapMs - last < checkpointEveryMs) return;
  core.recorder.record('reconcile.completed', {
    checkpoint: t - executionsOverlapMs,
    startUp,
    counts: { ...counts },
  });
}
