// Price files: bad lines refused naming the line and the column; paths through the bars that hit
// every open, high, low and close on the step grid, stay inside each bar, and repeat per seed.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../domain/rng';
import { barPriceAt, impliedVolAt, parsePriceBars, type PriceBars } from './price-file';
import { createPricePath, type BarInterpolation } from './price-path';

const START = Date.UTC(2026, 1, 13, 14, 30); // 09:30 New York
const STEP_MS = 5_000;
const MIN = 60_000;

const header = 'timestamp,open,high,low,close,volume,iv';
const good = [
  header,
  '2026-02-13T09:30:00-05:00,100,101,99.5,100.5,1000,0.20',
  '2026-02-13T09:31:00-05:00,100.5,100.6,98,98.2,1500,0.25',
  '2026-02-13T09:32:00-05:00,98.2,99,98.1,98.9,900,0.22',
  // 09:33-09:39 missing: the market was closed (a halt); the close holds until 09:40.
  '2026-02-13T09:40:00-05:00,97,97.5,96.5,97.4,700,0.30',
].join('\n');

function bars(text = good): PriceBars {
  const r = parsePriceBars(text, 'prices.csv');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.bars;
}

function walk(
  b: PriceBars,
  interpolation: BarInterpolation,
  seed: number,
  untilMs: number,
): [number, number][] {
  const path = createPricePath(
    { kind: 'bars', spot: barPriceAt(b, START), bars: b, interpolation, stepMs: STEP_MS },
    seededRng(seed),
    START,
  );
  const out: [number, number][] = [[START, path.price]];
  for (let t = START + STEP_MS; t <= untilMs; t += STEP_MS) out.push([t, path.advanceTo(t)]);
  return out;
}

describe('price file: reading', () => {
  it('reads bars with their zone, in any column order, and the bar length', () => {
    const b = bars();
    expect(b.t).toEqual([START, START + MIN, START + 2 * MIN, START + 10 * MIN]);
    expect(b.barMs).toBe(MIN);
    expect(b.iv).toEqual([0.2, 0.25, 0.22, 0.3]);
    const reordered = bars(
      'Close,Open,Low,High,Volume,Date\n100.5,100,99.5,101,1000,2026-02-13T14:30:00Z\n101,100.5,100,101.5,5,2026-02-13 14:31:00Z\n',
    );
    expect(reordered.t).toEqual([START, START + MIN]);
    expect(reordered.open).toEqual([100, 100.5]);
    expect(reordered.iv).toBeNull();
  });

  it('refuses a bad file naming the line, the column and the fix', () => {
    const errors = (text: string) => {
      const r = parsePriceBars(text, 'prices.csv');
      return r.ok ? [] : r.errors;
    };
    expect(errors('time,open,high,low,close\n')).toEqual([
      "prices.csv line 1: the header needs the columns timestamp, open, high, low, close, volume (and iv for options' implied vol); missing volume, got 'time,open,high,low,close'",
    ]);
    expect(errors(`${header}\n2026-02-13T09:30:00,100,101,99,100,1,0.2`)).toEqual([
      "prices.csv line 2, column 1 (timestamp): expected an ISO 8601 time with its zone offset, e.g. 2026-02-13T09:30:00-05:00 or 2026-02-13T14:30:00Z, got '2026-02-13T09:30:00'",
    ]);
    expect(errors(`${header}\n# a comment\n2026-02-13T09:30:00-05:00,100,99.9,99,100,1,0.2`)).toEqual([
      "prices.csv line 3, column 3 (high): high 99.9 is below the bar's open, close or low (100, 100, 99)",
    ]);
    expect(errors(`${header}\n2026-02-13T09:30:00-05:00,100,101,100.2,100.5,1,0.2`)).toEqual([
      "prices.csv line 2, column 4 (low): low 100.2 is above the bar's open or close (100, 100.5)",
    ]);
    expect(errors(`${header}\n2026-02-13T09:30:00-05:00,100,101,99,abc,1,21`)).toEqual([
      "prices.csv line 2, column 5 (close): expected a positive price, got 'abc'",
      "prices.csv line 2, column 7 (iv): expected an annualised implied vol as a fraction in (0, 5] (0.21 for 21%), got '21'",
    ]);
    expect(
      errors(
        `${header}\n2026-02-13T09:31:00-05:00,100,101,99,100,1,0.2\n2026-02-13T09:30:00-05:00,100,101,99,100,1,0.2`,
      ),
    ).toEqual([
      "prices.csv line 3, column 1 (timestamp): 2026-02-13T09:30:00-05:00 is not after the previous bar's time: bars must be in time order, one per timestamp",
    ]);
    expect(errors(`${header}\n2026-02-13T09:30:00-05:00,100,101,99,100`)).toEqual([
      'prices.csv line 2: 5 fields where the header (line 1) has 7',
    ]);
    expect(errors(header)).toEqual([
      'prices.csv: no bars; the file needs a header (timestamp,open,high,low,close,volume) and a line per bar',
    ]);
  });

  it('gives the implied vol of the bar the clock is in', () => {
    const b = bars();
    expect(impliedVolAt(b, START + 30_000)).toBe(0.2);
    expect(impliedVolAt(b, START + MIN)).toBe(0.25);
    expect(impliedVolAt(b, START + 5 * MIN)).toBe(0.22);
    expect(impliedVolAt(b, START - 1)).toBe(0.2);
  });
});

