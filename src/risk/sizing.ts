// Dual-cap position sizing. The 2026-01-02 incident sized PLTR and TSLA by the 2% risk formula
// alone: a $7 stop on a $170 stock allowed 300 shares ($51,000, 49% of the account). Every size
// here is the lesser of the risk cap and the notional cap, rounded DOWN to the lot, and both caps
// are compared in exact arithmetic so a size can never exceed either by a float's rounding.
import { InvariantError } from '../domain';
import type { Ratio } from './exact';
import { abs, cmp, div, floorR, le, mul, ONE, ratioInt, ratioOf, sub, toNumber, ZERO } from './exact';
import { RiskInputError, requirePct, requirePositive } from './errors';
import { pct, plain, usd } from './format';

export type SizingInput = {
  /** Account equity in the account currency. */
  readonly equity: number;
  /** Expected entry price per unit. */
  readonly entry: number;
  /** Protective stop price: the trade is wrong there. Below the entry for a long, above for a short. */
  readonly stop: number;
  /** Fraction of equity that may be lost at the stop: 0.02 is 2%. */
  readonly riskPct: number;
  /** Fraction of equity the position may be worth at entry: 0.10 is 10%. */
  readonly notionalPct: number;
  /** Contract multiplier (100 for equity options, 50 for ES); 1 for shares. */
  readonly multiplier?: number;
  /** Quantity step; sizes are multiples of it (1 share, 0.0001 BTC). */
  readonly lot?: number;
  /** A strategy's confidence in [0, 1]; it can only shrink the risk budget, never grow it. */
  readonly riskMultiplier?: number;
  /** The trade's direction, when known: a stop on the wrong side of the entry is refused. */
  readonly side?: 'long' | 'short';
};

/** Which cap decided the size; 'zero' when not even one lot fits. */
export type SizeBound = 'risk' | 'notional' | 'both' | 'zero';

export type PositionSize = {
  readonly qty: number;
  /** Largest multiple of the lot within the risk cap (floor(riskBudget / riskPerUnit) for lot 1). */
  readonly byRisk: number;
  /** Largest multiple of the lot within the notional cap. */
  readonly byNotional: number;
  readonly bound: SizeBound;
  /** qty x entry x multiplier. */
  readonly notional: number;
  /** qty x |entry - stop| x multiplier: what is lost at the stop. */
  readonly riskDollars: number;
  readonly reason: string;
};

const fn = 'sizePosition';

export function sizePosition(input: SizingInput): PositionSize {
  const { equity, entry, stop, riskPct, notionalPct } = input;
  const multiplier = input.multiplier ?? 1;
  const lot = input.lot ?? 1;
  validate(input, multiplier, lot);
  const confidence = clampRiskMultiplier(input.riskMultiplier ?? 1);

  const equityR = ratioOf(equity);
  const lotR = ratioOf(lot);
  const unitCost = mul(ratioOf(entry), ratioOf(multiplier));
  const unitRisk = mul(abs(sub(ratioOf(entry), ratioOf(stop))), ratioOf(multiplier));
  const riskBudget = mul(mul(equityR, ratioOf(riskPct)), confidence);
  const notionalBudget = mul(equityR, ratioOf(notionalPct));

  const riskLots = floorR(div(riskBudget, mul(unitRisk, lotR)));
  const notionalLots = floorR(div(notionalBudget, mul(unitCost, lotR)));
  const lots = riskLots < notionalLots ? riskLots : notionalLots;
  const qtyR = mul(ratioInt(lots), lotR);

  // Postconditions: never above either cap, never negative, always on the lot grid.
  if (!(lots >= 0n)) throw new InvariantError(`${fn}: negative size ${lots} lots`);
  if (!le(mul(qtyR, unitCost), notionalBudget))
    throw new InvariantError(`${fn}: size exceeds the notional cap`);
  if (!le(mul(qtyR, unitRisk), riskBudget)) throw new InvariantError(`${fn}: size exceeds the risk cap`);

  const bound: SizeBound =
    lots === 0n ? 'zero' : riskLots === notionalLots ? 'both' : riskLots < notionalLots ? 'risk' : 'notional';
  const parts = {
    unit: unitName(multiplier, lot),
    lot,
    equityR,
    risk: {
      pctText: riskPctText(riskPct, confidence),
      budget: riskBudget,
      perUnit: unitRisk,
      lots: riskLots,
    },
    notional: {
      pctText: pct(ratioOf(notionalPct)),
      budget: notionalBudget,
      perUnit: unitCost,
      lots: notionalLots,
    },
    lotR,
    requestedConfidence: input.riskMultiplier ?? 1,
  };
  return {
    qty: toNumber(qtyR),
    byRisk: toNumber(mul(ratioInt(riskLots), lotR)),
    byNotional: toNumber(mul(ratioInt(notionalLots), lotR)),
    bound,
    notional: toNumber(mul(qtyR, unitCost)),
    riskDollars: toNumber(mul(qtyR, unitRisk)),
    reason: explain(bound, qtyR, parts),
  };
}

