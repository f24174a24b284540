// One reconciliation round: the venue's snapshot, keel's order manager, and what the round did.
import type { ClientOrderId, GroupId } from '../../domain';
import type { EventOf, ReconcileCounts } from '../../ledger/events';
import type { OrderRecord } from '../../ledger/projection';
import type { VenueOrderStatus, VenueSnapshot } from '../../venues/venue';
import type { EngineCore } from '../engine-core';
import type { OrderManager } from '../order-manager';

/** What the venue's position history says about a group it closed (group.venueClose). */
export type VenueCloseFacts = Omit<EventOf<'group.venueClose'>['data'], 'groupId'>;

export type Round = {
  readonly core: EngineCore;
  readonly orders: OrderManager;
  readonly snap: VenueSnapshot;
  readonly startUp: boolean;
  readonly counts: ReconcileCounts;
  /** The venue's record for each client order id: the one keel linked, else the first listed. */
  readonly byClientId: Map<ClientOrderId, VenueOrderStatus>;
  readonly byVenueId: Map<string, VenueOrderStatus>;
  /** Venue time of the last execution applied this round, per group. */
  readonly lastFillAt: Map<GroupId, number>;
  /** Groups the venue's position history closed, waiting to be closed in keel's books. */
  readonly venueCloses: Map<GroupId, VenueCloseFacts>;
};

export function emptyCounts(): ReconcileCounts {
  return {
    fillsRecovered: 0,
    fillsInferred: 0,
    ordersResolved: 0,
    ordersAdopted: 0,
    ordersLost: 0,
    groupsClosed: 0,
    settlementsApplied: 0,
    discrepanciesRaised: 0,
    discrepanciesResolved: 0,
  };
}

export function newRound(
  core: EngineCore,
  orders: OrderManager,
  snap: VenueSnapshot,
  startUp: boolean,
): Round {
  const byClientId = new Map<ClientOrderId, VenueOrderStatus>();
  const byVenueId = new Map<string, VenueOrderStatus>();
  for (const v of snap.orders) {
    byVenueId.set(v.venueOrderId, v);
    if (v.clientOrderId === null) continue;
    // A client id listed twice (the venue refused a duplicate): keep the record keel linked.
    const linked = core.p.orders.get(v.clientOrderId)?.venueOrderId ?? null;
    if (!byClientId.has(v.clientOrderId) || linked === v.venueOrderId) byClientId.set(v.clientOrderId, v);
  }
  return {
    core,
    orders,
    snap,
    startUp,
    counts: emptyCounts(),
    byClientId,
    byVenueId,
    lastFillAt: new Map(),
    venueCloses: new Map(),
  };
}

/** The venue's record of one of keel's orders: by client order id, else by venue order id. */
export function venueRecordOf(r: Round, order: OrderRecord): VenueOrderStatus | undefined {
  const byClient = r.byClientId.get(order.intent.clientOrderId);
  if (byClient) return byClient;
  return order.venueOrderId === null ? undefined : r.byVenueId.get(order.venueOrderId);
}
