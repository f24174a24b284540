import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bsGreeks } from './black-scholes';
import { IV_ITERATIONS_MAX, IV_OK, IV_STATUS, impliedVol, impliedVolChain } from './implied-vol';

const optionArb = fc.record({
  spot: fc.double({ min: 1, max: 5000, noNaN: true }),
  // log-moneyness in standard deviations, so short expiries still get near-the-money strikes
  sds: fc.double({ min: -6, max: 6, noNaN: true }),
  minutes: fc.double({ min: 1, max: 3 * 525600, noNaN: true }),
  vol: fc.double({ min: 0.01, max: 4, noNaN: true }),
  rate: fc.double({ min: -0.01, max: 0.15, noNaN: true }),
  q: fc.double({ min: 0, max: 0.08, noNaN: true }),
  right: fc.constantFrom('C' as const, 'P' as const),
});

describe('impliedVol', () => {
  it('recovers the vol of a Black-Scholes price wherever the option has time value', () => {
    fc.assert(
      fc.property(optionArb, ({ spot, sds, minutes, vol, rate, q, right }) => {
        const tYears = minutes / 525600;
        const strike = spot * Math.exp(sds * vol * Math.sqrt(tYears));
        const g = bsGreeks({ spot, strike, tYears, vol, rate, q, right });
        // The price's own rounding limits any inversion: dvol = dprice / vega.
        const noise = (64 * Number.EPSILON * (spot + strike)) / g.vega;
        fc.pre(noise < 1e-6 * vol);
        const iv = impliedVol({ price: g.price, spot, strike, tYears, rate, q, right });
        expect(iv.ok).toBe(true);
        if (!iv.ok) return;
        expect(Math.abs(iv.vol - vol)).toBeLessThanOrEqual(noise + 1e-12 * vol);
        expect(iv.iterations).toBeLessThanOrEqual(10);
      }),
      { numRuns: 3000 },
    );
  });

  it('never returns a made-up vol: every ok result reprices to the input', () => {
    fc.assert(
      fc.property(optionArb, fc.double({ min: 0, max: 2, noNaN: true }), (o, priceFactor) => {
        const tYears = o.minutes / 525600;
        const strike = o.spot * Math.exp(o.sds * o.vol * Math.sqrt(tYears));
        const price = bsGreeks({ ...o, strike, tYears }).price * priceFactor;
        const iv = impliedVol({ price, spot: o.spot, strike, tYears, rate: o.rate, q: o.q, right: o.right });
        if (!iv.ok) return;
        const repriced = bsGreeks({ ...o, strike, tYears, vol: iv.vol });
        expect(Math.abs(repriced.price - price)).toBeLessThanOrEqual(1e-9 * (o.spot + strike));
      }),
      { numRuns: 2000 },
    );
  });

  it('solves the XSP 0DTE 10-delta put in a few iterations', () => {
    const input = { spot: 683.38, strike: 671, tYears: 364 / 98280, rate: 0.04, right: 'P' as const };
    const price = bsGreeks({ ...input, vol: 0.2344 }).price;
    const iv = impliedVol({ ...input, price });
    expect(iv).toEqual({ ok: true, vol: expect.closeTo(0.2344, 13), iterations: expect.any(Number) });
    if (iv.ok) expect(iv.iterations).toBeLessThanOrEqual(5);
  });

  it('says why when there is no solution', () => {
    const base = { spot: 100, strike: 90, tYears: 0.5, rate: 0.05, q: 0.01 };
    const forwardValue = 100 * Math.exp(-0.01 * 0.5) - 90 * Math.exp(-0.05 * 0.5);
    expect(impliedVol({ ...base, right: 'C', price: forwardValue - 0.01 })).toEqual({
      ok: false,
      reason: 'below-intrinsic',
    });
    expect(impliedVol({ ...base, right: 'P', price: -0.01 })).toEqual({
      ok: false,
      reason: 'below-intrinsic',
    });
    expect(impliedVol({ ...base, right: 'C', price: 100 })).toEqual({
      ok: false,
      reason: 'above-upper-bound',
    });
    expect(impliedVol({ ...base, right: 'P', price: 90 })).toEqual({
      ok: false,
      reason: 'above-upper-bound',
    });
    expect(impliedVol({ ...base, right: 'P', price: 0 })).toEqual({ ok: false, reason: 'no-time-value' });
    expect(impliedVol({ ...base, right: 'C', price: forwardValue })).toEqual({
      ok: false,
      reason: 'no-time-value',
    });
    // expired: intrinsic has no vol, above it there is no vol either
    const expired = { spot: 100, strike: 90, tYears: 0, rate: 0.05, right: 'C' as const };
    expect(impliedVol({ ...expired, price: 10 })).toEqual({ ok: false, reason: 'no-time-value' });
    expect(impliedVol({ ...expired, price: 10.5 })).toEqual({ ok: false, reason: 'no-time-value' });
    expect(impliedVol({ ...expired, price: 9.5 })).toEqual({ ok: false, reason: 'below-intrinsic' });
  });

  it('handles extreme but valid inputs: huge vol, tiny time value, one minute to expiry', () => {
    const huge = bsGreeks({ spot: 100, strike: 100, tYears: 1, vol: 8, rate: 0, right: 'C' });
    expect(
      impliedVol({ spot: 100, strike: 100, tYears: 1, rate: 0, right: 'C', price: huge.price }),
    ).toMatchObject({
      ok: true,
      vol: expect.closeTo(8, 8),
    });
    const tiny = bsGreeks({ spot: 100, strike: 200, tYears: 0.1, vol: 0.2, rate: 0, right: 'C' });
    expect(tiny.price).toBeLessThan(1e-20);
    expect(
      impliedVol({ spot: 100, strike: 200, tYears: 0.1, rate: 0, right: 'C', price: tiny.price }),
    ).toMatchObject({
      ok: true,
      vol: expect.closeTo(0.2, 10),
    });
    const minute = bsGreeks({
      spot: 683.38,
      strike: 683,
      tYears: 1 / 525600,
      vol: 0.3,
      rate: 0.04,
      right: 'P',
    });
    expect(
      impliedVol({
        spot: 683.38,
        strike: 683,
        tYears: 1 / 525600,
        rate: 0.04,
        right: 'P',
        price: minute.price,
      }),
    ).toMatchObject({ ok: true, vol: expect.closeTo(0.3, 9) });
  });

  it('crashes on a NaN price (a programmer error, not a market state)', () => {
    expect(() =>
      impliedVol({ spot: 100, strike: 100, tYears: 1, rate: 0, right: 'C', price: NaN }),
    ).toThrow();
  });
});