function validate(input: SizingInput, multiplier: number, lot: number): void {
  requirePositive(
    fn,
    'equity',
    input.equity,
    'size from the account equity in currency units; with no equity, no position may be opened',
  );
  requirePositive(
    fn,
    'entry',
    input.entry,
    'pass the expected entry price per unit (a limit or the last price), above 0',
  );
  if (!Number.isFinite(input.stop) || input.stop < 0) {
    throw new RiskInputError({
      fn,
      field: 'stop',
      value: input.stop,
      problem: 'must be a finite price >= 0',
      fix: 'pass the protective stop price',
    });
  }
  if (input.stop === input.entry) {
    throw new RiskInputError({
      fn,
      field: 'stop',
      value: input.stop,
      problem: `equals the entry ${input.entry}, so the risk per unit is zero and the risk cap allows any size`,
      fix: 'put the stop where the trade is wrong: below the entry for a long, above it for a short',
    });
  }
  // A long's stop above its entry is hit at once: |entry - stop| would size a trade already wrong.
  const wrongSide =
    (input.side === 'long' && input.stop > input.entry) ||
    (input.side === 'short' && input.stop < input.entry);
  if (wrongSide) {
    const long = input.side === 'long';
    throw new RiskInputError({
      fn,
      field: 'stop',
      value: input.stop,
      problem: `is ${long ? 'above' : 'below'} the entry ${input.entry}: a ${long ? 'long' : 'short'}'s stop is ${long ? 'below' : 'above'} its entry`,
      fix: long
        ? `put the stop below ${input.entry}, or size a short (sell) if that is the trade`
        : `put the stop above ${input.entry}, or size a long (buy) if that is the trade`,
    });
  }
  requirePct(fn, 'riskPct', input.riskPct);
  requirePct(fn, 'notionalPct', input.notionalPct);
  requirePositive(
    fn,
    'multiplier',
    multiplier,
    "use the instrument's contract multiplier: 1 for shares, 100 for equity options",
  );
  requirePositive(fn, 'lot', lot, "use the instrument's quantity step: 1 for shares, 0.0001 for some crypto");
}

/** Confidence can only shrink risk: above 1 is refused (a bug would grow every position), below 0 is 0. */
function clampRiskMultiplier(m: number): Ratio {
  if (Number.isNaN(m) || m > 1) {
    throw new RiskInputError({
      fn,
      field: 'riskMultiplier',
      value: m,
      problem: 'must be in [0, 1]: a confidence multiplier may only shrink the risk budget',
      fix: 'pass 1 for full size or a smaller fraction for less conviction; to risk more, change riskPct in the config',
    });
  }
  return m <= 0 ? ZERO : ratioOf(m);
}

function riskPctText(riskPct: number, confidence: Ratio): string {
  return cmp(confidence, ONE) === 0
    ? pct(ratioOf(riskPct))
    : `${pct(ratioOf(riskPct))} x ${plain(confidence, 4)}`;
}

function unitName(multiplier: number, lot: number): string {
  if (multiplier !== 1) return 'contracts';
  return Number.isInteger(lot) ? 'shares' : 'units';
}

type CapParts = { pctText: string; budget: Ratio; perUnit: Ratio; lots: bigint };

function explain(
  bound: SizeBound,
  qty: Ratio,
  p: {
    unit: string;
    lot: number;
    lotR: Ratio;
    equityR: Ratio;
    risk: CapParts;
    notional: CapParts;
    requestedConfidence: number;
  },
): string {
  const perUnit = p.unit === 'contracts' ? 'contract' : p.unit === 'shares' ? 'share' : 'unit';
  const lotNote = p.lot === 1 ? '' : ` (lots of ${p.lot})`;
  const cap = (name: string, c: CapParts, what: string) =>
    `${name} cap ${c.pctText} of ${usd(p.equityR)} = ${usd(c.budget)} / ${usd(c.perUnit, 2)} ${what} per ${perUnit}` +
    ` -> ${plain(mul(ratioInt(c.lots), p.lotR))}${lotNote}`;
  const riskText = cap('risk', p.risk, 'at risk');
  const notionalText = cap('notional', p.notional, 'cost');
  const clampNote = p.requestedConfidence < 0 ? `; riskMultiplier ${p.requestedConfidence} clamped to 0` : '';
  const head = `${plain(qty)} ${p.unit}`;
  switch (bound) {
    case 'notional':
      return `${head}, bound by the notional cap: ${notionalText}; ${riskText}${clampNote}`;
    case 'risk':
      return `${head}, bound by the risk cap: ${riskText}; ${notionalText}${clampNote}`;
    case 'both':
      return `${head}, bound by both caps: ${riskText}; ${notionalText}${clampNote}`;
    case 'zero': {
      const blocked =
        p.risk.lots === 0n && p.notional.lots === 0n
          ? 'neither cap allows'
          : p.risk.lots === 0n
            ? 'the risk cap does not allow'
            : 'the notional cap does not allow';
      return `0 ${p.unit}: ${blocked} one lot of ${p.lot}: ${riskText}; ${notionalText}${clampNote}`;
    }
  }
}
