// The venue's executions since keel's checkpoint, matched to keel's orders in the order of trust:
// client order id, venue order id, then characteristics (an inferred match with its confidence).
// An execution keel already has (by exec id) is skipped; one that matches nothing is someone
// else's and shows as foreign quantity in the positions.
import { isLive, type ClientOrderId } from '../../domain';
import type { MatchKey } from '../../ledger/events';
import { remainingLegQty, type OrderRecord } from '../../ledger/projection';
import type { VenueExecution } from '../../venues/venue';
import { matchExecution, type OrderCandidate } from './match';
import { parseKeelClientOrderId } from './ids';
import type { Round } from './round';

type Matched = { order: OrderRecord; by: MatchKey; confidence: number; detail: string };

export function applyExecutions(r: Round): void {
  const p = r.core.p;
  const fresh = r.snap.executions
    .filter((x) => !p.execIds.has(x.execId))
    .sort((a, b) => a.t - b.t || (a.execId < b.execId ? -1 : a.execId > b.execId ? 1 : 0));
  for (const x of fresh) {
    if (p.execIds.has(x.execId)) continue; // listed twice
    const m = matchOf(r, x);
    if (!m) continue;
    const id = m.order.intent.clientOrderId;
    if (m.by !== 'clientOrderId') {
      r.core.recorder.record('reconcile.matched', {
        record: 'execution',
        venueRef: x.execId,
        keelRef: id,
        by: m.by,
        confidence: m.confidence,
        detail: m.detail,
      });
    }
    r.orders.onFill({ ...x, clientOrderId: id }, m.by === 'characteristics' ? 'inferred' : 'reconciled');
    if (m.by === 'characteristics') r.counts.fillsInferred++;
    else r.counts.fillsRecovered++;
    const groupId = m.order.intent.groupId;
    r.lastFillAt.set(groupId, Math.max(r.lastFillAt.get(groupId) ?? x.t, x.t));
  }
}

function matchOf(r: Round, x: VenueExecution): Matched | null {
  const p = r.core.p;
  if (x.clientOrderId !== null) {
    const order = p.orders.get(x.clientOrderId);
    if (order) return { order, by: 'clientOrderId', confidence: 1, detail: '' };
    if (parseKeelClientOrderId(x.clientOrderId) !== null) unknownKeelId(r, x, x.clientOrderId);
    return null;
  }
  const byVenue = p.orders.byVenueOrderId(x.venueOrderId);
  if (byVenue)
    return {
      order: byVenue,
      by: 'venueOrderId',
      confidence: 1,
      detail: `trade record ${x.execId} carries venue order id ${x.venueOrderId} only; keel journaled it for ${byVenue.intent.clientOrderId}`,
    };
  return byCharacteristics(r, x);
}

/** An execution without ids: one of keel's live orders that it fits, if exactly one. */
function byCharacteristics(r: Round, x: VenueExecution): Matched | null {
  const p = r.core.p;
  const candidates: OrderCandidate[] = [];
  for (const order of p.orders.live()) {
    for (const leg of order.intent.legs) {
      if (leg.instrumentId !== x.instrumentId) continue;
      candidates.push({
        clientOrderId: order.intent.clientOrderId,
        instrumentId: leg.instrumentId,
        side: leg.side,
        remainingQty: remainingLegQty(order, leg.instrumentId),
        type: order.intent.type,
        limitPrice:
          order.intent.type === 'LMT' && order.intent.legs.length === 1 ? order.intent.limitPrice : null,
        triggerPrice:
          order.intent.type === 'LMT' || order.intent.type === 'MKT' ? null : order.intent.stopPrice,
        createdAt: order.createdAt,
      });
    }
  }
  if (candidates.length === 0) return null;
  const tick = p.instruments.get(x.instrumentId)?.tick ?? 0.01;
  const m = matchExecution(candidates, x, tick);
  if (m.kind !== 'match') return null;
  const order = p.orders.require(m.id);
  if (!isLive(order.state)) return null;
  return { order, by: 'characteristics', confidence: m.confidence, detail: `inferred: ${m.detail}` };
}

function unknownKeelId(r: Round, x: VenueExecution, id: ClientOrderId): void {
  r.core.raise(
    'unknown-order',
    `execution ${x.execId} (${x.side} ${x.qty} @ ${x.price}) carries keel's client order id ${id}, which keel's journal does not have`,
    x.instrumentId,
    null,
    id,
  );
}
