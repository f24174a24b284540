// Convergence, judged once the run is over (after the faults stop, the run must settle down):
//  - `order-left-working`: every keel order reached an end at the venue: fully filled, cancelled or
//    rejected; a leg whose instrument settled (expired) after the order counts as ended.
//  - `closed-group-not-flat`: a group the report calls closed holds nothing at the venue by its
//    own fills (and settlements).
import { qtyIn, remainingLegQty, replay, type Ledger, type OrderState } from './ledger';
import { describeOrder, describeRecord, fmtQty, indexReport } from './report-index';
import { violation, type CheckInput, type Violation } from './types';

export function checkConverged(input: CheckInput): Violation[] {
  const ledger = replay(input.lines, indexReport(input.report), () => undefined);
  const found: Violation[] = [];
  for (const order of ledger.orders.values()) {
    if (order.line.origin !== 'keel') continue;
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
