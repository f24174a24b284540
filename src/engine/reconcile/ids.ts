// Every id the venue gives is journaled as soon as keel sees it: venue order ids (order.accepted),
// exec and combo exec ids (order.fill), parent ids of bracket children (order.parentId) and venue
// position ids (group.positionId). The 2025-10-24 incident kept only the order id; the venue's
// position history knew only the position id, and the closed trade was deleted as "not found".
import {
  GroupId,
  type ClientOrderId,
  type InstrumentId,
  type OrderIntentKind,
  type VenueOrderId,
  type VenuePositionId,
} from '../../domain';
import type { EngineCore } from '../engine-core';

export function noteParentId(core: EngineCore, id: ClientOrderId, parent: VenueOrderId | null): void {
  const order = core.p.orders.get(id);
  if (parent === null || !order || order.parentVenueOrderId === parent) return;
  core.recorder.record('order.parentId', { clientOrderId: id, parentVenueOrderId: parent });
}

/** The venue's id of an open position goes to every group that owns part of it. */
export function capturePositionId(
  core: EngineCore,
  instrumentId: InstrumentId,
  id: VenuePositionId | null,
): void {
  if (id === null) return;
  for (const groupId of [...core.p.ownership.owners(instrumentId).keys()].sort()) {
    const group = core.p.requireGroup(groupId);
    if (group.venuePositionIds.get(instrumentId) === id) continue;
    core.recorder.record('group.positionId', { groupId, instrumentId, venuePositionId: id });
  }
}

const purposeByCode: Record<string, OrderIntentKind> = { o: 'open', c: 'close', r: 'reduce', p: 'protect' };
const keelIdPattern = /^(.+)-([ocrp])(\d+)$/;

/** keel's client order ids are `<group id>-<purpose><n>` (client-order-ids.ts); null for others. */
export function parseKeelClientOrderId(id: string): { groupId: GroupId; intent: OrderIntentKind } | null {
  const m = keelIdPattern.exec(id);
  if (!m) return null;
  const group = GroupId.parse(m[1]);
  const intent = purposeByCode[m[2] ?? ''];
  return group.ok && intent !== undefined ? { groupId: group.value, intent } : null;
}
