// The venue's own position book: net quantity and average price per instrument, whoever traded it.
// Futures positions get their own ids, different from the ids of the orders that opened them
// (as BingX does: the 2025-10-24 incident).
import { qtyAdd, type InstrumentId, type Side } from '../../domain';

export type SimPosition = {
  qty: number;
  avgPrice: number;
  venuePositionId: string | null;
  openedAt: number;
  commission: number;
  realised: number;
};

export type PositionChange = {
  readonly before: SimPosition;
  readonly after: SimPosition;
  /** Set when this execution flattened a position that had an id: its history record. */
  readonly closed: {
    venuePositionId: string;
    long: boolean;
    openedAt: number;
    qty: number;
    avgPrice: number;
    avgClosePrice: number;
    realised: number;
    commission: number;
  } | null;
};

const flat = (): SimPosition => ({
  qty: 0,
  avgPrice: 0,
  venuePositionId: null,
  openedAt: 0,
  commission: 0,
  realised: 0,
});

export class SimPositionBook {
  private readonly positions = new Map<InstrumentId, SimPosition>();
  private closeQty = new Map<InstrumentId, { qty: number; cash: number }>();

  constructor(private readonly mintPositionId: (() => string) | null) {}

  get(id: InstrumentId): SimPosition {
    return this.positions.get(id) ?? flat();
  }

  entries(): [InstrumentId, SimPosition][] {
    return [...this.positions.entries()];
  }

  seed(id: InstrumentId, qty: number, avgPrice: number, t: number): void {
    this.positions.set(id, {
      ...flat(),
      qty,
      avgPrice,
      openedAt: t,
      venuePositionId: this.mintPositionId?.() ?? null,
    });
  }

  apply(
    id: InstrumentId,
    side: Side,
    qty: number,
    price: number,
    commission: number,
    multiplier: number,
    t: number,
  ): PositionChange {
    const before = this.get(id);
    const signed = side === 'BUY' ? qty : -qty;
    const after: SimPosition = { ...before };
    after.commission += commission;
    let closed: PositionChange['closed'] = null;
    if (before.qty === 0 || Math.sign(before.qty) === Math.sign(signed)) {
      const newQty = qtyAdd(before.qty, signed);
      after.avgPrice = (Math.abs(before.qty) * before.avgPrice + qty * price) / Math.abs(newQty);
      after.qty = newQty;
      if (before.qty === 0) {
        after.openedAt = t;
        after.venuePositionId = this.mintPositionId?.() ?? null;
        after.realised = 0;
        after.commission = commission;
        this.closeQty.set(id, { qty: 0, cash: 0 });
      }
    } else {
      const closing = Math.min(qty, Math.abs(before.qty));
      after.realised += closing * (price - before.avgPrice) * Math.sign(before.qty) * multiplier;
      const acc = this.closeQty.get(id) ?? { qty: 0, cash: 0 };
      this.closeQty.set(id, { qty: acc.qty + closing, cash: acc.cash + closing * price });
      after.qty = qtyAdd(before.qty, signed);
      if (after.qty === 0 || Math.sign(after.qty) !== Math.sign(before.qty)) {
        const acc2 = this.closeQty.get(id) ?? { qty: closing, cash: closing * price };
        if (before.venuePositionId !== null) {
          closed = {
            venuePositionId: before.venuePositionId,
            long: before.qty > 0,
            openedAt: before.openedAt,
            qty: Math.abs(before.qty),
            avgPrice: before.avgPrice,
            avgClosePrice: acc2.cash / acc2.qty,
            realised: after.realised,
            commission: after.commission,
          };
        }
        if (after.qty === 0) {
          after.avgPrice = 0;
          after.venuePositionId = null;
        } else {
          // flipped: the rest opens a new position at this price
          after.avgPrice = price;
          after.openedAt = t;
          after.venuePositionId = this.mintPositionId?.() ?? null;
          after.realised = 0;
          after.commission = 0;
          this.closeQty.set(id, { qty: 0, cash: 0 });
        }
      }
    }
    this.positions.set(id, after);
    return { before, after, closed };
  }

  /** Expiry settlement: the whole position goes to zero. */
  settle(id: InstrumentId): SimPosition {
    const before = this.get(id);
    this.positions.set(id, flat());
    return before;
  }
}