describe('impliedVolChain', () => {
  it('matches impliedVol row by row and writes status codes', () => {
    const strikes = Float64Array.of(90, 100, 110, 100, 100);
    const tYears = Float64Array.of(0.25, 0.25, 0.25, 0.25, 0.25);
    const isCall = Uint8Array.of(1, 0, 1, 1, 0);
    const prices = new Float64Array(5);
    for (let i = 0; i < 3; i++) {
      prices[i] = bsGreeks({
        spot: 100,
        strike: strikes[i] as number,
        tYears: 0.25,
        vol: 0.2 + 0.1 * i,
        rate: 0.03,
        right: isCall[i] === 1 ? 'C' : 'P',
      }).price;
    }
    prices[3] = 150; // above the spot: no call is worth that
    prices[4] = 0; // nothing over intrinsic
    const vol = new Float64Array(5);
    const status = new Uint8Array(5);
    const iterations = new Uint8Array(5);
    impliedVolChain(
      { spot: 100, rate: 0.03, q: 0, strikes, tYears, prices, isCall },
      { vol, status, iterations },
    );
    expect(vol[0]).toBeCloseTo(0.2, 12);
    expect(vol[1]).toBeCloseTo(0.3, 12);
    expect(vol[2]).toBeCloseTo(0.4, 12);
    expect(Number.isNaN(vol[3])).toBe(true);
    expect([...status].map((s) => IV_STATUS[s])).toEqual([
      'ok',
      'ok',
      'ok',
      'above-upper-bound',
      'no-time-value',
    ]);
    expect(status[0]).toBe(IV_OK);
    for (let i = 0; i < 3; i++) {
      expect(iterations[i]).toBeGreaterThan(0);
      expect(iterations[i]).toBeLessThanOrEqual(IV_ITERATIONS_MAX);
    }
  });
});

