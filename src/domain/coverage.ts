// Defined risk: every short option must be covered by a long of the same underlying, expiry and
// right — a call by a higher-strike long call, a put by a lower-strike long put — quantity for
// quantity. The naked-short incident (2026-01-28) left a short call with nothing above it.
import type { OptionInstrument } from './instrument';

export type OptionHolding = { readonly instrument: OptionInstrument; readonly qty: number };
export type UncoveredShort = { readonly instrument: OptionInstrument; readonly uncoveredQty: number };

/**
 * Greedy matching per (symbol, expiry, right). Calls: walk strikes from high to low keeping a pool
 * of longs seen so far (all strictly higher); each short takes from the pool. Puts: mirror image.
 * Any long above a call short covers it equally, so taking from the pool in any order is optimal.
 */
export function uncoveredShorts(holdings: readonly OptionHolding[]): UncoveredShort[] {
  const series = new Map<string, OptionHolding[]>();
  for (const h of holdings) {
    if (h.qty === 0) continue;
    const key = `${h.instrument.symbol}|${h.instrument.expiry}|${h.instrument.right}`;
    const list = series.get(key) ?? [];
    list.push(h);
    series.set(key, list);
  }
  const result: UncoveredShort[] = [];
  for (const list of series.values()) {
    const isCall = list[0]?.instrument.right === 'C';
    // Walk from the side where the cover lives: calls from the highest strike down.
    const sorted = [...list].sort((a, b) =>
      isCall ? b.instrument.strike - a.instrument.strike : a.instrument.strike - b.instrument.strike,
    );
    let pool = 0;
    let i = 0;
    while (i < sorted.length) {
      const strike = sorted[i]?.instrument.strike;
      const sameStrike: OptionHolding[] = [];
      while (i < sorted.length && sorted[i]?.instrument.strike === strike)
        sameStrike.push(sorted[i++] as OptionHolding);
      // Shorts at this strike can only use longs strictly beyond it; longs here join the pool after.
      for (const h of sameStrike) {
        if (h.qty >= 0) continue;
        const need = -h.qty;
        const used = Math.min(pool, need);
        pool -= used;
        if (need > used) result.push({ instrument: h.instrument, uncoveredQty: need - used });
      }
      for (const h of sameStrike) if (h.qty > 0) pool += h.qty;
    }
  }
  return result;
}
