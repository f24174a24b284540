// Exact rational arithmetic for caps. Compared in floats, a cap can be exceeded by one share
// (0.1 is not 1/10 in binary), so every cap comparison here is done on exact fractions: a number
// is read as the decimal it prints as (170.77 is 17077/100), and only the final result is
// converted back, always rounded in the safe direction (quantities down, exposures up).
import { assert, InvariantError, memoByNumber, MICROS_PER_UNIT, type Micros } from '../domain';

export type Ratio = { readonly n: bigint; readonly d: bigint };

const decimalText = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;
const microsPerUnit = BigInt(MICROS_PER_UNIT);

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function make(n: bigint, d: bigint): Ratio {
  assert(d !== 0n, 'exact: division by zero');
  const sign = d < 0n ? -1n : 1n;
  const g = gcd(n, d) || 1n;
  // Frozen: ratios are shared (ratioOf hands out the same one for the same number).
  return Object.freeze({ n: (sign * n) / g, d: (sign * d) / g });
}

// Prices, quantities and percentages repeat: each is read from its text once.
/** The exact value of the decimal a finite number prints as. */
export const ratioOf: (x: number) => Ratio = memoByNumber(4096, readRatio);

function readRatio(x: number): Ratio {
  if (!Number.isFinite(x)) throw new InvariantError(`exact: ${x} is not a finite number`);
  const m = decimalText.exec(String(x));
  if (m === null) throw new InvariantError(`exact: cannot read ${x} as a decimal`);
  const [, sign, int = '0', frac = '', exp = '+0'] = m;
  const e = Number(exp);
  let n = BigInt(int + frac);
  let d = 10n ** BigInt(frac.length);
  if (e >= 0) n *= 10n ** BigInt(e);
  else d *= 10n ** BigInt(-e);
  return make(sign === '-' ? -n : n, d);
}

export const ratioInt = (n: bigint | number): Ratio => make(BigInt(n), 1n);
export const ZERO: Ratio = ratioInt(0);
export const ONE: Ratio = ratioInt(1);

export const add = (a: Ratio, b: Ratio): Ratio => make(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Ratio, b: Ratio): Ratio => make(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Ratio, b: Ratio): Ratio => make(a.n * b.n, a.d * b.d);
export const div = (a: Ratio, b: Ratio): Ratio => make(a.n * b.d, a.d * b.n);
export const abs = (a: Ratio): Ratio => (a.n < 0n ? make(-a.n, a.d) : a);

export function cmp(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const lt = (a: Ratio, b: Ratio): boolean => cmp(a, b) < 0;
export const le = (a: Ratio, b: Ratio): boolean => cmp(a, b) <= 0;
export const eq = (a: Ratio, b: Ratio): boolean => cmp(a, b) === 0;
export const minR = (a: Ratio, b: Ratio): Ratio => (le(a, b) ? a : b);
export const maxR = (a: Ratio, b: Ratio): Ratio => (le(a, b) ? b : a);

/** Largest integer <= a. */
export function floorR(a: Ratio): bigint {
  const q = a.n / a.d; // truncates toward zero
  return a.n < 0n && q * a.d !== a.n ? q - 1n : q;
}

/** Smallest integer >= a. */
export function ceilR(a: Ratio): bigint {
  return -floorR(make(-a.n, a.d));
}

/** Nearest double (both parts are exact below 2^53, and IEEE division rounds correctly). */
export function toNumber(a: Ratio): number {
  const v = Number(a.n) / Number(a.d);
  return v === 0 ? 0 : v;
}

export function ratioOfMicros(m: Micros): Ratio {
  if (!Number.isSafeInteger(m)) throw new InvariantError(`exact: micros must be a safe integer, got ${m}`);
  return make(BigInt(m), microsPerUnit);
}

function toSafeMicros(v: bigint, what: string): Micros {
  if (!(v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)))
    throw new InvariantError(`exact: ${what} is out of the micros range`);
  const m = Number(v);
  return (m === 0 ? 0 : m) as Micros;
}

/** Money rounded down to the micro: for caps and budgets (a cap is never rounded up). */
export const floorMicros = (a: Ratio): Micros => toSafeMicros(floorR(mul(a, ratioInt(microsPerUnit))), 'cap');

/** Money rounded up to the micro: for exposure (capital at risk is never rounded down). */
export const ceilMicros = (a: Ratio): Micros =>
  toSafeMicros(ceilR(mul(a, ratioInt(microsPerUnit))), 'exposure');
