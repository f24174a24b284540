// TEMPORARY until src/sim/market lands: a minimal path and quote model with the same signatures.
import type { OptionRight, Rng } from '../../domain';
import { bsGreeks } from '../../pricing';

export type PathSpecShim =
  | { kind: 'gbm'; spot: number; vol: number; drift: number; tick: number; jumps?: unknown }
  | { kind: 'flat'; spot: number; tick: number }
  | { kind: 'points'; spot: number; points: [number, number][]; tick: number };
export type PricePath = { advanceTo(t: number): number };
export type OptionQuoteModel = { atmVol: number; minWidth: number; pctOfMid: number; tick: number };

export function createPricePath(spec: PathSpecShim, rng: Rng, startMs: number): PricePath {
  let t0 = startMs;
  let price = spec.spot;
  const r = (x: number) => Math.round(x / spec.tick) * spec.tick;
  return {
    advanceTo(t: number): number {
      if (spec.kind === 'flat') return spec.spot;
      if (spec.kind === 'points') {
        const pts = spec.points;
        if (pts.length === 0) return spec.spot;
        const first = pts[0] as [number, number];
        if (t <= first[0]) return first[1];
        for (let i = 1; i < pts.length; i++) {
          const [ta, pa] = pts[i - 1] as [number, number];
          const [tb, pb] = pts[i] as [number, number];
          if (t <= tb) return Number(r(pa + ((pb - pa) * (t - ta)) / (tb - ta)).toFixed(2));
        }
        return (pts[pts.length - 1] as [number, number])[1];
      }
      const dt = (t - t0) / (365 * 86_400_000);
      t0 = t;
      price = price * Math.exp((spec.drift - (spec.vol * spec.vol) / 2) * dt + spec.vol * Math.sqrt(dt) * rng.normal());
      return Number(r(price).toFixed(2));
    },
  };
}

export function quoteOption(model: OptionQuoteModel, q: { spot: number; strike: number; right: OptionRight; tYears: number; rate: number }) {
  const g = bsGreeks({ spot: q.spot, strike: q.strike, tYears: q.tYears, vol: model.atmVol, rate: q.rate, right: q.right });
  const width = Math.max(model.minWidth, model.pctOfMid * g.price);
  const bid = Math.max(0, Math.floor((g.price - width / 2) / model.tick) * model.tick);
  const ask = Math.max(model.tick, Math.ceil((g.price + width / 2) / model.tick) * model.tick);
  const b = Number(bid.toFixed(2));
  const a = Number(ask.toFixed(2));
  return { bid: b, ask: a, mid: Number(((b + a) / 2).toFixed(3)), iv: model.atmVol, delta: g.delta };
}
