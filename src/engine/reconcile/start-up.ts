// Start-up order (DESIGN.md): take the account lock, replay the journal, reconcile, cancel keel's
// own stale working orders and wait for the venue to confirm, and only then let strategies act.
// Open discrepancies that touch owned positions start keel in REDUCING or HALTED, never ACTIVE.
import { InvariantError, isLive, isTerminal, type ClientOrderId } from '../../domain';
import type { OrderRecord } from '../../ledger/projection';
import type { EngineCore } from '../engine-core';
import type { OrderManager } from '../order-manager';
import { tripOnOwned } from './discrepancies';

/** Strategies wait at most this long for stale cancels before the wait itself is a discrepancy. */
export const startUpCancelWaitMs = 60_000;

/** The account lock: one journal belongs to one account, and the journal's lock to one process. */
export function checkAccount(core: EngineCore, account: string): void {
  const owner = core.p.account;
  if (!(owner === null || owner === account))
    throw new InvariantError(
      `this journal belongs to account ${owner}, not ${account}: one journal per account`,
    );
}

export function startUpTrip(core: EngineCore): void {
  tripOnOwned(core, [...core.p.discrepancies.values()], 'start-up');
}

/**
 * keel's own working orders that no longer serve a purpose after a restart: entries (the market
 * moved while keel was down), orders of groups that ended or own nothing they could reduce, and
 * closes older than a chase step (they would be re-priced). A resting protective order of a group
 * that still holds its position stays: cancelling it would leave the position unprotected.
 */
export function isStaleAtStart(core: EngineCore, order: OrderRecord): boolean {
  const p = core.p;
  if (!isLive(order.state) || order.state === 'intent') return false;
  const group = p.requireGroup(order.intent.groupId);
  const holds = order.intent.legs.some((l) => p.ownership.owned(l.instrumentId, group.id) !== 0);
  if (order.intent.intent === 'open') return true;
  if (group.status === 'closed' || group.status === 'failed' || !holds) return true;
  if (order.intent.intent === 'protect') return group.status !== 'open';
  return core.now() - order.updatedAt >= core.settings.execution.chaseStepMs;
}

/** Requests the cancels; returns the orders whose end the strategies wait for. */
export function cancelStaleOrders(core: EngineCore, orders: OrderManager): ClientOrderId[] {
  const waiting: ClientOrderId[] = [];
  for (const order of core.p.orders.live()) {
    if (!isStaleAtStart(core, order)) continue;
    orders.requestCancel(order, 'start-up: stale working order from before the restart');
    waiting.push(order.intent.clientOrderId);
  }
  return waiting;
}

/** True once every stale order is confirmed ended at the venue. */
export function staleCancelsConfirmed(core: EngineCore, waiting: readonly ClientOrderId[]): boolean {
  return waiting.every((id) => {
    const o = core.p.orders.get(id);
    return o === undefined || isTerminal(o.state);
  });
}
