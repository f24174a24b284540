// Realized PnL by average cost, in integer micros. When an instrument's quantity returns to zero
// the realized amount is exactly the sum of its cash flows, so a closed group's PnL equals what the
// venue's fills say to the cent. The engine and the outside checker both use this one rule.
import { assert, InvariantError } from './assert';
import { addMicros, subMicros, toMicros, tradeCash, ZERO_MICROS, type Micros } from './money';
import type { Side } from './order';
import { qtyAdd } from './quantity';

export type PnlFill = {
  readonly instrumentKey: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly multiplier: number;
  readonly commission: Micros;
};

type OpenLot = { qty: number; openCash: Micros };

export type PnlState = {
  readonly byInstrument: Map<string, OpenLot>;
  realized: Micros;
  commissions: Micros;
};

export function emptyPnl(): PnlState {
  return { byInstrument: new Map(), realized: ZERO_MICROS, commissions: ZERO_MICROS };
}

/** Applies one fill (a settlement is a fill at the settlement price with no commission). */
export function applyPnlFill(state: PnlState, fill: PnlFill): void {
  if (!(fill.qty > 0)) throw new InvariantError(`fill qty must be positive, got ${fill.qty}`);
  state.commissions = addMicros(state.commissions, fill.commission);
  const lot = state.byInstrument.get(fill.instrumentKey) ?? { qty: 0, openCash: ZERO_MICROS };
  const signed = fill.side === 'BUY' ? fill.qty : -fill.qty;
  const cash = tradeCash(fill.side, fill.qty, fill.price, fill.multiplier);
  const reduces = lot.qty !== 0 && Math.sign(lot.qty) !== Math.sign(signed);
  if (!reduces) {
    lot.qty = qtyAdd(lot.qty, signed);
    lot.openCash = addMicros(lot.openCash, cash);
  } else {
    const closeQty = Math.min(fill.qty, Math.abs(lot.qty));
    const released =
      closeQty === Math.abs(lot.qty) ? lot.openCash : share(lot.openCash, closeQty, Math.abs(lot.qty));
    const closingCash = closeQty === fill.qty ? cash : share(cash, closeQty, fill.qty);
    state.realized = addMicros(state.realized, addMicros(released, closingCash));
    lot.openCash = subMicros(lot.openCash, released);
    lot.qty = qtyAdd(lot.qty, Math.sign(signed) * closeQty);
    const flipQty = qtyAdd(fill.qty, -closeQty);
    if (flipQty > 0) {
      // A fill past zero opens the other way with the rest of its cash.
      lot.qty = qtyAdd(lot.qty, Math.sign(signed) * flipQty);
      lot.openCash = subMicros(cash, closingCash);
    }
  }
  if (lot.qty === 0) assert(lot.openCash === 0, `flat lot must carry no open cash (${fill.instrumentKey})`);
  state.byInstrument.set(fill.instrumentKey, lot);
}

/** Net realized PnL: realized cash minus every commission paid. */
export function netRealized(state: PnlState): Micros {
  return subMicros(state.realized, state.commissions);
}

export function realizedPnl(fills: Iterable<PnlFill>): PnlState {
  const state = emptyPnl();
  for (const f of fills) applyPnlFill(state, f);
  return state;
}

function share(amount: Micros, part: number, whole: number): Micros {
  return toMicros((amount * part) / whole / 1_000_000) as Micros;
}

/**
 * What the open lots would realize at these marks (before the commissions of closing them): per
 * lot, its quantity at the mark plus the cash it was opened for. Null when a lot has no mark.
 */
export function unrealizedPnl(
  state: PnlState,
  markOf: (instrumentKey: string) => { readonly price: number; readonly multiplier: number } | null,
): Micros | null {
  let total = ZERO_MICROS;
  for (const [key, lot] of state.byInstrument) {
    if (lot.qty === 0) continue;
    const mark = markOf(key);
    if (mark === null) return null;
    const value = tradeCash(lot.qty > 0 ? 'SELL' : 'BUY', Math.abs(lot.qty), mark.price, mark.multiplier);
    total = addMicros(total, addMicros(value, lot.openCash));
  }
  return total;
}
