// The standard normal distribution to full double precision. Prices must agree with QuantLib to
// 1e-10, and implied vol inverts prices, so a 1e-7 textbook approximation of N(x) is not enough:
// erfc is W. J. Cody's rational Chebyshev approximation (CALERF, 1969/1985), ~1e-16 relative.

// Cody's coefficients are kept digit for digit as published (18 digits), so they can be checked
// against the paper; the parser rounds each to the nearest double.
/* eslint-disable no-loss-of-precision */

const SQRT_HALF = Math.SQRT1_2;
const SQRT_HALF_PI = 1.2533141373155003; // sqrt(pi / 2)
const INV_SQRT_2PI = 0.3989422804014327;
const INV_SQRT_PI = 0.5641895835477563;
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two halves
const ERFC_ZERO_ABOVE = 26.543; // erfc underflows to 0 in double precision beyond this
const ERF_SMALL = 0.46875; // Cody's first interval

/** Complementary error function, relative accuracy ~1e-16 over the whole real line. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  let result: number;
  if (y <= ERF_SMALL) {
    // erfc = 1 - erf loses nothing here since erf <= 0.5
    return 1 - erfSmall(x);
  }
  if (y <= 4) result = erfcxMid(y) * expMinusSquare(y);
  else if (y < ERFC_ZERO_ABOVE) result = erfcxTail(y) * expMinusSquare(y);
  else result = 0;
  return x < 0 ? 2 - result : result;
}

/**
 * Scaled complementary error function erfcx(x) = e^{x^2} erfc(x), ~1e-16 relative for x >= 0.
 * Cody's rationals approximate it directly above 0.46875, so no exponential there: it is how the
 * implied-vol solver evaluates Black-Scholes deep in the tails without under- or overflow.
 */
export function erfcx(x: number): number {
  if (x > 4) return erfcxTail(x);
  if (x > ERF_SMALL) return erfcxMid(x);
  const small = Math.exp(x * x) * (1 - erfSmall(x));
  if (!(x < -ERF_SMALL)) return small;
  // erfc(x) = 2 - erfc(-x) for negative x; e^{x^2} overflows to Infinity beyond x ~ -26.6
  return 2 * Math.exp(x * x) - erfcx(-x);
}

/** erf(x) for |x| <= 0.46875: x times a rational in x^2. */
function erfSmall(x: number): number {
  const z = x * x;
  const num =
    (((1.85777706184603153e-1 * z + 3.1611237438705656) * z + 1.13864154151050156e2) * z +
      3.77485237685302021e2) *
      z +
    3.20937758913846947e3;
  const den =
    (((z + 2.36012909523441209e1) * z + 2.44024637934444173e2) * z + 1.28261652607737228e3) * z +
    2.84423683343917062e3;
  return (x * num) / den;
}

/** erfcx(y) for 0.46875 < y <= 4. */
function erfcxMid(y: number): number {
  const num =
    (((((((2.15311535474403846e-8 * y + 5.64188496988670089e-1) * y + 8.88314979438837594) * y +
      6.61191906371416295e1) *
      y +
      2.98635138197400131e2) *
      y +
      8.8195222124176909e2) *
      y +
      1.71204761263407058e3) *
      y +
      2.05107837782607147e3) *
      y +
    1.23033935479799725e3;
  const den =
    (((((((y + 1.57449261107098347e1) * y + 1.17693950891312499e2) * y + 5.37181101862009858e2) * y +
      1.62138957456669019e3) *
      y +
      3.29079923573345963e3) *
      y +
      4.36261909014324716e3) *
      y +
      3.43936767414372164e3) *
      y +
    1.23033935480374942e3;
  return num / den;
}

/** erfcx(y) for y > 4: an asymptotic rational in 1 / y^2. */
function erfcxTail(y: number): number {
  const z = 1 / (y * y);
  const num =
    ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
      1.25781726111229246e-1) *
      z +
      1.60837851487422766e-2) *
      z +
    6.58749161529837803e-4;
  const den =
    ((((z + 2.56852019228982242) * z + 1.87295284992346047) * z + 5.27905102951428412e-1) * z +
      6.05183413124413191e-2) *
      z +
    2.33520497626869185e-3;
  return (INV_SQRT_PI - (z * num) / den) / y;
}

/**
 * exp(-y^2) without the error amplification of squaring y first: the rounding error of y*y would
 * be multiplied by y^2 inside exp. Dekker's exact product gives y*y = hi + lo, and
 * exp(-hi - lo) = exp(-hi) * (1 - lo) to double precision since |lo| <= ulp(hi).
 */
function expMinusSquare(y: number): number {
  const c = SPLITTER * y;
  const yHi = c - (c - y);
  const yLo = y - yHi;
  const hi = y * y;
  const lo = yHi * yHi - hi + 2 * yHi * yLo + yLo * yLo;
  return Math.exp(-hi) * (1 - lo);
}

/**
 * Standard normal cumulative distribution N(x), accurate in both tails: relative error below
 * (4 + x^2) ulps, the x^2 from rounding x / sqrt(2) before erfc.
 */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT_HALF);
}

/**
 * N(x) / n(x), the inverse Mills ratio's reciprocal, from erfcx: ~1e-16 relative for x <= 0 however
 * far into the tail, where N and n separately underflow (Infinity for x above ~37).
 */
export function normCdfOverPdf(x: number): number {
  return SQRT_HALF_PI * erfcx(-x * SQRT_HALF);
}

/** Standard normal density n(x). */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

// Acklam's rational approximation (relative error < 1.2e-9), used only for starting guesses;
// callers that need full precision polish the result with their own Newton steps.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const;
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const;
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const ACKLAM_P_LOW = 0.02425;

/** Inverse of N to ~1e-9 relative; -Infinity at 0 and +Infinity at 1. */
export function normInvApprox(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A;
  const [b0, b1, b2, b3, b4] = ACKLAM_B;
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C;
  const [d0, d1, d2, d3] = ACKLAM_D;
  if (p < ACKLAM_P_LOW || p > 1 - ACKLAM_P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const x =
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}
