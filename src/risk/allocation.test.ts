import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateSignals, budgetOf, type Signal } from './allocation';
import { RiskInputError } from './errors';

const signals = (n: number): Signal[] =>
  Array.from({ length: n }, (_, i) => ({ id: `S${i + 1}`, score: 90 - i }));
// The table assumes every A+ signal may execute: executeMax and watchlistSize out of the way.
const open = { threshold: 70, watchlistSize: 10, executeMax: 10 } as const;

describe('allocateSignals: the incident table (max 10% a position, 20% a day, 5% floor)', () => {
  it.each([
    { n: 1, executed: 1, each: { num: 1, den: 10 }, approx: 0.1 },
    { n: 2, executed: 2, each: { num: 1, den: 10 }, approx: 0.1 },
    { n: 3, executed: 3, each: { num: 1, den: 15 }, approx: 0.2 / 3 }, // 6.67%, exactly 0.2 / 3
    { n: 4, executed: 4, each: { num: 1, den: 20 }, approx: 0.05 },
    { n: 5, executed: 4, each: { num: 1, den: 20 }, approx: 0.05 }, // 20%/5 = 4% < floor: execute 4
    { n: 8, executed: 4, each: { num: 1, den: 20 }, approx: 0.05 },
  ])('$n A+ signals -> $executed executed at $approx each', ({ n, executed, each, approx }) => {
    const a = allocateSignals({ ...open, signals: signals(n) });
    expect(a.executed).toHaveLength(executed);
    for (const e of a.executed) {
      expect(e.pct).toEqual(each);
      expect(e.pctApprox).toBeCloseTo(approx, 15);
    }
    expect(a.totalPct.num / a.totalPct.den).toBeLessThanOrEqual(0.2);
    expect(a.skipped.map((s) => s.reason)).toEqual(Array(n - executed).fill('below-floor'));
  });

  it('turns 0.2/3 into money by rounding DOWN to the micro: three budgets never sum past 20%', () => {
    const a = allocateSignals({ ...open, signals: signals(3), equity: 100_000 });
    expect(a.executed.map((e) => e.budget)).toEqual([6_666_666_666, 6_666_666_666, 6_666_666_666]); // $6,666.666666
    expect(3 * 6_666_666_666).toBeLessThanOrEqual(20_000_000_000);
    expect(budgetOf({ num: 1, den: 15 }, 105_000)).toBe(7_000_000_000); // exact when it divides
  });

  it('explains why the fifth signal does not execute', () => {
    const a = allocateSignals({ ...open, signals: signals(5) });
    expect(a.skipped).toEqual([
      {
        id: 'S5',
        score: 86,
        rank: 5,
        reason: 'below-floor',
        message:
          'S5 ranks 5: splitting the 20% daily budget 5 ways would go below the 5% floor; at most 4 positions execute',
      },
    ]);
  });
});

