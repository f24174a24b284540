// Client order ids are deterministic from the intent: the group and the n-th order of a purpose in
// it. A restart that re-derives an intent gets the same id, so the venue refuses a duplicate
// instead of executing it twice. The gate checks each against the venue's own limits (capabilities).
import {
  ClientOrderId,
  GroupId,
  localDate,
  type OrderIntentKind,
  type StrategyId,
  type TimeZone,
} from '../domain';
import type { GroupRecord } from '../ledger/projection';

const purposeCode: Record<OrderIntentKind, string> = { open: 'o', close: 'c', reduce: 'r', protect: 'p' };

export function groupIdFor(strategyId: StrategyId, t: number, timeZone: TimeZone, seq: number): GroupId {
  return GroupId.of(`${strategyId}-${localDate(t, timeZone).replaceAll('-', '')}-${seq}`);
}

export function clientOrderIdFor(group: GroupRecord, intent: OrderIntentKind): ClientOrderId {
  return ClientOrderId.of(`${group.id}-${purposeCode[intent]}${group.clientOrderIds.length + 1}`);
}
