import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskInputError } from './errors';
import {
  equityNotional,
  exposureOf,
  futuresNotional,
  ironCondorMaxLoss,
  maxLossOfOptionStructure,
  type OptionLeg,
  verticalSpreadMaxLoss,
} from './exposure';

const ic = (put: [number, number], call: [number, number], n = 1): OptionLeg[] => [
  { strike: put[0], right: 'P', qty: n },
  { strike: put[1], right: 'P', qty: -n },
  { strike: call[0], right: 'C', qty: -n },
  { strike: call[1], right: 'C', qty: n },
];

describe('equities and futures: notional', () => {
  it('PLTR 291 @ 170.77 is $49,694.07 of exposure; TSLA 76 @ 443.18 is $33,681.68', () => {
    expect(equityNotional(291, 170.77)).toBe(49_694.07);
    expect(equityNotional(76, 443.18)).toBe(33_681.68);
    expect(exposureOf({ kind: 'equity', qty: 291, price: 170.77 })).toEqual({
      kind: 'bounded',
      micros: 49_694_070_000,
      basis: 'notional 291 @ 170.77 = $49,694.07',
    });
  });

  it('a short equity position has the same notional', () => {
    expect(equityNotional(-100, 50)).toBe(5_000);
  });

  it('futures count their notional at the entry price: leverage does not shrink exposure', () => {
    // 2 BTC perpetual at 60,000 on 10x leverage posts $12,000 margin and still risks $120,000.
    expect(futuresNotional(2, 60_000, 1)).toBe(120_000);
    expect(futuresNotional(-3, 5_000, 50)).toBe(750_000);
    const e = exposureOf({ kind: 'future', qty: 1, entryPrice: 5_012.25, multiplier: 50 });
    expect(e).toMatchObject({ kind: 'bounded', micros: 250_612_500_000 });
  });

  it('rounds exposure up to the micro, never down', () => {
    expect(exposureOf({ kind: 'equity', qty: 3, price: 0.0000001 })).toMatchObject({ micros: 1 });
  });
});

describe('defined-risk option structures', () => {
  it.each([
    {
      name: 'put credit spread 95/90 for 1.20',
      legs: [
        { strike: 95, right: 'P', qty: -1 },
        { strike: 90, right: 'P', qty: 1 },
      ],
      credit: 1.2,
      loss: 380,
    },
    {
      name: 'call credit spread 105/110 for 0.85',
      legs: [
        { strike: 105, right: 'C', qty: -1 },
        { strike: 110, right: 'C', qty: 1 },
      ],
      credit: 0.85,
      loss: 415,
    },
    { name: 'iron condor 90/95 105/110 for 1.20', legs: ic([90, 95], [105, 110]), credit: 1.2, loss: 380 },
    {
      name: 'iron condor, wider call side 90/95 105/115',
      legs: ic([90, 95], [105, 115]),
      credit: 1.2,
      loss: 880,
    },
    {
      name: 'iron condor x3 (credit for all legs 3.60)',
      legs: ic([90, 95], [105, 110], 3),
      credit: 3.6,
      loss: 1_140,
    },
    { name: 'XSP 0DTE condor 1-wide for 0.31', legs: ic([580, 581], [590, 591]), credit: 0.31, loss: 69 },
    {
      name: 'call debit spread 100/105 for 2.10',
      legs: [
        { strike: 100, right: 'C', qty: 1 },
        { strike: 105, right: 'C', qty: -1 },
      ],
      credit: -2.1,
      loss: 210,
    },
    { name: 'long put for 3.00', legs: [{ strike: 100, right: 'P', qty: 1 }], credit: -3, loss: 300 },
    {
      name: 'long butterfly 95/100/105 for 1.50',
      legs: [
        { strike: 95, right: 'C', qty: 1 },
        { strike: 100, right: 'C', qty: -2 },
        { strike: 105, right: 'C', qty: 1 },
      ],
      credit: -1.5,
      loss: 150,
    },
    {
      name: 'iron butterfly 95/100/100/105 for 3.40',
      legs: ic([95, 100], [100, 105]),
      credit: 3.4,
      loss: 160,
    },
  ] as { name: string; legs: OptionLeg[]; credit: number; loss: number }[])(
    '$name: max loss $loss',
    ({ legs, credit, loss }) => {
      expect(maxLossOfOptionStructure(legs, credit, 100)).toBe(loss);
    },
  );

  it('the condor formula takes the wider side once: only one side can lose at expiry', () => {
    expect(ironCondorMaxLoss({ putWidth: 5, callWidth: 5, credit: 1.2, multiplier: 100, qty: 1 })).toBe(380);
    expect(ironCondorMaxLoss({ putWidth: 5, callWidth: 10, credit: 1.2, multiplier: 100, qty: 2 })).toBe(
      1_760,
    );
    expect(verticalSpreadMaxLoss({ width: 5, credit: 1.2, multiplier: 100, qty: 3 })).toBe(1_140);
  });

  it('says where the worst case is', () => {
    const e = exposureOf({
      kind: 'option-structure',
      legs: ic([90, 95], [105, 115]),
      netCredit: 1.2,
      multiplier: 100,
    });
    expect(e).toEqual({
      kind: 'bounded',
      micros: 880_000_000,
      basis: 'max loss at expiry $880.00 (underlying at 115)',
    });
  });

  it.each([
    { name: 'naked short call', legs: [{ strike: 105, right: 'C', qty: -1 }] },
    {
      name: 'call ratio spread 1x2',
      legs: [
        { strike: 100, right: 'C', qty: 1 },
        { strike: 105, right: 'C', qty: -2 },
      ],
    },
    { name: 'condor whose long call leg failed to fill', legs: ic([90, 95], [105, 110]).slice(0, 3) },
    { name: 'naked short put', legs: [{ strike: 95, right: 'P', qty: -1 }] },
    { name: 'condor whose long put leg failed to fill', legs: ic([90, 95], [105, 110]).slice(1) },
  ] as { name: string; legs: OptionLeg[] }[])('$name is undefined risk: Infinity', ({ legs }) => {
    expect(maxLossOfOptionStructure(legs, 1, 100)).toBe(Infinity);
    expect(exposureOf({ kind: 'option-structure', legs, netCredit: 1, multiplier: 100 }).kind).toBe(
      'unbounded',
    );
  });

  it.each([
    { name: 'no legs', run: () => maxLossOfOptionStructure([], 1, 100), field: 'legs' },
    {
      name: 'zero qty',
      run: () => maxLossOfOptionStructure([{ strike: 5, right: 'C', qty: 0 }], 1, 100),
      field: 'legs[0].qty',
    },
    {
      name: 'strike 0',
      run: () => maxLossOfOptionStructure([{ strike: 0, right: 'C', qty: 1 }], 1, 100),
      field: 'legs[0].strike',
    },
    {
      name: 'credit as large as the width',
      run: () => verticalSpreadMaxLoss({ width: 5, credit: 5, multiplier: 100, qty: 1 }),
      field: 'credit',
    },
    { name: 'equity price 0', run: () => equityNotional(10, 0), field: 'price' },
  ])('refuses $name naming $field', ({ run, field }) => {
    expect(run).toThrow(RiskInputError);
    expect(run).toThrow(field);
  });
});

