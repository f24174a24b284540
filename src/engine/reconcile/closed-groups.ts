// A group that owns nothing at the venue any more is closed in keel's books, with how and when:
// by its protective stop or take-profit, or found closed by reconciliation after keel was down
// (the 2025-10-24 incident deleted such a trade as "not found"; keel books it, with its PnL).
import { isLive } from '../../domain';
import type { GroupRecord, OrderRecord, Projection } from '../../ledger/projection';
import type { EngineCore } from '../engine-core';
import type { OrderManager } from '../order-manager';
import type { Round, VenueCloseFacts } from './round';

export type FlatClose = {
  readonly startUp: boolean;
  readonly facts: VenueCloseFacts | null;
  /** Venue time of the execution that flattened it, when reconciliation applied it. */
  readonly lastFillAt: number | null;
};

/** Open groups that have traded and own nothing on any leg. */
export function flatOpenGroups(p: Projection): GroupRecord[] {
  return [...p.groups.values()].filter(
    (g) =>
      g.status === 'open' &&
      g.executions > 0 &&
      g.legs.every((l) => p.ownership.owned(l.instrumentId, g.id) === 0),
  );
}

export function closeFlatGroups(r: Round): void {
  for (const g of flatOpenGroups(r.core.p)) {
    const closed = closeFlatGroup(r.core, r.orders, g, {
      startUp: r.startUp,
      facts: r.venueCloses.get(g.id) ?? null,
      lastFillAt: r.lastFillAt.get(g.id) ?? null,
    });
    if (closed) r.counts.groupsClosed++;
  }
}

/**
 * Closes a flat group once none of its orders works any more (its remaining protective orders are
 * cancelled first: they could only open a position the other way). False while it waits, and for
 * a group no order of its own took flat (an expiry settlement: the engine books it as expired).
 */
export function closeFlatGroup(
  core: EngineCore,
  orders: OrderManager,
  g: GroupRecord,
  how: FlatClose,
): boolean {
  const p = core.p;
  const by = closingOrder(p, g);
  if (by === null) return false;
  const live = g.clientOrderIds.map((id) => p.orders.require(id)).filter((o) => isLive(o.state));
  if (live.length > 0) {
    for (const o of live)
      orders.requestCancel(o, `${g.id} is flat: its ${o.intent.intent} order is no longer needed`);
    return false;
  }
  const reason = `${flatReason(by)}${how.startUp ? ' while keel was down' : ''}`;
  const rec = core.recorder;
  rec.record('group.status', { groupId: g.id, status: 'closing', reason, targetUnits: 0 });
  rec.record('group.status', { groupId: g.id, status: 'closed', reason, targetUnits: null });
  const leg = g.legs[0];
  if (how.facts !== null) rec.record('group.venueClose', { groupId: g.id, ...how.facts });
  else if (how.lastFillAt !== null && leg !== undefined)
    rec.record('group.venueClose', {
      groupId: g.id,
      instrumentId: leg.instrumentId,
      closedAt: how.lastFillAt,
      venuePositionId: g.venuePositionIds.get(leg.instrumentId) ?? null,
      venueNetPnl: null,
      funding: 0 as VenueCloseFacts['funding'],
      evidence: 'executions',
      detail: "the closing execution was found in the venue's trade records on reconcile",
    });
  core.log(`${g.id} closed: ${reason}`);
  return true;
}

/** The group's own order that took it flat: its last reducing order with fills. */
function closingOrder(p: Projection, g: GroupRecord): OrderRecord | null {
  let last: OrderRecord | null = null;
  for (const id of g.clientOrderIds) {
    const o = p.orders.require(id);
    if (o.intent.intent === 'open' || o.filledByLeg.size === 0) continue;
    if (last === null || o.updatedAt >= last.updatedAt) last = o;
  }
  return last;
}

/** How the group closed, in a trader's words. */
function flatReason(last: OrderRecord): string {
  const trigger = last.intent.stopPrice;
  if (last.intent.type === 'STP') return `stop-loss ${trigger ?? ''} filled at the venue`;
  if (last.intent.type === 'MIT') return `take-profit ${trigger ?? ''} filled at the venue`;
  return `closed at the venue by ${last.intent.clientOrderId}`;
}