describe('impliedVol, the tabulated guess and the edges', () => {
  const spot = 683.38;
  const rate = 0.04;
  const q = 0.013;
  const solveBack = (strike: number, tYears: number, vol: number, right: 'C' | 'P') => {
    const g = bsGreeks({ spot, strike, tYears, vol, rate, q, right });
    return { g, iv: impliedVol({ price: g.price, spot, strike, tYears, rate, q, right }) };
  };

  it('takes one step wherever the table reaches (|ln(F/K)| <= 1, vol sqrt(T) <= 1)', () => {
    const steps: Record<number, number> = {};
    for (const minutes of [1, 30, 390, 1440, 7 * 1440, 30 * 1440, 365 * 1440, 730 * 1440]) {
      for (const vol of [0.05, 0.15, 0.3, 0.6]) {
        const tYears = minutes / 525600;
        for (let sds = -5; sds <= 5; sds += 0.5) {
          const strike = spot * Math.exp(sds * vol * Math.sqrt(tYears));
          if (Math.abs(Math.log(strike / spot)) > 0.95 || vol * Math.sqrt(tYears) > 1) continue;
          for (const right of ['C', 'P'] as const) {
            const { g, iv } = solveBack(strike, tYears, vol, right);
            if (!iv.ok) throw new Error(`no vol for K=${strike} T=${tYears} vol=${vol} ${right}`);
            const noise = (64 * Number.EPSILON * (spot + strike)) / g.vega;
            expect(Math.abs(iv.vol - vol)).toBeLessThanOrEqual(noise + 1e-12 * vol);
            steps[iv.iterations] = (steps[iv.iterations] ?? 0) + 1;
          }
        }
      }
    }
    expect(Object.keys(steps)).toEqual(['1']);
  });

  it('solves deep in and out of the money, one second to expiry, and beyond the table', () => {
    const cases: [strike: number, tYears: number, vol: number, right: 'C' | 'P'][] = [
      [668, 30 / 525600, 0.6, 'C'], // 0DTE, 5 s.d. in the money: the OTM twin carries the time value
      [699, 30 / 525600, 0.6, 'P'], // and the put
      [672, 30 / 525600, 0.45, 'P'], // 0DTE, 5 s.d. out of the money
      [683.38, 1 / 31_536_000, 0.3, 'C'], // one second to expiry at the money
      [4000, 2, 0.9, 'C'], // ln(F/K) = -1.7: past the table's reach, the fallback guess
      [60, 2, 1.1, 'P'], // ln(F/K) = 2.5 the other way
      [700, 2, 1.5, 'C'], // above half the upper bound: the upper objective
    ];
    for (const [strike, tYears, vol, right] of cases) {
      const { g, iv } = solveBack(strike, tYears, vol, right);
      const noise = (64 * Number.EPSILON * (spot + strike)) / g.vega;
      expect({ strike, iv: iv.ok }).toEqual({ strike, iv: true });
      if (!iv.ok) continue;
      expect(Math.abs(iv.vol - vol)).toBeLessThanOrEqual(noise + 1e-12 * vol);
      expect(iv.iterations).toBeLessThanOrEqual(4);
    }
  });

  it('finds a vol for a price of 1e-200 and it reprices; 0 is no time value', () => {
    const input = { spot, strike: 900, tYears: 1 / 365, rate, q, right: 'C' as const };
    const iv = impliedVol({ ...input, price: 1e-200 });
    expect(iv.ok).toBe(true);
    if (iv.ok) {
      // that far out the price moves ~900x faster than the vol (ln b ~ -h^2/2): 1e-9, not 1e-12
      const repriced = bsGreeks({ ...input, vol: iv.vol }).price;
      expect(Math.abs(repriced / 1e-200 - 1)).toBeLessThan(1e-9);
    }
    expect(impliedVol({ ...input, price: 0 })).toEqual({ ok: false, reason: 'no-time-value' });
  });

  it('calls a price at the discounted intrinsic no time value, even where its rounding dips below', () => {
    // 0DTE calls 6 s.d. in the money are worth S e^{-qT} - K e^{-rT} to the last bit, a few ulps
    // either side of the intrinsic computed from the forward: neither a vol nor below intrinsic
    const tYears = 45 / 525600;
    for (const dividendYield of [0, q]) {
      for (let strike = 640; strike <= 655; strike++) {
        const price = spot * Math.exp(-dividendYield * tYears) - strike * Math.exp(-rate * tYears);
        const iv = impliedVol({ price, spot, strike, tYears, rate, q: dividendYield, right: 'C' });
        expect({ strike, iv }).toEqual({ strike, iv: { ok: false, reason: 'no-time-value' } });
      }
    }
  });

  it('refuses prices outside the bounds, deep in the money and at the edges', () => {
    const tYears = 45 / 525600;
    const intrinsic = spot * Math.exp(-q * tYears) - 650 * Math.exp(-rate * tYears);
    const at = (price: number, strike: number, right: 'C' | 'P') =>
      impliedVol({ price, spot, strike, tYears, rate, q, right });
    expect(at(intrinsic - 1e-6, 650, 'C')).toEqual({ ok: false, reason: 'below-intrinsic' });
    expect(at(-1e-9, 700, 'P').ok).toBe(false);
    expect(at(spot * Math.exp(-q * tYears), 650, 'C')).toEqual({ ok: false, reason: 'above-upper-bound' });
    expect(at(700 * Math.exp(-rate * tYears), 700, 'P')).toEqual({ ok: false, reason: 'above-upper-bound' });
    expect(at(spot, 650, 'C')).toEqual({ ok: false, reason: 'above-upper-bound' });
  });
});

