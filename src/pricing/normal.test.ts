import { describe, expect, it } from 'vitest';
import { erfc, erfcx, normCdf, normCdfOverPdf, normInvApprox, normPdf } from './normal';

// Reference values from mpmath at 30 digits.
const ERFC: [number, number][] = [
  [0.1, 0.887537083981715],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [2, 0.004677734981047266],
  [3.5, 7.430983723414128e-7],
  [5, 1.537459794428035e-12],
  [10, 2.088487583762545e-45],
  [20, 5.395865611607901e-176],
];
const NORM_CDF: [number, number][] = [
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-5, 2.866515718791939e-7],
  [-1, 0.15865525393145705],
  [0.3, 0.6179114221889527],
  [3, 0.9986501019683699],
];

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('erfc (Cody)', () => {
  it('matches high-precision values to ~1e-15 relative, in the tails too', () => {
    for (const [x, want] of ERFC) expect(relErr(erfc(x), want)).toBeLessThan(2e-15);
    expect(erfc(0)).toBe(1);
    expect(erfc(-1)).toBeCloseTo(2 - 0.15729920705028513, 15);
    expect(erfc(30)).toBe(0);
    expect(erfc(-30)).toBe(2);
  });
});

describe('normCdf', () => {
  it('is accurate in both tails (relative, not just absolute)', () => {
    // rounding x / sqrt(2) costs x^2 / 2 ulps in the far tail; still 1e-14 at 20 s.d.
    for (const [x, want] of NORM_CDF) {
      expect(relErr(normCdf(x), want)).toBeLessThan((4 + x * x) * Number.EPSILON);
    }
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(Infinity)).toBe(1);
    expect(normCdf(-Infinity)).toBe(0);
  });

  it('is symmetric: N(x) + N(-x) = 1', () => {
    for (let x = -8; x <= 8; x += 0.37) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 15);
  });

  it('has the density as its derivative', () => {
    for (let x = -4; x <= 4; x += 0.5) {
      const h = 1e-5;
      expect((normCdf(x + h) - normCdf(x - h)) / (2 * h)).toBeCloseTo(normPdf(x), 9);
    }
  });
});

describe('normInvApprox', () => {
  it('inverts N to about 1e-9', () => {
    for (const p of [1e-300, 1e-12, 0.001, 0.02425, 0.1, 0.5, 0.8, 0.999, 1 - 1e-12]) {
      const x = normInvApprox(p);
      expect(relErr(normCdf(x), p)).toBeLessThan(1e-8 * Math.max(1, Math.abs(x)));
    }
    expect(normInvApprox(0)).toBe(-Infinity);
    expect(normInvApprox(1)).toBe(Infinity);
  });
});

// e^{x^2} erfc(x) at points whose square is exact, from a correctly rounded erfc and exp.
const ERFCX: [number, number][] = [
  [-3, 16205.988853999588],
  [-1, 5.008980080762283],
  [-0.25, 1.3586423701047219],
  [0.25, 0.7703465477309966],
  [0.5, 0.6156903441929259],
  [1, 0.427583576155807],
  [2, 0.2553956763105057],
  [4.5, 0.1224848042738414],
  [6, 0.09277656780053836],
  [10, 0.056140992743822594],
  [26, 0.021683584850562907],
];

describe('erfcx (Cody)', () => {
  it('matches e^{x^2} erfc(x) in each of its intervals', () => {
    for (const [x, want] of ERFCX) expect(relErr(erfcx(x), want)).toBeLessThan(4e-16);
    expect(erfcx(0)).toBe(1);
  });

  it('stays exact where erfc underflows: the asymptotic series 1 / (x sqrt(pi)) (1 - 1/(2x^2) + ...)', () => {
    for (const x of [40, 1e3, 1e8]) {
      expect(relErr(erfcx(x), asymptoticSeries(2 * x * x) / (x * Math.sqrt(Math.PI)))).toBeLessThan(4e-16);
    }
  });
});

/** sum of (-1)^n (2n-1)!! / z^n, summed until the terms no longer matter (z large). */
function asymptoticSeries(z: number): number {
  let sum = 1;
  let term = 1;
  for (let n = 1; Math.abs(term) > 1e-20; n++) {
    term *= -(2 * n - 1) / z;
    sum += term;
  }
  return sum;
}

describe('normCdfOverPdf', () => {
  it('is N(x) / n(x), also far beyond where N underflows', () => {
    for (const x of [-20, -8, -3, -1, -0.2, 0, 0.4, 2]) {
      expect(relErr(normCdfOverPdf(x), normCdf(x) / normPdf(x))).toBeLessThan((4 + x * x) * Number.EPSILON);
    }
    expect(normCdf(-40)).toBe(0);
    for (const x of [-40, -1e4]) {
      // Mills: N(x)/n(x) = 1/|x| (1 - 1/x^2 + 3/x^4 - 15/x^6 ...)
      expect(relErr(normCdfOverPdf(x), asymptoticSeries(x * x) / -x)).toBeLessThan(4e-16);
    }
    expect(normCdfOverPdf(0)).toBeCloseTo(Math.sqrt(Math.PI / 2), 15);
  });

  it("has derivative 1 + x Y(x), the identity the implied-vol solver's steps rely on", () => {
    for (let x = -30; x <= 1; x += 1.7) {
      const h = 1e-5 * Math.max(1, Math.abs(x));
      const numeric = (normCdfOverPdf(x + h) - normCdfOverPdf(x - h)) / (2 * h);
      expect(relErr(numeric, 1 + x * normCdfOverPdf(x))).toBeLessThan(1e-6);
    }
  });
});
