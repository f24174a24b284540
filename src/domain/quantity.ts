// Prices and quantities are rounded to the instrument's tick and lot at the boundary (config,
// operator input, venue messages); inside keel they are already on the grid.
import { InvariantError } from './assert';
import { memoByNumber } from './memo';

const qtyDecimalsMax = 8;

// Messages on these paths are built only when a check fails: they run for every price and size.
// Steps are few: each one's decimals are worked out once.
const decimalsOf = memoByNumber(1024, (step: number): number => {
  if (!(step > 0 && Number.isFinite(step))) throw new InvariantError(`step must be positive, got ${step}`);
  for (let d = 0; d <= 10; d++) {
    if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  }
  return 10;
});

function snap(value: number, decimals: number): number {
  if (Number.isInteger(value)) return value === 0 ? 0 : value; // whole contracts and shares: exact already
  // Values here sit a hair off a grid point (0.1 + 0.2): scaled, they are within a sliver of a
  // whole number, and the whole number over the scale is the double that formatting to these
  // decimals and reading back gives, without a string. Anything else takes the string's way.
  const scale = 10 ** decimals;
  const scaled = value * scale;
  const whole = Math.round(scaled);
  if (Math.abs(scaled - whole) < 1e-3 && Math.abs(whole) < 2 ** 52) {
    const v = whole / scale;
    return v === 0 ? 0 : v;
  }
  const v = Number(value.toFixed(decimals));
  return v === 0 ? 0 : v;
}

export type Rounding = 'nearest' | 'down' | 'up';

/** Round a price to the tick; 'down'/'up' for limits that must not cross a bound. */
export function roundToTick(price: number, tick: number, mode: Rounding = 'nearest'): number {
  if (!Number.isFinite(price)) throw new InvariantError(`price must be finite, got ${price}`);
  const steps = price / tick;
  const n =
    mode === 'down' ? Math.floor(steps + 1e-9) : mode === 'up' ? Math.ceil(steps - 1e-9) : Math.round(steps);
  return snap(n * tick, decimalsOf(tick));
}

/** Round a quantity down to the lot: a size is never rounded up past what a cap allowed. */
export function roundToLot(qty: number, lot: number): number {
  if (!Number.isFinite(qty)) throw new InvariantError(`quantity must be finite, got ${qty}`);
  const n = Math.floor(Math.abs(qty) / lot + 1e-9);
  return snap(Math.sign(qty) * n * lot, decimalsOf(lot));
}

export function isOnTick(price: number, tick: number): boolean {
  return roundToTick(price, tick) === snap(price, decimalsOf(tick) + 2);
}

export function isOnLot(qty: number, lot: number): boolean {
  return roundToLot(qty, lot) === snap(qty, decimalsOf(lot) + 2);
}

/** Quantity arithmetic that stays on a fixed decimal grid (crypto lots like 0.0001). */
export function qtyAdd(a: number, b: number): number {
  return snap(a + b, qtyDecimalsMax);
}

export function qtySub(a: number, b: number): number {
  return snap(a - b, qtyDecimalsMax);
}

export function qtyMul(a: number, b: number): number {
  return snap(a * b, qtyDecimalsMax);
}
