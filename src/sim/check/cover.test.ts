import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyKey, uncoveredShorts, type Holding } from './cover';
import { equity, option } from '../../../test/support/venue-log-builder';

const call = (strike: number, qty: number, terms: Parameters<typeof option>[3] = {}): Holding => ({
  instrument: option(
    `${terms.symbol ?? ''}${terms.expiry ?? ''}${terms.multiplier ?? ''}${strike}C`,
    strike,
    'C',
    terms,
  ),
  qty,
});
const put = (strike: number, qty: number): Holding => ({
  instrument: option(`${strike}P`, strike, 'P'),
  qty,
});
const uncovered = (holdings: Holding[]) => uncoveredShorts(holdings).map((u) => [u.instrument.id, u.qty]);

describe('uncoveredShorts', () => {
  it('an iron condor is covered on both sides', () => {
    expect(uncovered([put(671, 1), put(672, -1), call(692, -1), call(693, 1)])).toEqual([]);
  });

  it('a short call needs a long call at or above it; a short put a long put at or below it', () => {
    expect(uncovered([call(692, -1), call(691, 1)])).toEqual([['692C', 1]]);
    expect(uncovered([put(672, -1), put(673, 1)])).toEqual([['672P', 1]]);
    expect(uncovered([call(692, -1), { instrument: option('692C-b', 692, 'C'), qty: 1 }])).toEqual([]);
  });

  it('contract for contract: two shorts need two longs', () => {
    expect(uncovered([call(692, -2), call(693, 1)])).toEqual([['692C', 1]]);
  });

  it('a long covers only its own family: same symbol, expiry, right and multiplier', () => {
    expect(uncovered([call(692, -1), put(693, 1)])).toEqual([['692C', 1]]);
    expect(uncovered([call(692, -1), call(693, 1, { expiry: '2026-02-20' })])).toEqual([['692C', 1]]);
    expect(uncovered([call(692, -1), call(693, 1, { symbol: 'SPX' })])).toEqual([['692C', 1]]);
    expect(uncovered([call(692, -1), call(693, 1, { multiplier: 10 })])).toEqual([['692C', 1]]);
  });

  it('serves the most constrained short first (a naive low-to-high match would strand 694C)', () => {
    expect(uncovered([call(692, -1), call(694, -1), call(695, 1), call(693, 1)])).toEqual([]);
    expect(uncovered([put(674, -1), put(672, -1), put(671, 1), put(673, 1)])).toEqual([]);
  });

  it('ignores everything that is not an option', () => {
    expect(uncoveredShorts([{ instrument: equity(1, 'PLTR'), qty: -291 }])).toEqual([]);
    expect(familyKey(equity(1, 'PLTR'))).toBeNull();
  });
});

/** Brute force: the most shorts (one contract each) that any assignment of distinct longs covers. */
function maxCovered(
  shorts: readonly number[],
  longs: readonly number[],
  covers: (long: number, short: number) => boolean,
): number {
  const memo = new Map<string, number>();
  const best = (i: number, used: number): number => {
    if (i === shorts.length) return 0;
    const key = `${i}:${used}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result = best(i + 1, used); // leave this short uncovered
    longs.forEach((long, j) => {
      const short = shorts[i];
      if ((used & (1 << j)) === 0 && short !== undefined && covers(long, short)) {
        result = Math.max(result, 1 + best(i + 1, used | (1 << j)));
      }
    });
    memo.set(key, result);
    return result;
  };
  return best(0, 0);
}

const unitsOf = (holdings: readonly Holding[], sign: 1 | -1): number[] =>
  holdings.flatMap((h) =>
    Math.sign(h.qty) === sign ? Array<number>(Math.abs(h.qty)).fill(h.instrument.strike ?? 0) : [],
  );

const familyArb = fc.constantFrom('C' as const, 'P' as const).chain((right) =>
  fc
    .array(
      fc.record({
        strike: fc.integer({ min: 1, max: 5 }),
        copy: fc.integer({ min: 0, max: 1 }),
        qty: fc.integer({ min: -3, max: 3 }),
      }),
      {
        maxLength: 6,
      },
    )
    .map((rows) => {
      const byId = new Map<string, Holding>();
      for (const r of rows) {
        const id = `${r.strike}${right}#${r.copy}`;
        byId.set(id, { instrument: option(id, r.strike, right), qty: r.qty });
      }
      return { right, holdings: [...byId.values()] };
    })
    .filter(({ holdings }) => unitsOf(holdings, -1).length <= 7 && unitsOf(holdings, 1).length <= 7),
);

describe('uncoveredShorts against a brute-force matcher', () => {
  it('leaves exactly as many contracts uncovered as the best possible matching', () => {
    fc.assert(
      fc.property(familyArb, ({ right, holdings }) => {
        const covers = right === 'C' ? (l: number, s: number) => l >= s : (l: number, s: number) => l <= s;
        const shorts = unitsOf(holdings, -1);
        const longs = unitsOf(holdings, 1);
        const left = uncoveredShorts(holdings);
        const leftTotal = left.reduce((sum, u) => sum + u.qty, 0);
        expect(leftTotal).toBe(shorts.length - maxCovered(shorts, longs, covers));
        // And what it calls covered really is: the remaining shorts can all be matched.
        const remaining = holdings.map((h) => {
          const u = left.find((x) => x.instrument.id === h.instrument.id);
          expect(u === undefined || (h.qty < 0 && u.qty <= -h.qty)).toBe(true);
          return { ...h, qty: h.qty + (u?.qty ?? 0) };
        });
        const remainingShorts = unitsOf(remaining, -1);
        expect(maxCovered(remainingShorts, longs, covers)).toBe(remainingShorts.length);
      }),
      { numRuns: 500 },
    );
  });
});
