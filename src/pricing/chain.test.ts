import { describe, expect, it } from 'vitest';
import { strikeNearestDelta } from './chain';

const chain = {
  strikes: [670, 671, 672, 690, 691, 692, 680],
  deltas: [-0.08, -0.1, -0.12, 0.13, 0.103, 0.09, NaN],
  isCall: [0, 0, 0, 1, 1, 1, 1],
};

describe('strikeNearestDelta', () => {
  it('picks the strike of the right whose |delta| is nearest the target', () => {
    expect(strikeNearestDelta(chain, 'P', 0.1)).toEqual({ index: 1, strike: 671, delta: -0.1 });
    expect(strikeNearestDelta(chain, 'C', 0.1)).toEqual({ index: 4, strike: 691, delta: 0.103 });
    expect(strikeNearestDelta(chain, 'C', 0.2)?.strike).toBe(690);
  });

  it('breaks a tie toward the smaller |delta| (further out of the money)', () => {
    const tie = {
      strikes: Float64Array.of(671, 672),
      deltas: Float64Array.of(-0.375, -0.625),
      isCall: Uint8Array.of(0, 0),
    };
    expect(strikeNearestDelta(tie, 'P', 0.5)?.strike).toBe(671); // exact binary tie
    const tieReversed = { strikes: [672, 671], deltas: [-0.625, -0.375], isCall: [0, 0] };
    expect(strikeNearestDelta(tieReversed, 'P', 0.5)?.strike).toBe(671);
  });

  it('returns null when there is no option of that right with a delta', () => {
    expect(strikeNearestDelta({ strikes: [680], deltas: [NaN], isCall: [1] }, 'C', 0.1)).toBeNull();
    expect(strikeNearestDelta({ strikes: [680], deltas: [0.5], isCall: [1] }, 'P', 0.1)).toBeNull();
  });

  it('rejects a target that is not a delta', () => {
    expect(() => strikeNearestDelta(chain, 'P', -0.1)).toThrow();
    expect(() => strikeNearestDelta(chain, 'P', 1.5)).toThrow();
  });
});
