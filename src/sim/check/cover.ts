// Which short options are not covered by a long. Within one family (same underlying, expiry, right
// and multiplier) a short call at strike k is covered by a long call at a strike >= k, a short put
// by a long put at a strike <= k, one contract for one contract.
//
// Why greedy is optimal: for calls, the longs eligible for a short at k are those at >= k, so the
// eligible sets are nested (a higher short's set is inside a lower short's set). Sweeping strikes
// from high to low, adding each strike's longs before serving its shorts, gives each short any long
// still available; no choice can hurt a later short, since every long that was eligible for an
// earlier (higher) short is eligible for all later ones. The number left uncovered is
// max over k of (shorts at >= k) - (longs at >= k), floored at 0, which is exactly Hall's deficiency
// for nested neighbourhoods, so no matching covers more. Puts mirror it (sweep low to high).
// cover.test.ts checks this against a brute-force matcher.
import { qtyAdd, type InstrumentRecord } from '../../domain';

export type Holding = { readonly instrument: InstrumentRecord; readonly qty: number };
/** A short that no long covers; `qty` is the number of uncovered contracts (positive). */
export type Uncovered = { readonly instrument: InstrumentRecord; readonly qty: number };

type OptionHolding = Holding & { readonly strike: number; readonly right: 'C' | 'P' };

/** Family within which a long can cover a short; null for anything that is not an option. */
export function familyKey(i: InstrumentRecord): string | null {
  if (i.strike === undefined || i.right === undefined) return null;
  return `${i.symbol}|${i.expiry ?? ''}|${i.right}|${i.multiplier}`;
}

export function uncoveredShorts(holdings: Iterable<Holding>): Uncovered[] {
  const families = new Map<string, OptionHolding[]>();
  for (const h of holdings) {
    const key = familyKey(h.instrument);
    const { strike, right } = h.instrument;
    if (key === null || strike === undefined || right === undefined || h.qty === 0) continue;
    const family = families.get(key) ?? [];
    family.push({ ...h, strike, right });
    families.set(key, family);
  }
  return [...families.values()].flatMap(sweepFamily);
}

function sweepFamily(family: readonly OptionHolding[]): Uncovered[] {
  // Most constrained shorts first: calls from the highest strike down, puts from the lowest up;
  // at one strike the longs come first (a long at the same strike covers the short fully).
  const sorted = [...family].sort(
    (a, b) => sweepOrder(a) - sweepOrder(b) || Math.sign(b.qty) - Math.sign(a.qty),
  );
  const uncovered: Uncovered[] = [];
  let available = 0;
  for (const h of sorted) {
    if (h.qty > 0) {
      available = qtyAdd(available, h.qty);
      continue;
    }
    const covered = Math.min(available, -h.qty);
    available = qtyAdd(available, -covered);
    const left = qtyAdd(-h.qty, -covered);
    if (left > 0) uncovered.push({ instrument: h.instrument, qty: left });
  }
  return uncovered;
}

function sweepOrder(h: OptionHolding): number {
  return h.right === 'C' ? -h.strike : h.strike;
}