describe('price file: the path through the bars', () => {
  for (const interpolation of ['bridge', 'linear'] as const) {
    it(`${interpolation}: opens and closes each bar on its prices, touches its high and low, stays inside it`, () => {
      const b = bars();
      const path = walk(b, interpolation, 7, START + 12 * MIN);
      const at = (t: number) => path.find(([s]) => s === t)?.[1];
      for (let i = 0; i < b.t.length; i++) {
        const t0 = b.t[i] as number;
        expect(at(t0)).toBe(b.open[i]);
        const inside = path.filter(([t]) => t > t0 && t < t0 + MIN).map(([, p]) => p);
        expect(Math.max(...inside)).toBe(b.high[i]);
        expect(Math.min(...inside)).toBe(b.low[i]);
        // The close is reached at the bar's end; the next bar's open takes over at that instant.
        if (i === 2) expect(at(t0 + MIN)).toBe(b.close[i]);
      }
      // 09:33 to 09:39:55: the market is closed, the last close holds.
      const gap = path.filter(([t]) => t >= START + 3 * MIN && t < START + 10 * MIN).map(([, p]) => p);
      expect(new Set(gap)).toEqual(new Set([98.9]));
      // After the last bar: its close, flat.
      expect(at(START + 12 * MIN)).toBe(97.4);
    });
  }

  it('repeats for a seed and differs between seeds (bridge); linear needs no seed', () => {
    const b = bars();
    const until = START + 11 * MIN;
    expect(walk(b, 'bridge', 7, until)).toEqual(walk(b, 'bridge', 7, until));
    expect(walk(b, 'bridge', 7, until)).not.toEqual(walk(b, 'bridge', 8, until));
    expect(walk(b, 'linear', 7, until)).toEqual(walk(b, 'linear', 8, until));
  });

  it('linear: straight lines through open, the extremes at a third and two thirds, and the close', () => {
    const path = walk(bars(), 'linear', 1, START + MIN);
    const at = (s: number) => path.find(([t]) => t === START + s * 1000)?.[1];
    // Bar 1 closes up: the low first (at 20 s), then the high (at 40 s).
    expect(at(20)).toBe(99.5);
    expect(at(40)).toBe(101);
    expect(at(10)).toBeCloseTo(99.75, 10);
    expect(at(50)).toBeCloseTo(100.75, 10);
  });

  it('starts at the open of the bar the clock starts in', () => {
    const b = bars();
    expect(barPriceAt(b, START + 30_000)).toBe(100);
    expect(barPriceAt(b, START + 5 * MIN)).toBe(98.9); // in the gap: the last close
  });
});
