import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertTick, ceilToTick, floorToTick, roundToTick } from './tick';

describe('tick grid', () => {
  it('rounds, floors and ceils to clean decimals', () => {
    expect(roundToTick(683.3800000001, 0.01)).toBe(683.38);
    expect(roundToTick(0.1 + 0.2, 0.01)).toBe(0.3);
    expect(floorToTick(0.3, 0.01)).toBe(0.3); // 0.3 / 0.01 is 29.999999999999996 in floats
    expect(ceilToTick(0.3, 0.01)).toBe(0.3);
    expect(floorToTick(3.07, 0.05)).toBe(3.05);
    expect(ceilToTick(3.01, 0.05)).toBe(3.05);
    expect(roundToTick(1.125, 0.25)).toBe(1.25);
    expect(roundToTick(-0.001, 0.01)).toBe(0);
    expect(Object.is(roundToTick(-0.001, 0.01), -0)).toBe(false);
  });

  it('gives the same double as formatting to the tick decimals and reading it back', () => {
    const ticks = [
      [0.01, 2],
      [0.05, 2],
      [0.1, 1],
      [0.25, 2],
      [0.5, 1],
      [1, 0],
      [0.001, 3],
      [0.0001, 4],
      [0.00001, 5],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...ticks),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        ([tick, d], price) => {
          const byText = Number((Math.round(price / tick) * tick).toFixed(d));
          expect(roundToTick(price, tick)).toBe(byText === 0 ? 0 : byText);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('rejects ticks that are not ticks', () => {
    expect(() => assertTick(0)).toThrow();
    expect(() => assertTick(-0.01)).toThrow();
    expect(() => assertTick(Math.PI)).toThrow();
    expect(() => assertTick(0.05)).not.toThrow();
  });
});
