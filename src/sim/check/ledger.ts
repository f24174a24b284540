// The checker's own replay of the venue log: who owns what at every line, rebuilt from the venue's
// lines alone. keel's quantity is the sum of its fills; the foreign quantity is what was there
// before keel's first order plus external fills; a settlement zeroes both, and expiry also ends
// the shares of an option the venue nets to zero (it writes no settle line for it). Nothing here
// reads the engine, so a bug in keel's ledger cannot hide itself here.
import { qtyAdd, type InstrumentRecord } from '../../domain';
import type { VenueLogLeg, VenueLogLine } from '../../venues/sim/venue-log';
import { groupOf, signed, type ReportIndex } from './report-index';
import type { FillLine, OrderLine, PositionLine, SettleLine } from './types';

export type OrderState = {
  readonly line: OrderLine;
  /** Filled instrument quantity per leg instrument id. */
  readonly filled: Map<string, number>;
  end: 'rejected' | 'cancelled' | null;
};

export type FillEffect = {
  readonly kind: 'fill';
  readonly fill: FillLine;
  readonly owner: 'keel' | 'external';
  /** The order line with this venue order id, if one came before the fill. */
  readonly order: OrderState | null;
  readonly clientOrderId: string | null;
  readonly groupId: string | null;
  readonly delta: number;
  readonly keelBefore: number;
  /** The fill's group's own quantity in the instrument before the fill; null without a group. */
  readonly groupBefore: number | null;
};

export type Effect =
  | { readonly kind: 'order'; readonly order: OrderState; readonly first: boolean }
  | FillEffect
  | { readonly kind: 'duplicate-fill'; readonly fill: FillLine; readonly first: FillLine }
  | {
      readonly kind: 'settle';
      readonly settle: SettleLine;
      readonly keelBefore: number;
      /** Every group's own non-zero quantity in the instrument just before it settled. */
      readonly groupsBefore: ReadonlyMap<string, number>;
    }
  | { readonly kind: 'position'; readonly line: PositionLine; readonly expected: number | null }
  | { readonly kind: 'other' };

export type Ledger = {
  readonly index: ReportIndex;
  readonly orders: Map<string, OrderState>;
  readonly keelQty: Map<string, number>;
  readonly foreignQty: Map<string, number>;
  readonly venueQty: Map<string, number>;
  readonly groupQty: Map<string, Map<string, number>>;
  readonly instruments: Map<string, InstrumentRecord>;
  /** Instrument id -> seq of its latest settlement. */
  readonly settledAt: Map<string, number>;
  readonly fillsByExecId: Map<string, FillLine>;
  /** Seq of the last settle line of each settlement instant (t): where expiry is complete. */
  readonly lastSettleOfInstant: ReadonlyMap<string, number>;
  /** Position lines before keel's first order are the foreign holdings keel found. */
  keelOrderSeen: boolean;
};

export function createLedger(index: ReportIndex, lines: readonly VenueLogLine[] = []): Ledger {
  const lastSettleOfInstant = new Map<string, number>();
  for (const line of lines) if (line.type === 'settle') lastSettleOfInstant.set(line.t, line.seq);
  return {
    index,
    orders: new Map(),
    keelQty: new Map(),
    foreignQty: new Map(),
    venueQty: new Map(),
    groupQty: new Map(),
    instruments: new Map(),
    settledAt: new Map(),
    fillsByExecId: new Map(),
    lastSettleOfInstant,
    keelOrderSeen: false,
  };
}

export function qtyIn(map: ReadonlyMap<string, number>, instrumentId: string): number {
  return map.get(instrumentId) ?? 0;
}

export function groupQtyIn(ledger: Ledger, groupId: string, instrumentId: string): number {
  return ledger.groupQty.get(groupId)?.get(instrumentId) ?? 0;
}

/** Whether a group other than `groupId` holds any of the instrument (cross-group netting). */
export function otherGroupHolds(ledger: Ledger, instrumentId: string, groupId: string | null): boolean {
  for (const [id, held] of ledger.groupQty) {
    if (id !== groupId && (held.get(instrumentId) ?? 0) !== 0) return true;
  }
  return false;
}

/** Instrument quantity of one leg still unfilled (0 once the order ended). */
export function remainingLegQty(order: OrderState, leg: VenueLogLeg): number {
  if (order.end !== null) return 0;
  const legQty = order.line.qty * leg.ratio;
  return Math.max(0, qtyAdd(legQty, -(order.filled.get(leg.instrument.id) ?? 0)));
}

export function applyLine(ledger: Ledger, line: VenueLogLine): Effect {
  switch (line.type) {
    case 'order':
      return applyOrder(ledger, line);
    case 'fill':
      return applyFill(ledger, line);
    case 'settle':
      return applySettle(ledger, line);
    case 'position':
      return applyPosition(ledger, line);
    case 'reject':
    case 'cancel': {
      const order = ledger.orders.get(line.venueOrderId);
      if (order !== undefined && order.end === null)
        order.end = line.type === 'reject' ? 'rejected' : 'cancelled';
      return { kind: 'other' };
    }
    case 'ack':
    case 'positionClosed':
    case 'engine':
    case 'connection':
      return { kind: 'other' };
  }
}

