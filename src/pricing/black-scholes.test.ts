import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bsGreeks, bsPrice, thetaPerDay, type BsInput } from './black-scholes';
import { priceChain } from './price-chain';

const hull = { spot: 42, strike: 40, rate: 0.1, vol: 0.2, tYears: 0.5 } as const;

describe('Black-Scholes', () => {
  it("reproduces Hull's textbook example (S=42, K=40, r=10%, vol=20%, T=0.5)", () => {
    const call = bsPrice({ ...hull, right: 'C' });
    const put = bsPrice({ ...hull, right: 'P' });
    expect(call.toFixed(2)).toBe('4.76');
    expect(put.toFixed(2)).toBe('0.81');
    // More digits, from QuantLib's AnalyticEuropeanEngine (test/fixtures/pricing/quantlib-grid.json)
    expect(call).toBeCloseTo(4.759422392871535, 12);
    expect(put).toBeCloseTo(0.8085993729000925, 12);
  });

  it('satisfies put-call parity: C - P = S e^{-qT} - K e^{-rT}', () => {
    const arb = fc.record({
      spot: fc.double({ min: 1, max: 5000, noNaN: true }),
      moneyness: fc.double({ min: 0.3, max: 3, noNaN: true }),
      tYears: fc.double({ min: 1e-6, max: 5, noNaN: true }),
      vol: fc.double({ min: 0.005, max: 3, noNaN: true }),
      rate: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
      q: fc.double({ min: 0, max: 0.1, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ spot, moneyness, tYears, vol, rate, q }) => {
        const base = { spot, strike: spot * moneyness, tYears, vol, rate, q };
        const c = bsGreeks({ ...base, right: 'C' });
        const p = bsGreeks({ ...base, right: 'P' });
        const forwardValue = spot * Math.exp(-q * tYears) - base.strike * Math.exp(-rate * tYears);
        const scale = spot + base.strike;
        expect(Math.abs(c.price - p.price - forwardValue)).toBeLessThan(1e-13 * scale);
        // delta parity, equal gamma and vega
        expect(c.delta - p.delta).toBeCloseTo(Math.exp(-q * tYears), 13);
        expect(c.gamma).toBe(p.gamma);
        expect(c.vega).toBe(p.vega);
      }),
      { numRuns: 500 },
    );
  });

  it('has greeks equal to finite differences of the price', () => {
    const cases: BsInput[] = [
      { ...hull, right: 'C' },
      { ...hull, right: 'P', q: 0.03 },
      { spot: 683.38, strike: 671, tYears: 364 / 98280, vol: 0.23, rate: 0.04, right: 'P' },
      { spot: 683.38, strike: 692, tYears: 30 / 525600, vol: 0.5, rate: 0.04, right: 'C' },
      { spot: 100, strike: 130, tYears: 2, vol: 0.6, rate: 0.02, q: 0.01, right: 'C' },
    ];
    for (const input of cases) {
      const g = bsGreeks(input);
      const bump = (patch: Partial<BsInput>) => bsPrice({ ...input, ...patch });
      const central = (f: (h: number) => number, h: number) => (f(h) - f(-h)) / (2 * h);
      const hS = input.spot * input.vol * Math.sqrt(input.tYears) * 1e-3; // well inside one s.d.
      const relClose = (a: number, b: number, tol: number) =>
        expect(Math.abs(a - b)).toBeLessThan(tol * Math.max(1, Math.abs(b)));
      relClose(
        g.delta,
        central((h) => bump({ spot: input.spot + h }), hS),
        1e-6,
      );
      const up = bump({ spot: input.spot + hS });
      const down = bump({ spot: input.spot - hS });
      relClose(g.gamma, (up - 2 * g.price + down) / (hS * hS), 1e-4);
      relClose(
        g.vega,
        central((h) => bump({ vol: input.vol + h }), 1e-5),
        1e-6,
      );
      relClose(
        g.rho,
        central((h) => bump({ rate: input.rate + h }), 1e-6),
        1e-6,
      );
      const hT = input.tYears * 1e-4;
      relClose(g.theta, -central((h) => bump({ tYears: input.tYears + h }), hT), 1e-5);
    }
  });

  it('gives theta per calendar day as theta / 365', () => {
    const g = bsGreeks({ ...hull, right: 'C' });
    expect(thetaPerDay(g.theta)).toBe(g.theta / 365);
    expect(thetaPerDay(g.theta)).toBeCloseTo(-0.01249, 5);
  });

  it('prices an expired option at intrinsic, with delta 0 or +-1', () => {
    const at = (strike: number, right: 'C' | 'P') =>
      bsGreeks({ spot: 100, strike, tYears: 0, vol: 0.2, rate: 0.05, right });
    expect(at(90, 'C')).toEqual({ price: 10, delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0 });
    expect(at(110, 'C')).toMatchObject({ price: 0, delta: 0 });
    expect(at(110, 'P')).toMatchObject({ price: 10, delta: -1 });
    expect(at(90, 'P')).toMatchObject({ price: 0, delta: 0 });
    expect(at(100, 'C')).toMatchObject({ price: 0, delta: 0 });
  });

  it('prices a zero-vol option at its discounted forward intrinsic value', () => {
    const base = { spot: 100, tYears: 1, vol: 0, rate: 0.05, q: 0.01 } as const;
    const itm = bsGreeks({ ...base, strike: 90, right: 'C' });
    expect(itm.price).toBeCloseTo(100 * Math.exp(-0.01) - 90 * Math.exp(-0.05), 12);
    expect(itm.delta).toBeCloseTo(Math.exp(-0.01), 15);
    expect(itm.gamma).toBe(0);
    expect(itm.theta).toBeCloseTo(0.01 * 100 * Math.exp(-0.01) - 0.05 * 90 * Math.exp(-0.05), 12);
    const otm = bsGreeks({ ...base, strike: 120, right: 'C' });
    expect(otm).toMatchObject({ price: 0, delta: 0, gamma: 0, vega: 0 });
    expect(bsGreeks({ ...base, strike: 120, right: 'P' }).delta).toBeCloseTo(-Math.exp(-0.01), 15);
  });

  it('agrees with the limit as vol and time shrink (continuity at the degenerate cases)', () => {
    const tiny = bsGreeks({ spot: 100, strike: 90, tYears: 1e-12, vol: 0.2, rate: 0.05, right: 'C' });
    expect(tiny.price).toBeCloseTo(10, 9);
    expect(tiny.delta).toBeCloseTo(1, 12);
    const lowVol = bsGreeks({ spot: 100, strike: 90, tYears: 1, vol: 1e-9, rate: 0.05, right: 'C' });
    expect(lowVol.price).toBeCloseTo(100 - 90 * Math.exp(-0.05), 12);
  });

  it('crashes on inputs that are programmer errors', () => {
    expect(() => bsPrice({ spot: -1, strike: 100, tYears: 1, vol: 0.2, rate: 0, right: 'C' })).toThrow();
    expect(() => bsPrice({ spot: 100, strike: 100, tYears: -1, vol: 0.2, rate: 0, right: 'C' })).toThrow();
    expect(() => bsPrice({ spot: 100, strike: 100, tYears: 1, vol: NaN, rate: 0, right: 'C' })).toThrow();
  });
});

