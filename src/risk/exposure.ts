// Exposure: the capital at risk that the budgets measure, per product.
// - Equities: notional at the price (a short's notional too; its stop is the sizing's business).
// - Futures: notional at the entry price. Leverage changes the margin posted, not what can be lost,
//   so it never shrinks exposure (a 10x perpetual on $120,000 of BTC is $120,000 of exposure).
// - Option structures: the worst loss at expiry, found by evaluating the payoff at every strike
//   and at both tails; an uncovered short (more shorts than longs of a right) is undefined risk,
//   reported as Infinity.
import type { Micros, OptionRight } from '../domain';
import { InvariantError } from '../domain';
import type { Ratio } from './exact';
import { abs, add, ceilMicros, lt, maxR, mul, ratioOf, sub, toNumber, ZERO } from './exact';
import { RiskInputError, requirePositive } from './errors';
import { plain, usd } from './format';

/** One leg of an option structure: qty is signed, + long, - short. */
export type OptionLeg = { readonly strike: number; readonly right: OptionRight; readonly qty: number };

/** Legs per structure are bounded: four covers every defined-risk structure keel trades. */
export const optionLegsMax = 16;

export type PositionForExposure =
  | { readonly kind: 'equity'; readonly qty: number; readonly price: number; readonly multiplier?: number }
  | {
      readonly kind: 'future';
      readonly qty: number;
      readonly entryPrice: number;
      readonly multiplier: number;
    }
  | {
      readonly kind: 'option-structure';
      readonly legs: readonly OptionLeg[];
      /** Net premium for the legs exactly as given, per unit of multiplier; a debit is negative. */
      readonly netCredit: number;
      readonly multiplier: number;
    };

export type Exposure =
  | { readonly kind: 'bounded'; readonly micros: Micros; readonly basis: string }
  | { readonly kind: 'unbounded'; readonly reason: string };

/** Exposure in micros, rounded up: capital at risk is never rounded down. */
export function exposureOf(p: PositionForExposure): Exposure {
  switch (p.kind) {
    case 'equity': {
      const multiplier = p.multiplier ?? 1;
      const notional = notionalOf('exposureOf', p.qty, p.price, multiplier);
      return {
        kind: 'bounded',
        micros: ceilMicros(notional),
        basis: `notional ${describe(p.qty, p.price, multiplier, notional)}`,
      };
    }
    case 'future': {
      const notional = notionalOf('exposureOf', p.qty, p.entryPrice, p.multiplier);
      return {
        kind: 'bounded',
        micros: ceilMicros(notional),
        basis: `notional at entry ${describe(p.qty, p.entryPrice, p.multiplier, notional)} (leverage does not reduce it)`,
      };
    }
    case 'option-structure': {
      const worst = worstCaseAtExpiry(p.legs, p.netCredit, p.multiplier);
      if (worst.kind === 'unbounded') return worst;
      return {
        kind: 'bounded',
        micros: ceilMicros(worst.loss),
        basis: `max loss at expiry ${usd(worst.loss, 2)} (underlying at ${plain(worst.at)})`,
      };
    }
  }
}

/** |qty| x price x multiplier, in currency. */
export function equityNotional(qty: number, price: number, multiplier = 1): number {
  return toNumber(notionalOf('equityNotional', qty, price, multiplier));
}

/** |qty| x entryPrice x multiplier, in currency; there is deliberately no leverage parameter. */
export function futuresNotional(qty: number, entryPrice: number, multiplier: number): number {
  return toNumber(notionalOf('futuresNotional', qty, entryPrice, multiplier));
}

/**
 * Worst-case loss at expiry of an option structure, in currency (>= 0), or Infinity when a short
 * is uncovered: more short calls than long calls (the right tail falls forever) or more short puts
 * than long puts (undefined risk down to a zero underlying).
 * legs: signed quantities as held; netCredit: premium received for those legs, per unit of
 * multiplier (sum of -qty x price; negative for a debit). With legs of qty +/-3 it is three times
 * the per-structure credit.
 */
export function maxLossOfOptionStructure(
  legs: readonly OptionLeg[],
  netCredit: number,
  multiplier: number,
): number {
  const worst = worstCaseAtExpiry(legs, netCredit, multiplier);
  return worst.kind === 'unbounded' ? Infinity : toNumber(worst.loss);
}

/** A credit vertical: (width - credit) x multiplier x qty. */
export function verticalSpreadMaxLoss(a: {
  width: number;
  credit: number;
  multiplier: number;
  qty: number;
}): number {
  const fn = 'verticalSpreadMaxLoss';
  requirePositive(fn, 'width', a.width, 'pass the distance between the strikes');
  requireCredit(fn, a.credit, a.width);
  requirePositive(fn, 'multiplier', a.multiplier, 'use the contract multiplier, e.g. 100');
  requirePositive(fn, 'qty', a.qty, 'pass the number of spreads');
  return toNumber(mul(mul(sub(ratioOf(a.width), ratioOf(a.credit)), ratioOf(a.multiplier)), ratioOf(a.qty)));
}

/**
 * An iron condor: only one side can finish in the money at expiry, so the loss is the wider side's
 * width less the whole credit: (max(putWidth, callWidth) - credit) x multiplier x qty.
 */
