// A backtest on a price file as a user runs one: the test writes its own CSV of bars and a
// scenario naming it, runs `keel sim`, and finds the fills at the file's prices; a bad line is
// refused naming the line and the column.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoWithOffset } from '../../src/domain';

const dir = mkdtempSync(join(tmpdir(), 'keel-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

type Bar = { t: string; open: number; high: number; low: number; close: number };

/** ACME from 50 at 09:30 up to 80 at 10:00, then down to 62 by 10:29: prices no default path has. */
function acmeBars(): Bar[] {
  const bars: Bar[] = [];
  let price = 50;
  for (let m = 0; m < 60; m++) {
    const open = price;
    const close = m < 30 ? 50 + m + 1 : 80 - (m - 29) * 0.6;
    const high = Math.max(open, close) + 0.25;
    const low = Math.min(open, close) - 0.25;
    const t = `2026-02-13T${m < 30 ? '09' : '10'}:${String(m < 30 ? 30 + m : m - 30).padStart(2, '0')}:00-05:00`;
    bars.push({ t, open, high, low, close: Math.round(close * 100) / 100 });
    price = Math.round(close * 100) / 100;
  }
  return bars;
}

function csv(bars: readonly Bar[]): string {
  return `timestamp,open,high,low,close,volume\n${bars.map((b) => `${b.t},${b.open},${b.high},${b.low},${b.close},1000`).join('\n')}\n`;
}

function scenario(file: string): string {
  return [
    'name: acme-from-file',
    'seed: 11',
    "clock: { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T10:30:00-05:00', timeZone: America/New_York }",
    'account: { equity: 100000 }',
    'market:',
    `  - { symbol: ACME, kind: equity, path: file, file: ${file}, stepSeconds: 5 }`,
    'venue: { products: equities, combos: false, latencyMs: 50 }',
    'operator:',
    "  - { at: '09:35', action: order, symbol: ACME, side: BUY, qty: 10, type: MKT, stop: 45 }",
    "  - { at: '10:00:30', action: order, symbol: ACME, side: BUY, qty: 5, type: MKT, stop: 70 }",
    '',
  ].join('\n');
}

describe('keel sim on a price file', () => {
  it('fills at the prices of the bar the order met', () => {
    const bars = acmeBars();
    writeFileSync(join(dir, 'acme.csv'), csv(bars));
    writeFileSync(join(dir, 'acme.yaml'), scenario('acme.csv'));
    const out = join(dir, 'out');
    const r = keel('sim', join(dir, 'acme.yaml'), '--out', out, '-q');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checker: 0 violations/);
    const fills = readFileSync(join(out, 'venue-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; t: string; side: string; price: number; qty: number })
      .filter((l) => l.type === 'fill');
    // The two buys, then the second one's protective stop at 70 as the file falls through it.
    expect(fills.map((f) => [f.side, f.qty])).toEqual([
      ['BUY', 10],
      ['BUY', 5],
      ['SELL', 5],
    ]);
    const tick = 0.01; // a market order crosses the spread: a tick beyond the mid
    for (const f of fills) {
      const t = parseIsoWithOffset(f.t)?.epochMs ?? NaN;
      const bar = bars.filter((b) => (parseIsoWithOffset(b.t)?.epochMs ?? Infinity) <= t).at(-1);
      expect(bar).toBeDefined();
      if (bar === undefined) continue;
      expect(f.price).toBeGreaterThanOrEqual(bar.low - tick);
      expect(f.price).toBeLessThanOrEqual(bar.high + tick);
    }
    // Near 55 at 09:35, near 80 at 10:00: the file's day, not a random walk from a spot.
    expect(fills[0]?.price).toBeGreaterThan(54);
    expect(fills[0]?.price).toBeLessThan(57);
    expect(fills[1]?.price).toBeGreaterThan(79);
    expect(fills[2]?.price).toBeLessThanOrEqual(70);
    expect(fills[2]?.price).toBeGreaterThan(69);
    // The same seed and file give the same run, byte for byte.
    const again = join(dir, 'again');
    expect(keel('sim', join(dir, 'acme.yaml'), '--out', again, '-q').status).toBe(0);
    expect(readFileSync(join(again, 'venue-log.jsonl'), 'utf8')).toBe(
      readFileSync(join(out, 'venue-log.jsonl'), 'utf8'),
    );
  }, 60_000);

  it('refuses a bad line naming the file, the line and the column; a clock before the file too', () => {
    const bars = acmeBars();
    const text = csv(bars).split('\n');
    text[4] = text[4]?.replace(/,([\d.]+),1000$/, ',999,1000') ?? ''; // a close above the high on line 5
    writeFileSync(join(dir, 'bad.csv'), text.join('\n'));
    writeFileSync(join(dir, 'bad.yaml'), scenario('bad.csv'));
    const r = keel('sim', join(dir, 'bad.yaml'), '--out', join(dir, 'bad-out'), '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /market\[0\]\.file: bad\.csv line 5, column 3 \(high\): high [\d.]+ is below the bar's open, close or low/,
    );

    writeFileSync(join(dir, 'late.csv'), csv(bars.slice(10)));
    writeFileSync(join(dir, 'late.yaml'), scenario('late.csv'));
    const late = keel('sim', join(dir, 'late.yaml'), '--out', join(dir, 'late-out'), '-q');
    expect(late.status).toBe(2);
    expect(late.stderr).toContain(
      'market[0].file: late.csv starts at 2026-02-13T09:40:00-05:00, after clock.start (2026-02-13T09:30:00-05:00): start the clock at or after the first bar',
    );

    writeFileSync(join(dir, 'nofile.yaml'), scenario('missing.csv'));
    const missing = keel('sim', join(dir, 'nofile.yaml'), '--out', join(dir, 'missing-out'), '-q');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/market\[0\]\.file: cannot read .*missing\.csv \(ENOENT\)/);
  }, 60_000);
});