function applyOrder(ledger: Ledger, line: OrderLine): Effect {
  for (const leg of line.legs) ledger.instruments.set(leg.instrument.id, leg.instrument);
  if (line.origin === 'keel') ledger.keelOrderSeen = true;
  const known = ledger.orders.get(line.venueOrderId);
  if (known !== undefined) return { kind: 'order', order: known, first: false };
  const order: OrderState = { line, filled: new Map(), end: null };
  ledger.orders.set(line.venueOrderId, order);
  return { kind: 'order', order, first: true };
}

function applyFill(ledger: Ledger, fill: FillLine): Effect {
  const first = ledger.fillsByExecId.get(fill.execId);
  // The venue may report one execution twice (spec: duplicateFill); it moved the position once.
  if (first !== undefined) return { kind: 'duplicate-fill', fill, first };
  ledger.fillsByExecId.set(fill.execId, fill);
  const id = fill.instrument.id;
  ledger.instruments.set(id, fill.instrument);
  const order = ledger.orders.get(fill.venueOrderId) ?? null;
  const owner = order !== null ? order.line.origin : fill.clientOrderId !== null ? 'keel' : 'external';
  const clientOrderId = order !== null ? order.line.clientOrderId : fill.clientOrderId;
  const delta = signed(fill.side, fill.qty);
  if (order !== null) order.filled.set(id, qtyAdd(order.filled.get(id) ?? 0, fill.qty));
  const keelBefore = qtyIn(ledger.keelQty, id);
  if (owner === 'external') {
    ledger.foreignQty.set(id, qtyAdd(qtyIn(ledger.foreignQty, id), delta));
    return {
      kind: 'fill',
      fill,
      owner,
      order,
      clientOrderId,
      groupId: null,
      delta,
      keelBefore,
      groupBefore: null,
    };
  }
  ledger.keelQty.set(id, qtyAdd(keelBefore, delta));
  const groupId = groupOf(ledger.index, clientOrderId);
  let groupBefore: number | null = null;
  if (groupId !== null) {
    const held = ledger.groupQty.get(groupId) ?? new Map<string, number>();
    groupBefore = held.get(id) ?? 0;
    held.set(id, qtyAdd(groupBefore, delta));
    ledger.groupQty.set(groupId, held);
  }
  return { kind: 'fill', fill, owner, order, clientOrderId, groupId, delta, keelBefore, groupBefore };
}

function applySettle(ledger: Ledger, settle: SettleLine): Effect {
  const id = settle.instrument.id;
  ledger.instruments.set(id, settle.instrument);
  const keelBefore = qtyIn(ledger.keelQty, id);
  const groupsBefore = new Map<string, number>();
  for (const [groupId, held] of ledger.groupQty) {
    const qty = held.get(id) ?? 0;
    if (qty !== 0) groupsBefore.set(groupId, qty);
    held.delete(id);
  }
  // Expiry settles the whole venue position: keel's share and the foreign share both go to zero.
  ledger.keelQty.set(id, 0);
  ledger.foreignQty.set(id, 0);
  ledger.settledAt.set(id, settle.seq);
  if (ledger.lastSettleOfInstant.get(settle.t) === settle.seq) expireNettedOut(ledger, settle);
  return { kind: 'settle', settle, keelBefore, groupsBefore };
}

/**
 * Once an instant's settle lines are all in, expiry also ends the shares of options the venue
 * holds none of: keel short 3 and an outside trader long 3 of one strike net to 0, so the venue
 * has nothing to settle and writes no line for it, yet both shares are gone. Nothing is booked:
 * there is no settlement price, and the engine hears of no settlement either.
 */
function expireNettedOut(ledger: Ledger, settle: SettleLine): void {
  const today = settle.t.slice(0, 10); // the local date: t carries the exchange's offset
  for (const [id, instrument] of ledger.instruments) {
    if (instrument.expiry === undefined || instrument.expiry > today) continue;
    if (qtyIn(ledger.venueQty, id) !== 0) continue; // a venue that failed to settle: not ended here
    let held = qtyIn(ledger.keelQty, id) !== 0 || qtyIn(ledger.foreignQty, id) !== 0;
    for (const groupHeld of ledger.groupQty.values()) {
      if ((groupHeld.get(id) ?? 0) !== 0) held = true;
      groupHeld.delete(id);
    }
    if (!held) continue;
    ledger.keelQty.set(id, 0);
    ledger.foreignQty.set(id, 0);
    ledger.settledAt.set(id, settle.seq);
  }
}

function applyPosition(ledger: Ledger, line: PositionLine): Effect {
  const id = line.instrument.id;
  ledger.instruments.set(id, line.instrument);
  ledger.venueQty.set(id, line.qty);
  if (!ledger.keelOrderSeen) {
    ledger.foreignQty.set(id, qtyAdd(line.qty, -qtyIn(ledger.keelQty, id)));
    return { kind: 'position', line, expected: null };
  }
  const expected = qtyAdd(qtyIn(ledger.keelQty, id), qtyIn(ledger.foreignQty, id));
  return { kind: 'position', line, expected };
}

/** Replays the whole log, handing each line's effect to `visit` after the ledger has applied it. */
export function replay(
  lines: readonly VenueLogLine[],
  index: ReportIndex,
  visit: (effect: Effect, line: VenueLogLine, ledger: Ledger) => void,
): Ledger {
  const ledger = createLedger(index, lines);
  for (const line of lines) visit(applyLine(ledger, line), line, ledger);
  return ledger;
}
