// The venue's positions against keel's ownership. The venue's net must contain what keel owns;
// the rest is foreign (shown, never touched). Position ids of open positions are captured for the
// groups that own them, so a position that later closes while keel is down is still found.
import { describeInstrument, qtyAdd, type InstrumentId, type VenuePositionId } from '../../domain';
import type { EngineCore } from '../engine-core';
import { capturePositionId } from './ids';
import type { Round } from './round';

export function syncPositions(r: Round): void {
  const p = r.core.p;
  const venue = new Map<
    InstrumentId,
    { qty: number; avgPrice: number; venuePositionId: VenuePositionId | null }
  >();
  for (const pos of r.snap.positions) venue.set(pos.instrumentId, pos);
  const ids = new Set<InstrumentId>([...venue.keys(), ...p.ownership.instruments()]);
  for (const id of [...ids].sort()) {
    const v = venue.get(id) ?? { qty: 0, avgPrice: 0, venuePositionId: null };
    if (p.ownership.venueNetQty(id) !== v.qty)
      r.core.recorder.record('venue.position', { instrumentId: id, qty: v.qty, avgPrice: v.avgPrice });
    if (v.qty !== 0) capturePositionId(r.core, id, v.venuePositionId);
    checkContainsOwned(r.core, id, 'reconcile');
  }
}

/** The venue's net must contain what keel owns; otherwise keel's picture is wrong: stop. */
export function checkContainsOwned(core: EngineCore, id: InstrumentId, when: string): boolean {
  const p = core.p;
  const owned = p.ownership.ownedTotal(id);
  const net = p.ownership.venueNetQty(id) ?? 0;
  if (owned === 0) return true;
  const contains = Math.sign(net) === Math.sign(owned) && Math.abs(net) >= Math.abs(owned);
  if (contains) return true;
  const i = p.instruments.get(id);
  const name = i ? describeInstrument(i) : id;
  core.raise(
    'quantity-mismatch',
    `${when}: keel owns ${owned} ${name} but the venue shows ${net} (foreign ${qtyAdd(net, -owned)})`,
    id,
    null,
    positionSubject(id),
  );
  core.trip('HALTED', `venue quantity of ${name} does not contain keel's owned ${owned}`);
  return false;
}

/** Subject of a position's containment discrepancy (resolved when the venue contains it again). */
export function positionSubject(id: InstrumentId): string {
  return `position:${id}`;
}
