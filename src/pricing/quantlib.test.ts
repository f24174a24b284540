// keel's Black-Scholes against QuantLib 1.29's AnalyticEuropeanEngine on a grid that includes
// 30-minute 0DTE expiries (test/fixtures/pricing/make-quantlib-fixture.py writes the grid).
// Tolerance: 1e-10 absolute for values below 1, 1e-10 relative above (a 30-minute gamma or theta
// runs to the thousands, where the last digits are rounding in either library).
import { describe, expect, it } from 'vitest';
import { bsGreeks } from './black-scholes';
import { impliedVol } from './implied-vol';
import { loadQuantLibGrid } from '../../test/fixtures/pricing/quantlib-grid';

const fixture = loadQuantLibGrid();

const TOLERANCE = 1e-10;
const within = (actual: number, expected: number) =>
  Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected));

/**
 * The vol error a price rounding error alone can cause: prices carry ~eps * (S + K) absolute
 * error (in either library), and dvol = dprice / vega. Where that exceeds the tolerance the
 * option has no usable time value and implied vol is not compared.
 */
const volNoise = (spot: number, strike: number, vega: number) =>
  (64 * Number.EPSILON * (spot + strike)) / vega;

/**
 * QuantLib's theta is -(ln(D) V + ln(F/S) S delta + var S^2 gamma / 2) / T, and ln() of a discount
 * factor or forward ratio near 1 carries an absolute rounding error of eps: QuantLib's own theta
 * is off by up to eps (V + S |delta|) / T, 3e-9 (1e-10 relative) for a 30-minute deep in-the-money
 * XSP call. keel's closed form has no such term; this slack is QuantLib's, not keel's.
 */
const quantlibThetaError = (spot: number, t: number, price: number, delta: number) =>
  (4 * Number.EPSILON * (price + spot * Math.abs(delta))) / t;

describe(`Black-Scholes vs QuantLib ${fixture.quantlib}`, () => {
  it('has the columns this test expects', () => {
    expect(fixture.columns).toEqual([
      'spot',
      'strike',
      't',
      'vol',
      'rate',
      'q',
      'right',
      'price',
      'delta',
      'gamma',
      'vega',
      'theta',
      'rho',
      'impliedVol',
    ]);
    expect(fixture.rows.length).toBeGreaterThan(1000);
    expect(fixture.rows.some((r) => r[2] < 1e-4)).toBe(true); // 0DTE-like rows are in the grid
  });

  it('agrees on price, delta, gamma, vega, theta (per year) and rho to 1e-10', () => {
    const mismatches: string[] = [];
    for (const row of fixture.rows) {
      const [spot, strike, tYears, vol, rate, q, right, ...want] = row;
      const g = bsGreeks({ spot, strike, tYears, vol, rate, q, right });
      const got = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
      const names = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'];
      got.forEach((value, i) => {
        const expected = want[i] as number;
        const slack = names[i] === 'theta' ? quantlibThetaError(spot, tYears, want[0], want[1]) : 0;
        if (!within(value, expected) && Math.abs(value - expected) > slack) {
          mismatches.push(`${names[i]} ${JSON.stringify(row)}: ${value}`);
        }
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees on implied vol to 1e-10 wherever the option has time value', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const row of fixture.rows) {
      const [spot, strike, tYears, vol, rate, q, right, price, , , vega, , , qlVol] = row;
      if (qlVol === null || volNoise(spot, strike, vega) > TOLERANCE / 10) continue;
      compared++;
      const iv = impliedVol({ price, spot, strike, tYears, rate, q, right });
      if (!iv.ok || Math.abs(iv.vol - qlVol) > TOLERANCE || Math.abs(iv.vol - vol) > TOLERANCE) {
        mismatches.push(`${JSON.stringify(row)}: ${JSON.stringify(iv)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(fixture.rows.length / 2);
  });
});
