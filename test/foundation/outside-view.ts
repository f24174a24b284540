// The promises a restart must keep, judged from outside: only the venue's log (what the venue did)
// and the report (what keel believes), never the engine. Written apart from src/sim/check so a
// shared mistake cannot hide in both.
//  - no duplicate client order ids at the venue
//  - no lost groups: every keel order the venue saw is listed in exactly one reported group
//  - ownership: at the end, each venue position equals keel's fills plus the foreign quantity
//  - PnL: each group's realized PnL equals its venue fills (and settlements) to the cent
import {
  applyPnlFill,
  emptyPnl,
  microsToCents,
  netRealized,
  qtyAdd,
  toMicros,
  ZERO_MICROS,
  type PnlState,
} from '../../src/domain';
import type { Report } from '../../src/engine/report';
import type { VenueLogLine } from '../../src/venues/sim/venue-log';

type Book = { pnl: PnlState; qty: Map<string, number> };

export function outsideViolations(lines: readonly VenueLogLine[], report: Report): string[] {
  const problems: string[] = [];
  const groupsOf = new Map<string, string[]>();
  for (const g of report.groups)
    for (const id of g.clientOrderIds) groupsOf.set(id, [...(groupsOf.get(id) ?? []), g.id]);
  const sent = new Set<string>();
  const keel = new Map<string, number>();
  const foreign = new Map<string, number>();
  const venue = new Map<string, number>();
  const books = new Map<string, Book>(report.groups.map((g) => [g.id, { pnl: emptyPnl(), qty: new Map() }]));
  const clientOf = new Map<string, string | null>();
  const execIds = new Set<string>();
  let keelOrdered = false;
  for (const line of lines) {
    switch (line.type) {
      case 'order': {
        clientOf.set(line.venueOrderId, line.origin === 'keel' ? line.clientOrderId : null);
        if (line.origin !== 'keel') break;
        keelOrdered = true;
        const id = line.clientOrderId;
        if (id === null) {
          problems.push(`keel order ${line.venueOrderId} has no client order id`);
          break;
        }
        if (sent.has(id)) problems.push(`client order id ${id} reached the venue twice`);
        sent.add(id);
        const groups = groupsOf.get(id) ?? [];
        if (groups.length !== 1) problems.push(`${id} is in ${groups.length} reported groups: a lost group`);
        break;
      }
      case 'fill': {
        if (execIds.has(line.execId)) break; // reported twice: one execution
        execIds.add(line.execId);
        const id = line.instrument.id;
        const signed = line.side === 'BUY' ? line.qty : -line.qty;
        const client = clientOf.get(line.venueOrderId) ?? null;
        if (client === null) {
          foreign.set(id, qtyAdd(foreign.get(id) ?? 0, signed));
          break;
        }
        keel.set(id, qtyAdd(keel.get(id) ?? 0, signed));
        const groupId = groupsOf.get(client)?.[0];
        const book = groupId === undefined ? undefined : books.get(groupId);
        if (!book) break;
        book.qty.set(id, qtyAdd(book.qty.get(id) ?? 0, signed));
        applyPnlFill(book.pnl, {
          instrumentKey: id,
          side: line.side,
          qty: line.qty,
          price: line.price,
          multiplier: line.instrument.multiplier,
          commission: toMicros(line.commission),
        });
        break;
      }
      case 'position':
        if (!keelOrdered) foreign.set(line.instrument.id, line.qty);
        venue.set(line.instrument.id, line.qty);
        break;
      case 'settle':
        for (const book of books.values())
          settle(book, line.instrument.id, line.price, line.instrument.multiplier);
        keel.set(line.instrument.id, 0);
        foreign.set(line.instrument.id, 0);
        break;
      default:
        break;
    }
  }
  for (const [id, net] of venue) {
    const explained = qtyAdd(keel.get(id) ?? 0, foreign.get(id) ?? 0);
    if (net !== explained)
      problems.push(
        `instrument ${id}: venue ${net}, but keel ${keel.get(id) ?? 0} + foreign ${foreign.get(id) ?? 0}`,
      );
  }
  for (const g of report.groups) {
    const book = books.get(g.id);
    const net = book === undefined ? 0 : microsToCents(netRealized(book.pnl));
    if (net !== g.realizedPnl)
      problems.push(`group ${g.id}: the venue's fills give ${net}, the report ${g.realizedPnl}`);
  }
  return problems;
}

function settle(book: Book, id: string, price: number, multiplier: number): void {
  const qty = book.qty.get(id) ?? 0;
  if (qty === 0) return;
  applyPnlFill(book.pnl, {
    instrumentKey: id,
    side: qty > 0 ? 'SELL' : 'BUY',
    qty: Math.abs(qty),
    price,
    multiplier,
    commission: ZERO_MICROS,
  });
  book.qty.set(id, 0);
}
