// While HALTED keel still closes what it owns where the venue still shows it (the short condor
// that rode to expiry unmanaged because a halt froze its stop). An instrument is matched when the
// venue's net contains keel's owned quantity and no open discrepancy says someone else traded it:
// a close there can only reduce keel's own risk. Anywhere else a close could net against a
// foreign lot or flip a position that is not there, so it waits for an operator.
import type { InstrumentId } from '../domain';
import type { DiscrepancyKind } from '../ledger/events';
import type { Projection } from '../ledger/projection';

const mismatchKinds: ReadonlySet<DiscrepancyKind> = new Set(['quantity-mismatch', 'unexpected-position']);

export function matchedAtVenue(p: Projection, id: InstrumentId): boolean {
  const owned = p.ownership.ownedTotal(id);
  const net = p.ownership.venueNetQty(id) ?? 0;
  if (owned !== 0 && !(Math.sign(net) === Math.sign(owned) && Math.abs(net) >= Math.abs(owned))) return false;
  for (const d of p.discrepancies.values())
    if (!d.resolved && d.instrumentId === id && mismatchKinds.has(d.kind)) return false;
  return true;
}
