// What the checker takes from the report: each client order id's intent and the group(s) that list
// it. The venue log says what happened; the report only says why (intent) and for whom (group).
import type { InstrumentRecord, OrderIntentKind, Side } from '../../domain';
import type { Report } from '../../engine/report/report-types';
import type { OrderLine } from './types';

export type ReportIndex = {
  readonly intentByClientOrderId: ReadonlyMap<string, OrderIntentKind>;
  /** Every group that lists a client order id (the spec allows exactly one). */
  readonly groupsByClientOrderId: ReadonlyMap<string, readonly string[]>;
};

export function indexReport(report: Report): ReportIndex {
  const intentByClientOrderId = new Map<string, OrderIntentKind>();
  for (const o of report.orders) {
    if (!intentByClientOrderId.has(o.clientOrderId)) intentByClientOrderId.set(o.clientOrderId, o.intent);
  }
  const groupsByClientOrderId = new Map<string, string[]>();
  for (const g of report.groups) {
    for (const id of g.clientOrderIds) {
      const listed = groupsByClientOrderId.get(id) ?? [];
      if (!listed.includes(g.id)) listed.push(g.id);
      groupsByClientOrderId.set(id, listed);
    }
  }
  return { intentByClientOrderId, groupsByClientOrderId };
}

/** The group a client order id belongs to: the first group listing it (unknown-order flags the rest). */
export function groupOf(index: ReportIndex, clientOrderId: string | null): string | null {
  if (clientOrderId === null) return null;
  return index.groupsByClientOrderId.get(clientOrderId)?.[0] ?? null;
}

const reducingIntents: readonly OrderIntentKind[] = ['close', 'reduce', 'protect'];

/**
 * A keel order that may only take quantity keel owns toward zero: a close, reduce or protect intent
 * in the report, or reduceOnly at the venue (which holds even when the report lost the order).
 */
export function isReducingOrder(order: OrderLine, index: ReportIndex): boolean {
  if (order.reduceOnly) return true;
  const intent =
    order.clientOrderId === null ? undefined : index.intentByClientOrderId.get(order.clientOrderId);
  return intent !== undefined && reducingIntents.includes(intent);
}

export function signed(side: Side, qty: number): number {
  return side === 'BUY' ? qty : -qty;
}

export function fmtQty(qty: number): string {
  return qty > 0 ? `+${qty}` : String(qty);
}

/** "XSP 2026-02-13 704C [842236402]": terms for the reader, the venue id for the machine. */
export function describeRecord(i: InstrumentRecord): string {
  const strike = i.strike !== undefined && i.right !== undefined ? `${i.strike}${i.right}` : undefined;
  const terms = [i.symbol, i.expiry, strike].filter((part) => part !== undefined).join(' ');
  return `${terms} [${i.id}]`;
}

export function describeOrder(order: OrderLine): string {
  const cid = order.clientOrderId === null ? 'no client id' : order.clientOrderId;
  return `order ${order.venueOrderId} (${cid})`;
}
