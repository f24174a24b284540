// Chain helpers a strategy needs to choose strikes.
import { InvariantError } from '../domain/assert';
import type { OptionRight } from '../domain/instrument';

export type DeltaChain = {
  readonly strikes: ArrayLike<number>;
  /** Signed deltas (puts negative), NaN where unknown. */
  readonly deltas: ArrayLike<number>;
  /** 1 for a call, 0 for a put. */
  readonly isCall: ArrayLike<number>;
};

export type DeltaPick = { readonly index: number; readonly strike: number; readonly delta: number };

/**
 * The strike of the given right whose |delta| is nearest `targetAbsDelta` (0.10 for a 10-delta
 * short). On a tie the smaller |delta| wins: further out of the money is the safer short.
 * Null when the chain has no option of that right with a known delta.
 */
export function strikeNearestDelta(
  chain: DeltaChain,
  right: OptionRight,
  targetAbsDelta: number,
): DeltaPick | null {
  const { strikes, deltas, isCall } = chain;
  const n = strikes.length;
  if (!(deltas.length === n && isCall.length === n))
    throw new InvariantError(`chain arrays must have length ${n}`);
  if (!(targetAbsDelta > 0 && targetAbsDelta < 1))
    throw new InvariantError(`target delta must be in (0, 1), got ${targetAbsDelta}`);
  const wantCall = right === 'C' ? 1 : 0;
  let best = -1;
  let bestDistance = Infinity;
  let bestAbs = Infinity;
  for (let i = 0; i < n; i++) {
    if (isCall[i] !== wantCall) continue;
    const abs = Math.abs(deltas[i] as number);
    if (Number.isNaN(abs)) continue;
    const distance = Math.abs(abs - targetAbsDelta);
    if (distance < bestDistance || (distance === bestDistance && abs < bestAbs)) {
      best = i;
      bestDistance = distance;
      bestAbs = abs;
    }
  }
  if (best < 0) return null;
  return { index: best, strike: strikes[best] as number, delta: deltas[best] as number };
}