describe('priceChain', () => {
  it('gives bit-identical results to bsGreeks, option by option', () => {
    const n = 400;
    const strikes = new Float64Array(n);
    const tYears = new Float64Array(n);
    const vols = new Float64Array(n);
    const isCall = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      strikes[i] = 600 + (i % 100);
      tYears[i] = i < 100 ? 0 : i < 200 ? 30 / 525600 : i < 300 ? 0.25 : 1.5;
      vols[i] = i % 17 === 0 ? 0 : 0.1 + (i % 9) * 0.05;
      isCall[i] = i % 2;
    }
    const out = {
      price: new Float64Array(n),
      delta: new Float64Array(n),
      gamma: new Float64Array(n),
      theta: new Float64Array(n),
      vega: new Float64Array(n),
      rho: new Float64Array(n),
    };
    priceChain({ spot: 650.5, rate: 0.04, q: 0.012, strikes, tYears, vols, isCall }, out);
    for (let i = 0; i < n; i++) {
      const g = bsGreeks({
        spot: 650.5,
        strike: strikes[i] as number,
        tYears: tYears[i] as number,
        vol: vols[i] as number,
        rate: 0.04,
        q: 0.012,
        right: isCall[i] === 1 ? 'C' : 'P',
      });
      expect([out.price[i], out.delta[i], out.gamma[i], out.theta[i], out.vega[i], out.rho[i]]).toEqual([
        g.price,
        g.delta,
        g.gamma,
        g.theta,
        g.vega,
        g.rho,
      ]);
    }
  });

  it('gives the same bits on the price+delta fast path, with or without degenerate rows', () => {
    const strikes = Float64Array.of(95, 105, 100, 90, 110);
    const tYears = Float64Array.of(0.1, 0.1, 30 / 525600, 0.5, 0.5);
    const vols = Float64Array.of(0.2, 0.25, 0.5, 0.3, 0.3);
    const isCall = Uint8Array.of(1, 0, 1, 0, 1);
    const check = (t: Float64Array, v: Float64Array) => {
      const price = new Float64Array(5);
      const delta = new Float64Array(5);
      priceChain({ spot: 100, rate: 0.03, q: 0.01, strikes, tYears: t, vols: v, isCall }, { price, delta });
      for (let i = 0; i < 5; i++) {
        const g = bsGreeks({
          spot: 100,
          strike: strikes[i] as number,
          tYears: t[i] as number,
          vol: v[i] as number,
          rate: 0.03,
          q: 0.01,
          right: isCall[i] === 1 ? 'C' : 'P',
        });
        expect([price[i], delta[i]]).toEqual([g.price, g.delta]);
      }
    };
    check(tYears, vols);
    check(Float64Array.of(0.1, 0.1, 0, 0.5, 0.5), vols); // an expired row
    check(tYears, Float64Array.of(0.2, 0.25, 0.5, 0, 0.3)); // a zero-vol row
  });

  it('rejects mismatched arrays', () => {
    const one = new Float64Array(1);
    expect(() =>
      priceChain(
        {
          spot: 100,
          rate: 0,
          q: 0,
          strikes: one,
          tYears: new Float64Array(2),
          vols: one,
          isCall: new Uint8Array(1),
        },
        { price: one },
      ),
    ).toThrow();
  });
});