// Strikes on a 0.5 grid, premiums in cents: the brute-force grid below hits every strike exactly.
const leg = fc.record({
  strike: fc.integer({ min: 2, max: 60 }).map((h) => h / 2),
  right: fc.constantFrom<'C' | 'P'>('C', 'P'),
  qty: fc.integer({ min: -3, max: 3 }).filter((q) => q !== 0),
});
const structure = fc.record({
  legs: fc.array(leg, { minLength: 1, maxLength: 6 }),
  creditCents: fc.integer({ min: -2_000, max: 2_000 }),
});

function payoff(legs: readonly OptionLeg[], credit: number, s: number): number {
  return legs.reduce(
    (v, l) => v + l.qty * Math.max(0, l.right === 'C' ? s - l.strike : l.strike - s),
    credit,
  );
}

describe('maxLossOfOptionStructure: properties', () => {
  it('equals the worst payoff over a fine grid of underlying prices (bounded structures)', () => {
    fc.assert(
      fc.property(structure, ({ legs, creditCents }) => {
        const credit = creditCents / 100;
        const loss = maxLossOfOptionStructure(legs, credit, 1);
        const net = (r: 'C' | 'P') => legs.filter((l) => l.right === r).reduce((a, l) => a + l.qty, 0);
        if (net('C') < 0 || net('P') < 0) {
          expect(loss).toBe(Infinity);
          return;
        }
        let worst = Infinity;
        for (let s = 0; s <= 80; s += 0.25) worst = Math.min(worst, payoff(legs, credit, s));
        expect(loss).toBeCloseTo(Math.max(0, -worst), 9);
      }),
      { numRuns: 1000 },
    );
  });

  it('scales with the quantity and the multiplier', () => {
    fc.assert(
      fc.property(structure, fc.integer({ min: 1, max: 10 }), ({ legs, creditCents }, k) => {
        const one = maxLossOfOptionStructure(legs, creditCents / 100, 100);
        const scaled = legs.map((l) => ({ ...l, qty: l.qty * k }));
        const many = maxLossOfOptionStructure(scaled, (creditCents * k) / 100, 100);
        if (one === Infinity) expect(many).toBe(Infinity);
        else expect(many).toBeCloseTo(one * k, 6);
      }),
    );
  });

  it('agrees with the condor formula for every condor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 5 }),
        (low, putWidth, gap, callWidth, creditPctOfNarrow, qty) => {
          const credit = Math.round(Math.min(putWidth, callWidth) * creditPctOfNarrow) / 100;
          const legs = ic(
            [low, low + putWidth],
            [low + putWidth + gap, low + putWidth + gap + callWidth],
            qty,
          );
          const general = maxLossOfOptionStructure(legs, credit * qty, 100);
          expect(general).toBeCloseTo(
            ironCondorMaxLoss({ putWidth, callWidth, credit, multiplier: 100, qty }),
            6,
          );
        },
      ),
    );
  });
});
