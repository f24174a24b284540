// A strategy's view of one of its groups: owned legs marked to mid. Read-only.
import { microsToNumber, netRealized, ZERO_MICROS } from '../domain';
import type { GroupRecord, Projection } from '../ledger/projection';
import type { QuoteBook } from '../venues/venue';
import type { GroupView, OwnedLegView } from './strategy';

export function groupView(p: Projection, market: QuoteBook, g: GroupRecord): GroupView {
  let openCash = 0;
  let marked = 0;
  let quoted = true;
  const legs: OwnedLegView[] = g.legs.map((leg) => {
    const instrument = p.requireInstrument(leg.instrumentId);
    const owned = p.ownership.owned(leg.instrumentId, g.id);
    const mid = market.quote(leg.instrumentId)?.mid ?? null;
    if (owned !== 0) {
      if (mid === null) quoted = false;
      else marked += owned * mid * instrument.multiplier;
    }
    openCash += microsToNumber(g.pnl.byInstrument.get(leg.instrumentId)?.openCash ?? ZERO_MICROS);
    return { instrument, qtyPerUnit: leg.qtyPerUnit, owned, mid };
  });
  const realizedNet = microsToNumber(netRealized(g.pnl));
  return {
    id: g.id,
    kind: g.kind,
    status: g.status,
    units: g.units,
    openedAt: g.openedAt,
    legs,
    openCash,
    realizedNet,
    pnl: quoted ? realizedNet + openCash + marked : null,
    note: g.note,
  };
}
