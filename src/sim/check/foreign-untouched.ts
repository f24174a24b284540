// `foreign-untouched`: keel's orders never reduce, flip or otherwise change a quantity keel did not
// own (the contamination cascade closed "every XSP position", including a foreign 24x 704C).
//  (a) The venue's net position always equals keel's fills plus the foreign holdings tracked on
//      their own (found before keel's first order, plus external fills, zeroed by settlement);
//      any other difference means something changed a position that nobody's fills explain.
//  (b) A keel order that reduces (close / reduce / protect intent, or reduceOnly) only targets
//      quantity its group owns: non-zero, opposite to the order's side, at least the order's size.
//      A bracket child may count its parent's unfilled quantity. Ordering is the touch: a rejected
//      order is reported too, at the order's seq.
import { qtyAdd, qtySub } from '../../domain';
import type { VenueLogLeg } from '../../venues/sim/venue-log';
import { groupQtyIn, qtyIn, remainingLegQty, replay, type Ledger, type OrderState } from './ledger';
import {
  describeOrder,
  describeRecord,
  fmtQty,
  groupOf,
  indexReport,
  isReducingOrder,
  signed,
} from './report-index';
import { violation, type CheckInput, type PositionLine, type Violation } from './types';

export function checkForeignUntouched(input: CheckInput): Violation[] {
  const found: Violation[] = [];
  const reportedGap = new Map<string, number>();
  replay(input.lines, indexReport(input.report), (effect, _line, ledger) => {
    if (effect.kind === 'position' && effect.expected !== null) {
      const gap = qtySub(effect.line.qty, effect.expected);
      const id = effect.line.instrument.id;
      // One report per unexplained difference, not one per position line while it lasts.
      if (gap !== 0 && gap !== (reportedGap.get(id) ?? 0))
        found.push(unexplainedPosition(effect.line, effect.expected, ledger));
      reportedGap.set(id, gap);
    } else if (effect.kind === 'order' && effect.first && effect.order.line.origin === 'keel') {
      if (!isReducingOrder(effect.order.line, ledger.index)) return;
      const problems = effect.order.line.legs.flatMap((leg) => legProblem(effect.order, leg, ledger));
      if (problems.length > 0) {
        const order = effect.order.line;
        found.push(
          violation('foreign-untouched', order, `reducing ${describeOrder(order)}: ${problems.join('; ')}`),
        );
      }
    }
  });
  return found;
}

function unexplainedPosition(
  line: PositionLine,
  expected: number,
  ledger: Ledger,
): ReturnType<typeof violation> {
  const id = line.instrument.id;
  const keel = qtyIn(ledger.keelQty, id);
  const foreign = qtyIn(ledger.foreignQty, id);
  return violation(
    'foreign-untouched',
    line,
    `venue position of ${describeRecord(line.instrument)} is ${fmtQty(line.qty)} but keel's fills (${fmtQty(keel)}) ` +
      `and the foreign holdings (${fmtQty(foreign)}) explain ${fmtQty(expected)}: something else changed it by ${fmtQty(qtySub(line.qty, expected))}`,
  );
}

function legProblem(order: OrderState, leg: VenueLogLeg, ledger: Ledger): string[] {
  const id = leg.instrument.id;
  const groupId = groupOf(ledger.index, order.line.clientOrderId);
  const held = groupId !== null ? groupQtyIn(ledger, groupId, id) : qtyIn(ledger.keelQty, id);
  const owned = qtyAdd(held, parentPending(order, id, ledger));
  const legQty = order.line.qty * leg.ratio;
  const whose = groupId !== null ? `group ${groupId}` : 'keel';
  const what = `${leg.side} ${legQty} ${describeRecord(leg.instrument)}`;
  const context = `(venue ${fmtQty(qtyIn(ledger.venueQty, id))}, foreign ${fmtQty(qtyIn(ledger.foreignQty, id))})`;
  if (owned === 0) return [`${what} but ${whose} owns none of it ${context}`];
  if (Math.sign(owned) === Math.sign(signed(leg.side, legQty))) {
    return [`${what} but ${whose} holds ${fmtQty(owned)}: it would grow the position ${context}`];
  }
  if (legQty > Math.abs(owned)) return [`${what} but ${whose} owns only ${fmtQty(owned)} ${context}`];
  return [];
}

/** A bracket child protects what its parent is still buying: the parent's unfilled signed quantity. */
function parentPending(order: OrderState, instrumentId: string, ledger: Ledger): number {
  const parentId = order.line.parentVenueOrderId;
  if (parentId === null) return 0;
  const parent = ledger.orders.get(parentId);
  if (parent === undefined || parent.line.origin !== 'keel') return 0;
  const leg = parent.line.legs.find((l) => l.instrument.id === instrumentId);
  return leg === undefined ? 0 : signed(leg.side, remainingLegQty(parent, leg));
}
