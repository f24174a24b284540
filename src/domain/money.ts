// Money is exact: every cash amount is an integer number of micro-units of the account currency.
// Sums of integers are exact, so realized PnL reconciles with the venue's fills to the cent.
import { InvariantError } from './assert';
import type { Brand } from './ids/brand';

export type Micros = Brand<number, 'Micros'>;

export const MICROS_PER_UNIT = 1_000_000;
const microsAbsMax = Number.MAX_SAFE_INTEGER;

export const ZERO_MICROS = 0 as Micros;

/** A decimal amount (e.g. 16.5) to integer micros; the float product is rounded away here. */
export function toMicros(amount: number): Micros {
  if (!Number.isFinite(amount)) throw new InvariantError(`money amount must be finite, got ${amount}`);
  const micros = Math.round(amount * MICROS_PER_UNIT);
  if (!(Math.abs(micros) <= microsAbsMax)) throw new InvariantError(`money amount ${amount} is out of range`);
  return (micros === 0 ? 0 : micros) as Micros; // no -0 in reports
}

export function addMicros(a: Micros, b: Micros): Micros {
  return (a + b) as Micros;
}

export function subMicros(a: Micros, b: Micros): Micros {
  return (a - b) as Micros;
}

export function negMicros(a: Micros): Micros {
  return (a === 0 ? 0 : -a) as Micros;
}

export function sumMicros(values: Iterable<Micros>): Micros {
  let total = 0;
  for (const v of values) total += v;
  return total as Micros;
}

/** Micros to a decimal amount rounded to the cent, for reports. */
export function microsToCents(m: Micros): number {
  const cents = Math.round(m / 10_000);
  return cents === 0 ? 0 : cents / 100;
}

export function microsToNumber(m: Micros): number {
  return m / MICROS_PER_UNIT;
}

/**
 * Cash of one execution: price x qty x multiplier, signed (buying pays, selling receives).
 * The inputs are decimals with few places; the float product is exact after rounding to micros.
 */
export function tradeCash(side: 'BUY' | 'SELL', qty: number, price: number, multiplier: number): Micros {
  const gross = toMicros(qty * price * multiplier);
  return side === 'BUY' ? negMicros(gross) : gross;
}