describe('impliedVolChain, mixed expiries', () => {
  it('gives each row exactly what impliedVol gives it, expiries in any order', () => {
    const spot = 683.38;
    const strikes = Float64Array.of(670, 683, 700, 640, 683, 690, 600, 760);
    const tYears = Float64Array.of(1e-4, 1e-4, 0.02, 0.02, 1e-4, 0.5, 0.5, 0.02);
    const isCall = Uint8Array.of(0, 1, 1, 1, 0, 0, 1, 0);
    const vols = [0.3, 0.2, 0.18, 0.25, 0.21, 0.2, 0.35, 0.4];
    const prices = Float64Array.from(
      strikes,
      (strike, i) =>
        bsGreeks({
          spot,
          strike,
          tYears: tYears[i] as number,
          vol: vols[i] as number,
          rate: 0.04,
          q: 0.013,
          right: isCall[i] === 1 ? 'C' : 'P',
        }).price,
    );
    const vol = new Float64Array(8);
    const status = new Uint8Array(8);
    impliedVolChain({ spot, rate: 0.04, q: 0.013, strikes, tYears, prices, isCall }, { vol, status });
    strikes.forEach((strike, i) => {
      const one = impliedVol({
        price: prices[i] as number,
        spot,
        strike,
        tYears: tYears[i] as number,
        rate: 0.04,
        q: 0.013,
        right: isCall[i] === 1 ? 'C' : 'P',
      });
      expect(status[i]).toBe(one.ok ? IV_OK : IV_STATUS.indexOf(one.reason));
      if (one.ok) expect(vol[i]).toBe(one.vol);
      else expect(Number.isNaN(vol[i])).toBe(true);
    });
  });

  it('crashes on a row it cannot read, naming the row', () => {
    const chain = {
      spot: 100,
      rate: 0,
      q: 0,
      strikes: Float64Array.of(100, 100),
      tYears: Float64Array.of(0.1, 0.1),
      prices: Float64Array.of(2, NaN),
      isCall: Uint8Array.of(1, 1),
    };
    expect(() => impliedVolChain(chain, { vol: new Float64Array(2) })).toThrow(/row 1/);
    expect(() => impliedVolChain({ ...chain, spot: -1 }, { vol: new Float64Array(2) })).toThrow(/spot/);
  });
});
