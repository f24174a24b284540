import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qtyAdd, qtyMul, qtySub, roundToLot, roundToTick } from './quantity';

/** What the grid functions gave when every result went through formatting to its decimals. */
const byText = (v: number, decimals: number) => {
  const r = Number(v.toFixed(decimals));
  return r === 0 ? 0 : r;
};

describe('quantities on a decimal grid', () => {
  it('add, subtract and multiply to the same doubles as formatting to 8 decimals and reading back', () => {
    const lot = fc.constantFrom(0.0001, 0.001, 0.01, 0.05, 0.1, 1);
    fc.assert(
      fc.property(
        lot,
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        (l, a, b) => {
          const x = a * l;
          const y = b * l;
          expect(qtyAdd(x, y)).toBe(byText(x + y, 8));
          expect(qtySub(x, y)).toBe(byText(x - y, 8));
          expect(qtyMul(x, 3)).toBe(byText(x * 3, 8));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('rounds arbitrary doubles as formatting did, including ones far from the grid', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        (x, y) => {
          expect(qtyAdd(x, y)).toBe(byText(x + y, 8));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('rounds prices to the tick and sizes down to the lot, with clean decimals', () => {
    expect(roundToTick(170.774, 0.01)).toBe(170.77);
    expect(roundToTick(170.775, 0.05, 'down')).toBe(170.75);
    expect(roundToTick(170.751, 0.05, 'up')).toBe(170.8);
    expect(roundToLot(0.12345, 0.001)).toBe(0.123);
    expect(roundToLot(-0.12345, 0.001)).toBe(-0.123);
    expect(qtyAdd(0.1, 0.2)).toBe(0.3);
    expect(Object.is(qtySub(0.3, 0.3), -0)).toBe(false);
  });
});