describe('allocateSignals: watchlist and execution', () => {
  const scan: Signal[] = [
    { id: 'TSLA', score: 82 },
    { id: 'PLTR', score: 91 },
    { id: 'AMD', score: 82 },
    { id: 'NVDA', score: 75 },
    { id: 'META', score: 70 },
    { id: 'AAPL', score: 71 },
    { id: 'MSFT', score: 69.9 },
    { id: 'COIN', score: 40 },
  ];

  it('keeps the top K at or above the threshold, breaks ties by id, executes the best M', () => {
    const a = allocateSignals({
      signals: scan,
      threshold: 70,
      watchlistSize: 5,
      executeMax: 2,
      equity: 105_000,
    });
    expect(a.watchlist.map((s) => `${s.rank}:${s.id}`)).toEqual([
      '1:PLTR',
      '2:AMD',
      '3:TSLA',
      '4:NVDA',
      '5:AAPL',
    ]);
    expect(a.executed.map((e) => [e.id, e.pct, e.budget])).toEqual([
      ['PLTR', { num: 1, den: 10 }, 10_500_000_000],
      ['AMD', { num: 1, den: 10 }, 10_500_000_000],
    ]);
    expect(a.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['TSLA', 'beyond-execute-max'],
      ['NVDA', 'beyond-execute-max'],
      ['AAPL', 'beyond-execute-max'],
      ['META', 'outside-watchlist'],
      ['MSFT', 'below-threshold'],
      ['COIN', 'below-threshold'],
    ]);
    expect(a.skipped.find((s) => s.id === 'META')?.message).toBe(
      'META ranks 6 among eligible signals; the watchlist keeps the top 5',
    );
    expect(a.skipped.find((s) => s.id === 'MSFT')?.message).toBe('MSFT scores 69.9, below the threshold 70');
  });

  it('gives the same answer whatever order the signals arrive in', () => {
    const a = allocateSignals({ signals: scan, threshold: 70, watchlistSize: 5, executeMax: 3 });
    const b = allocateSignals({
      signals: [...scan].reverse(),
      threshold: 70,
      watchlistSize: 5,
      executeMax: 3,
    });
    expect(b).toEqual(a);
  });

  it('executes nothing when no signal reaches the threshold', () => {
    const a = allocateSignals({
      signals: [{ id: 'X', score: 10 }],
      threshold: 70,
      watchlistSize: 5,
      executeMax: 2,
    });
    expect(a.executed).toEqual([]);
    expect(a.totalPct).toEqual({ num: 0, den: 1 });
  });

  it.each([
    { field: 'floorPct', input: { floorPct: 0.15 } },
    { field: 'dailyPct', input: { dailyPct: 1.2 } },
    { field: 'executeMax', input: { executeMax: 0 } },
    { field: 'watchlistSize', input: { watchlistSize: 1.5 } },
    {
      field: 'signals',
      input: {
        signals: [
          { id: 'A', score: 80 },
          { id: 'A', score: 75 },
        ],
      },
    },
  ])('refuses a bad $field', ({ field, input }) => {
    const run = () => allocateSignals({ ...open, signals: signals(2), ...input });
    expect(run).toThrow(RiskInputError);
    expect(run).toThrow(field);
  });
});

describe('allocateSignals: properties', () => {
  const input = fc.record({
    signals: fc.uniqueArray(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), score: fc.integer({ min: 0, max: 100 }) }),
      {
        selector: (s) => s.id,
        maxLength: 30,
      },
    ),
    threshold: fc.integer({ min: 0, max: 100 }),
    watchlistSize: fc.integer({ min: 1, max: 12 }),
    executeMax: fc.integer({ min: 1, max: 12 }),
    maxPositionBp: fc.integer({ min: 100, max: 3_000 }),
    dailyBp: fc.integer({ min: 100, max: 5_000 }),
    floorBp: fc.integer({ min: 1, max: 1_000 }),
  });

  it('never exceeds the daily cap or a position cap, never goes below the floor, and accounts for every signal', () => {
    fc.assert(
      fc.property(input, (r) => {
        fc.pre(r.floorBp <= r.maxPositionBp && r.floorBp <= r.dailyBp);
        const a = allocateSignals({
          signals: r.signals,
          threshold: r.threshold,
          watchlistSize: r.watchlistSize,
          executeMax: r.executeMax,
          maxPositionPct: r.maxPositionBp / 10_000,
          dailyPct: r.dailyBp / 10_000,
          floorPct: r.floorBp / 10_000,
        });
        // Exact: pct = num/den; compare num x 10^4 against bp x den.
        let totalBpNum = 0;
        for (const e of a.executed) {
          expect(e.pct.num * 10_000).toBeLessThanOrEqual(r.maxPositionBp * e.pct.den);
          expect(e.pct.num * 10_000).toBeGreaterThanOrEqual(r.floorBp * e.pct.den);
          totalBpNum += (e.pct.num * 10_000) / e.pct.den;
        }
        expect(a.totalPct.num * 10_000).toBeLessThanOrEqual(r.dailyBp * a.totalPct.den);
        expect(totalBpNum).toBeLessThanOrEqual(r.dailyBp + 1e-9);
        expect(a.executed.length).toBeLessThanOrEqual(Math.min(r.executeMax, r.watchlistSize));
        expect(a.watchlist.every((w) => w.score >= r.threshold)).toBe(true);
        const ids = [...a.executed, ...a.skipped].map((s) => s.id).sort();
        expect(ids).toEqual(r.signals.map((s) => s.id).sort());
      }),
      { numRuns: 1000 },
    );
  });
});
