// The ownership ledger: for every instrument, how much each position group owns. The venue's net
// position = owned + foreign. PnL, "has position", recovery and every close path read owned
// quantities only — the contamination incident (2026-02-13) summed every XSP position instead.
import { assert, qtyAdd, type GroupId, type InstrumentId } from '../../domain';

export class OwnershipBook {
  private readonly byInstrument = new Map<InstrumentId, Map<GroupId, number>>();
  private readonly totals = new Map<InstrumentId, number>();
  /** The venue's last reported net, and what keel owned when it was reported. */
  private readonly venueNet = new Map<InstrumentId, { qty: number; avgPrice: number; ownedThen: number }>();

  /** Applies one of keel's own executions (signed: BUY +, SELL −) to the group that owns it. */
  applyOwned(instrumentId: InstrumentId, groupId: GroupId, signedQty: number): void {
    let groups = this.byInstrument.get(instrumentId);
    if (!groups) {
      groups = new Map();
      this.byInstrument.set(instrumentId, groups);
    }
    const next = qtyAdd(groups.get(groupId) ?? 0, signedQty);
    if (next === 0) groups.delete(groupId);
    else groups.set(groupId, next);
    this.totals.set(instrumentId, qtyAdd(this.totals.get(instrumentId) ?? 0, signedQty));
  }

  setVenueNet(instrumentId: InstrumentId, qty: number, avgPrice: number): void {
    this.venueNet.set(instrumentId, { qty, avgPrice, ownedThen: this.ownedTotal(instrumentId) });
  }

  owned(instrumentId: InstrumentId, groupId: GroupId): number {
    return this.byInstrument.get(instrumentId)?.get(groupId) ?? 0;
  }

  ownedTotal(instrumentId: InstrumentId): number {
    return this.totals.get(instrumentId) ?? 0;
  }

  /** Groups holding a non-zero quantity of this instrument. */
  owners(instrumentId: InstrumentId): ReadonlyMap<GroupId, number> {
    return this.byInstrument.get(instrumentId) ?? new Map();
  }

  venueNetQty(instrumentId: InstrumentId): number | null {
    return this.venueNet.get(instrumentId)?.qty ?? null;
  }

  /** Venue net minus what keel owns: someone else's quantity, shown but never touched. */
  foreign(instrumentId: InstrumentId): number {
    const net = this.venueNet.get(instrumentId);
    return net === undefined ? 0 : qtyAdd(net.qty, -this.ownedTotal(instrumentId));
  }

  /** Foreign quantity as of the venue's last report (own fills since then are not foreign). */
  foreignAtLastReport(instrumentId: InstrumentId): number {
    const net = this.venueNet.get(instrumentId);
    return net === undefined ? 0 : qtyAdd(net.qty, -net.ownedThen);
  }

  instruments(): InstrumentId[] {
    const ids = new Set<InstrumentId>([...this.totals.keys(), ...this.venueNet.keys()]);
    return [...ids].sort();
  }

  /** Invariant: the per-group quantities sum to the instrument total. */
  assertConsistent(): void {
    for (const [instrumentId, groups] of this.byInstrument) {
      let sum = 0;
      for (const q of groups.values()) sum = qtyAdd(sum, q);
      assert(
        sum === this.ownedTotal(instrumentId),
        `ownership of ${instrumentId}: groups sum ${sum} != total ${this.ownedTotal(instrumentId)}`,
      );
    }
  }
}
