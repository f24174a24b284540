// `unknown-order`: every keel fill belongs to a keel order the venue saw, and every keel order is
// known to the report: listed in report.orders and in exactly one group's clientOrderIds (spec).
// A fill keel cannot attribute is how the restart incident lost a closed trade.
import { indexReport, describeRecord } from './report-index';
import { violation, type CheckInput, type FillLine, type OrderLine, type Violation } from './types';

export function checkUnknownOrders(input: CheckInput): Violation[] {
  const index = indexReport(input.report);
  const groupOfOrder = new Map(input.report.orders.map((o) => [o.clientOrderId, o.group] as const));
  const orderSeq = new Map<string, number>();
  for (const line of input.lines) {
    if (line.type === 'order' && !orderSeq.has(line.venueOrderId)) orderSeq.set(line.venueOrderId, line.seq);
  }
  const found: Violation[] = [];
  const orders = new Map<string, OrderLine>();
  const execIds = new Set<string>();
  const checkedClientIds = new Set<string>();
  for (const line of input.lines) {
    if (line.type === 'order') {
      if (!orders.has(line.venueOrderId)) orders.set(line.venueOrderId, line);
      if (line.origin !== 'keel') continue;
      if (line.clientOrderId === null) {
        found.push(
          violation('unknown-order', line, `keel order ${line.venueOrderId} carries no client order id`),
        );
        continue;
      }
      if (checkedClientIds.has(line.clientOrderId)) continue;
      checkedClientIds.add(line.clientOrderId);
      const cid = line.clientOrderId;
      const where = `keel order ${line.venueOrderId} (${cid})`;
      if (!index.intentByClientOrderId.has(cid)) {
        found.push(violation('unknown-order', line, `${where} is missing from report.orders`));
      }
      const groups = index.groupsByClientOrderId.get(cid) ?? [];
      if (groups.length === 0) {
        found.push(violation('unknown-order', line, `${where} is in no group's clientOrderIds`));
      } else if (groups.length > 1) {
        found.push(
          violation(
            'unknown-order',
            line,
            `${where} is listed by ${groups.length} groups: ${groups.join(', ')}`,
          ),
        );
      }
      const reportGroup = groupOfOrder.get(cid);
      if (
        reportGroup !== undefined &&
        reportGroup !== null &&
        groups.length > 0 &&
        !groups.includes(reportGroup)
      ) {
        found.push(
          violation(
            'unknown-order',
            line,
            `${where}: report.orders says group ${reportGroup}, listed by ${groups.join(', ')}`,
          ),
        );
      }
    } else if (line.type === 'fill') {
      if (execIds.has(line.execId)) continue; // a re-reported execution; duplicate-exec-id judges it
      execIds.add(line.execId);
      const problem = fillProblem(line, orders.get(line.venueOrderId), orderSeq.get(line.venueOrderId));
      if (problem !== null) found.push(violation('unknown-order', line, problem));
    }
  }
  return found;
}

function fillProblem(
  fill: FillLine,
  order: OrderLine | undefined,
  orderSeq: number | undefined,
): string | null {
  const what = `fill ${fill.execId} (${fill.side} ${fill.qty} ${describeRecord(fill.instrument)})`;
  const claimed = fill.clientOrderId === null ? '' : `, client id ${fill.clientOrderId}`;
  if (order === undefined) {
    const later = orderSeq === undefined ? 'no order line' : `its order line only later at seq ${orderSeq}`;
    return `${what} is for venue order ${fill.venueOrderId}${claimed} with ${later}`;
  }
  if (order.origin === 'external') {
    return fill.clientOrderId === null
      ? null
      : `${what} carries client id ${fill.clientOrderId} but venue order ${fill.venueOrderId} is external`;
  }
  if (fill.clientOrderId !== null && fill.clientOrderId !== order.clientOrderId) {
    return `${what} carries client id ${fill.clientOrderId} but keel order ${order.venueOrderId} is ${order.clientOrderId ?? 'without one'}`;
  }
  if (!order.legs.some((leg) => leg.instrument.id === fill.instrument.id)) {
    return `${what} is for an instrument that keel order ${order.venueOrderId} has no leg in`;
  }
  return null;
}
