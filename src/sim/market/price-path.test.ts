import { describe, expect, it } from 'vitest';
import { seededRng } from '../../domain/rng';
import { createPricePath, type PricePathSpec } from './price-path';

const START = Date.UTC(2026, 1, 13, 14, 30); // 09:30 New York
const STEP_MS = 5_000;
const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

function run(spec: PricePathSpec, seed: number, steps: number, tick?: number): number[] {
  const path = createPricePath(spec, seededRng(seed), START, tick);
  const prices = [path.price];
  for (let i = 1; i <= steps; i++) prices.push(path.advanceTo(START + i * STEP_MS));
  return prices;
}

const xsp: PricePathSpec = { kind: 'gbm', spot: 683.38, vol: 0.21, drift: 0 };

describe('price path: determinism', () => {
  it('gives the same prices for the same seed and calls', () => {
    expect(run(xsp, 7, 500)).toEqual(run(xsp, 7, 500));
    expect(run({ ...xsp, jumps: { perDay: 5, meanPct: -1, stdPct: 2 } }, 7, 500)).toEqual(
      run({ ...xsp, jumps: { perDay: 5, meanPct: -1, stdPct: 2 } }, 7, 500),
    );
  });

  it('gives a different path for a different seed', () => {
    expect(run(xsp, 7, 100)).not.toEqual(run(xsp, 8, 100));
  });

  it('starts at the spot and reports every price on the tick', () => {
    const prices = run(xsp, 3, 200);
    expect(prices[0]).toBe(683.38);
    for (const p of prices) expect(Math.round(p * 100) / 100).toBe(p);
    for (const p of run(xsp, 3, 200, 0.25)) expect((p * 4) % 1).toBe(0);
  });

  it('returns the same price when asked twice for the same time, and refuses to go back', () => {
    const path = createPricePath(xsp, seededRng(1), START);
    const p = path.advanceTo(START + 60_000);
    expect(path.advanceTo(START + 60_000)).toBe(p);
    expect(path.timeMs).toBe(START + 60_000);
    expect(path.price).toBe(p);
    expect(() => path.advanceTo(START)).toThrow();
  });

  it('keeps the diffusion draws when jumps are switched on (separate streams)', () => {
    const plain = run(xsp, 11, 50);
    const noJumps = run({ ...xsp, jumps: { perDay: 0, meanPct: 0, stdPct: 0 } }, 11, 50);
    expect(noJumps).toEqual(plain);
  });
});

describe('price path: gbm statistics', () => {
  it('has log-return mean and variance matching drift and vol', () => {
    const vol = 0.3;
    const drift = 0.1;
    const dtMs = 3_600_000;
    const n = 20_000;
    const path = createPricePath({ kind: 'gbm', spot: 1000, vol, drift }, seededRng(42), START, 1e-6);
    let previous = Math.log(path.price);
    let sum = 0;
    let sumSq = 0;
    for (let i = 1; i <= n; i++) {
      const logPrice = Math.log(path.advanceTo(START + i * dtMs));
      const r = logPrice - previous;
      previous = logPrice;
      sum += r;
      sumSq += r * r;
    }
    const dt = dtMs / MS_PER_YEAR;
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    const expectedVar = vol * vol * dt;
    // standard errors: sqrt(var / n) for the mean, var * sqrt(2 / n) for the variance
    expect(Math.abs(mean - (drift - 0.5 * vol * vol) * dt)).toBeLessThan(4 * Math.sqrt(expectedVar / n));
    expect(Math.abs(variance - expectedVar)).toBeLessThan(4 * expectedVar * Math.sqrt(2 / n));
  });

  it('jumps move the price by their size, as often as specified', () => {
    const jumps = { perDay: 2, meanPct: 1, stdPct: 0.0001 };
    const days = 200;
    const path = createPricePath(
      { kind: 'gbm', spot: 100, vol: 0, drift: 0, jumps },
      seededRng(5),
      START,
      1e-6,
    );
    const logJump = Math.log(1.01);
    let count = 0;
    let previous = path.price;
    for (let d = 1; d <= days; d++) {
      const p = path.advanceTo(START + d * 86_400_000);
      const jumpsToday = Math.round(Math.log(p / previous) / logJump);
      expect(Math.abs(Math.log(p / previous) - jumpsToday * logJump)).toBeLessThan(1e-4);
      count += jumpsToday;
      previous = p;
    }
    // Poisson(2 per day) over 200 days: 400 +- 4 * sqrt(400)
    expect(Math.abs(count - 400)).toBeLessThan(4 * Math.sqrt(400));
  });
});

describe('price path: flat and points', () => {
  it('flat stays at the spot', () => {
    expect(new Set(run({ kind: 'flat', spot: 100.004 }, 1, 50))).toEqual(new Set([100]));
  });

  it('points interpolate linearly, from the spot at the start, flat after the last', () => {
    const min = 60_000;
    const spec: PricePathSpec = {
      kind: 'points',
      spot: 680,
      points: [
        [START + 10 * min, 690],
        [START + 20 * min, 670],
      ],
    };
    const path = createPricePath(spec, seededRng(1), START);
    expect(path.price).toBe(680);
    expect(path.advanceTo(START + 5 * min)).toBe(685);
    expect(path.advanceTo(START + 10 * min)).toBe(690);
    expect(path.advanceTo(START + 12 * min + 30_000)).toBe(685);
    expect(path.advanceTo(START + 20 * min)).toBe(670);
    expect(path.advanceTo(START + 90 * min)).toBe(670);
  });

  it('ignores points at or before the start (the spot rules there) and rejects unordered points', () => {
    const spec: PricePathSpec = {
      kind: 'points',
      spot: 100,
      points: [
        [START - 1, 50],
        [START + 1000, 101],
      ],
    };
    const path = createPricePath(spec, seededRng(1), START);
    expect(path.advanceTo(START + 500)).toBe(100.5);
    const unordered: PricePathSpec = {
      kind: 'points',
      spot: 100,
      points: [
        [START + 2000, 1],
        [START + 1000, 2],
      ],
    };
    expect(() => createPricePath(unordered, seededRng(1), START)).toThrow();
  });

  it('does not let rounding take a price to zero', () => {
    const path = createPricePath(
      { kind: 'points', spot: 0.02, points: [[START + 1000, 0.001]] },
      seededRng(1),
      START,
    );
    expect(path.advanceTo(START + 1000)).toBe(0.01);
  });
});
