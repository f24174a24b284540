// Convergence, judged once the run is over (after the faults stop, the run must settle down):
//  - `order-left-working`: every keel order reached an end at the venue: fully filled, cancelled or
//    rejected; a leg whose instrument settled (expired) after the order counts as ended. A bracket's
//    stop or target resting over the open position it protects is not a stray order.
//  - `closed-group-not-flat`: a group the report calls closed holds nothing at the venue by its
//    own fills (and settlements).
import { groupQtyIn, qtyIn, remainingLegQty, replay, type Ledger, type OrderState } from './ledger';
import { describeOrder, describeRecord, fmtQty, groupOf, indexReport } from './report-index';
import { violation, type CheckInput, type Violation } from './types';

export function checkConverged(input: CheckInput): Violation[] {
  const index = indexReport(input.report);
  const ledger = replay(input.lines, index, () => undefined);
  const open = new Set(input.report.groups.filter((g) => g.status === 'open').map((g) => g.id));
  const found: Violation[] = [];
  for (const order of ledger.orders.values()) {
    if (order.line.origin !== 'keel') continue;
    if (isRestingProtection(order, ledger, groupOf(index, order.line.clientOrderId), open)) continue;
    const working = workingLegs(order, ledger);
    if (working.length > 0) {
      found.push(
        violation(
          'order-left-working',
          order.line,
          `keel ${describeOrder(order.line)} is still working: ${working.join(', ')}`,
        ),
      );
    }
  }
  for (const group of input.report.groups) {
    if (group.status !== 'closed') continue;
    const held = [...(ledger.groupQty.get(group.id) ?? new Map<string, number>())]
      .filter(([, qty]) => qty !== 0)
      .map(([id, qty]) => {
        const instrument = ledger.instruments.get(id);
        return `${instrument === undefined ? id : describeRecord(instrument)} ${fmtQty(qty)}`;
      });
    if (held.length > 0) {
      found.push(
        violation(
          'closed-group-not-flat',
          null,
          `group ${group.id} (${group.strategy}) is closed in the report but its fills leave ${held.join(', ')}`,
        ),
      );
    }
  }
  return found;
}

/**
 * A bracket's stop or target left resting over a held position is protection, not a stray order:
 * reduce-only, attached to its entry, for a group still open, and no larger than what it holds.
 */
function isRestingProtection(
  order: OrderState,
  ledger: Ledger,
  groupId: string | null,
  open: ReadonlySet<string>,
): boolean {
  const line = order.line;
  if (!line.reduceOnly || line.parentVenueOrderId === null || groupId === null || !open.has(groupId))
    return false;
  return line.legs.every((leg) => {
    const held = groupQtyIn(ledger, groupId, leg.instrument.id);
    const closes = leg.side === 'SELL' ? held > 0 : held < 0;
    return closes && remainingLegQty(order, leg) <= Math.abs(held);
  });
}

function workingLegs(order: OrderState, ledger: Ledger): string[] {
  return order.line.legs.flatMap((leg) => {
    const remaining = remainingLegQty(order, leg);
    const settled = (ledger.settledAt.get(leg.instrument.id) ?? 0) > order.line.seq;
    if (remaining === 0 || settled) return [];
    const legQty = order.line.qty * leg.ratio;
    const filled = qtyIn(order.filled, leg.instrument.id);
    return [`${leg.side} ${describeRecord(leg.instrument)} filled ${filled}/${legQty}`];
  });
}