export function ironCondorMaxLoss(a: {
  putWidth: number;
  callWidth: number;
  credit: number;
  multiplier: number;
  qty: number;
}): number {
  const fn = 'ironCondorMaxLoss';
  requirePositive(fn, 'putWidth', a.putWidth, 'pass the distance between the put strikes');
  requirePositive(fn, 'callWidth', a.callWidth, 'pass the distance between the call strikes');
  const width = maxR(ratioOf(a.putWidth), ratioOf(a.callWidth));
  requireCredit(fn, a.credit, toNumber(width));
  requirePositive(fn, 'multiplier', a.multiplier, 'use the contract multiplier, e.g. 100');
  requirePositive(fn, 'qty', a.qty, 'pass the number of condors');
  return toNumber(mul(mul(sub(width, ratioOf(a.credit)), ratioOf(a.multiplier)), ratioOf(a.qty)));
}

type WorstCase =
  | { readonly kind: 'bounded'; readonly loss: Ratio; readonly at: Ratio }
  | { readonly kind: 'unbounded'; readonly reason: string };

/** The payoff is piecewise linear in the underlying with kinks only at strikes. */
function worstCaseAtExpiry(legs: readonly OptionLeg[], netCredit: number, multiplier: number): WorstCase {
  validateLegs(legs, netCredit, multiplier);
  const uncovered = uncoveredShorts(legs);
  if (uncovered !== null) return { kind: 'unbounded', reason: uncovered };
  // With no net short calls the slope right of the highest strike is >= 0, so the minimum over
  // [0, infinity) is at 0 or at a strike.
  const credit = ratioOf(netCredit);
  const points = [ZERO, ...legs.map((l) => ratioOf(l.strike))];
  let worstAt = ZERO;
  let worstPayoff = payoffAt(legs, credit, ZERO);
  for (const s of points) {
    const v = payoffAt(legs, credit, s);
    if (lt(v, worstPayoff)) [worstPayoff, worstAt] = [v, s];
  }
  const lossPerUnit = lt(worstPayoff, ZERO) ? abs(worstPayoff) : ZERO;
  return { kind: 'bounded', loss: mul(lossPerUnit, ratioOf(multiplier)), at: worstAt };
}

/**
 * More short calls than long calls: the loss grows without limit as the underlying rises.
 * More short puts than long puts: the loss stops only at a zero underlying, which is no defined
 * risk either (a naked put on a $500 stock risks $50,000 a contract); both are undefined risk.
 */
function uncoveredShorts(legs: readonly OptionLeg[]): string | null {
  const net = (right: OptionRight) =>
    legs.filter((l) => l.right === right).reduce((sum, l) => sum + l.qty, 0);
  const calls = net('C');
  const puts = net('P');
  if (calls < 0)
    return `${-calls} short call(s) not covered by a long call: the loss grows without limit as the underlying rises`;
  if (puts < 0)
    return `${-puts} short put(s) not covered by a long put: the loss runs to the strike x multiplier (undefined risk)`;
  return null;
}

function payoffAt(legs: readonly OptionLeg[], credit: Ratio, underlying: Ratio): Ratio {
  let total = credit;
  for (const leg of legs) {
    const k = ratioOf(leg.strike);
    const intrinsic = leg.right === 'C' ? sub(underlying, k) : sub(k, underlying);
    if (lt(ZERO, intrinsic)) total = add(total, mul(ratioOf(leg.qty), intrinsic));
  }
  return total;
}

function validateLegs(legs: readonly OptionLeg[], netCredit: number, multiplier: number): void {
  const fn = 'maxLossOfOptionStructure';
  if (legs.length === 0 || legs.length > optionLegsMax) {
    throw new RiskInputError({
      fn,
      field: 'legs',
      value: legs.length,
      problem: `must hold 1 to ${optionLegsMax} legs`,
      fix: 'pass the legs of one structure',
    });
  }
  legs.forEach((leg, i) => {
    requirePositive(fn, `legs[${i}].strike`, leg.strike, 'pass the strike price');
    if (!Number.isFinite(leg.qty) || leg.qty === 0) {
      throw new RiskInputError({
        fn,
        field: `legs[${i}].qty`,
        value: leg.qty,
        problem: 'must be a non-zero signed quantity',
        fix: 'use + for long legs and - for short legs',
      });
    }
    if (!(leg.right === 'C' || leg.right === 'P'))
      throw new InvariantError(`legs[${i}].right must be C or P`);
  });
  if (!Number.isFinite(netCredit)) {
    throw new RiskInputError({
      fn,
      field: 'netCredit',
      value: netCredit,
      problem: 'must be finite',
      fix: 'pass the net premium received (negative for a debit)',
    });
  }
  requirePositive(fn, 'multiplier', multiplier, 'use the contract multiplier, e.g. 100');
}

function requireCredit(fn: string, credit: number, width: number): void {
  if (!Number.isFinite(credit) || credit < 0 || credit >= width) {
    throw new RiskInputError({
      fn,
      field: 'credit',
      value: credit,
      problem: `must be in [0, width ${width})`,
      fix: 'pass the net credit per structure in price points; a credit as large as the width is a mispriced fill',
    });
  }
}

function notionalOf(fn: string, qty: number, price: number, multiplier: number): Ratio {
  if (!Number.isFinite(qty)) {
    throw new RiskInputError({
      fn,
      field: 'qty',
      value: qty,
      problem: 'must be finite',
      fix: 'pass the position quantity',
    });
  }
  requirePositive(fn, 'price', price, 'pass the price per unit');
  requirePositive(fn, 'multiplier', multiplier, 'use the contract multiplier: 1 for shares');
  return mul(mul(abs(ratioOf(qty)), ratioOf(price)), ratioOf(multiplier));
}

function describe(qty: number, price: number, multiplier: number, notional: Ratio): string {
  const m = multiplier === 1 ? '' : ` x ${multiplier}`;
  return `${plain(ratioOf(Math.abs(qty)))} @ ${plain(ratioOf(price))}${m} = ${usd(notional, 2)}`;
}
