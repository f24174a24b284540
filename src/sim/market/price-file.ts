// A CSV file of price bars (timestamp with its zone, open, high, low, close, volume, and for
// options an implied-vol column), read for `market[].path: file`. Pure: text in, bars or errors
// out; every error names the file, the line and the column, and what would fix it.
import { parseIsoWithOffset } from '../../domain/time';

export type PriceBars = {
  /** The file as the scenario names it, for messages. */
  readonly source: string;
  /** Bar start, epoch ms, strictly increasing. */
  readonly t: readonly number[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
  /** Annualised at-the-money implied vol per bar (the option model's vol); null without the column. */
  readonly iv: readonly number[] | null;
  /** A bar's length: the shortest gap between two bar starts (a longer gap is the market closed). */
  readonly barMs: number;
};

export type PriceBarsResult =
  | { readonly ok: true; readonly bars: PriceBars }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A file beyond this is not a backtest's price history but a mistake (or a denial of service). */
export const priceBarsMax = 1_000_000;
/** The first errors say enough; a file with thousands of bad lines is the wrong file. */
const errorsMax = 20;
/** An annualised vol above 500% is a typo (21 for 0.21), as for market[].vol. */
const ivMax = 5;

const required = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof required)[number] | 'iv';
const aliases: Readonly<Record<string, Column>> = {
  timestamp: 'timestamp',
  time: 'timestamp',
  datetime: 'timestamp',
  date: 'timestamp',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  iv: 'iv',
  implied_vol: 'iv',
  impliedvol: 'iv',
};

export function parsePriceBars(text: string, source: string): PriceBarsResult {
  const errors: string[] = [];
  const fail = (line: number, where: string, message: string) => {
    if (errors.length < errorsMax) errors.push(`${source} line ${line}${where}: ${message}`);
  };
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  let columns: (Column | null)[] | null = null;
  const bars = { t: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[] };
  const close: number[] = [];
  const volume: number[] = [];
  const iv: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    const lineNo = i + 1;
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    if (columns === null) {
      headerLine = lineNo;
      columns = fields.map((f) => aliases[f.toLowerCase()] ?? null);
      const missing = required.filter((c) => !columns?.includes(c));
      if (missing.length > 0) {
        return {
          ok: false,
          errors: [
            `${source} line ${lineNo}: the header needs the columns ${required.join(', ')} (and iv for options' implied vol); missing ${missing.join(', ')}, got '${raw}'`,
          ],
        };
      }
      continue;
    }
    if (bars.t.length >= priceBarsMax) {
      fail(lineNo, '', `more than ${priceBarsMax} bars; split the file or use longer bars`);
      break;
    }
    if (fields.length !== columns.length) {
      fail(lineNo, '', `${fields.length} fields where the header (line ${headerLine}) has ${columns.length}`);
      continue;
    }
    const row = new Map<Column, { text: string; col: number }>();
    columns.forEach((c, j) => {
      if (c !== null) row.set(c, { text: fields[j] ?? '', col: j + 1 });
    });
    const at = (c: Column) => row.get(c) ?? { text: '', col: 0 };
    const where = (c: Column) => `, column ${at(c).col} (${c})`;
    const ts = at('timestamp');
    const parsed = parseIsoWithOffset(ts.text.replace(' ', 'T'));
    let bad = false;
    if (parsed === null) {
      fail(
        lineNo,
        where('timestamp'),
        `expected an ISO 8601 time with its zone offset, e.g. 2026-02-13T09:30:00-05:00 or 2026-02-13T14:30:00Z, got '${ts.text}'`,
      );
      bad = true;
    }
    const number = (c: Column, min: 'positive' | 'nonNegative', max = Infinity): number => {
      const text = at(c).text;
      const v = text === '' ? NaN : Number(text);
      const ok = Number.isFinite(v) && (min === 'positive' ? v > 0 : v >= 0) && v <= max;
      if (!ok) {
        const expected =
          c === 'iv'
            ? `an annualised implied vol as a fraction in (0, ${ivMax}] (0.21 for 21%)`
            : min === 'positive'
              ? 'a positive price'
              : 'a number >= 0';
        fail(lineNo, where(c), `expected ${expected}, got '${text}'`);
        bad = true;
      }
      return v;
    };
    const o = number('open', 'positive');
    const h = number('high', 'positive');
    const l = number('low', 'positive');
    const c = number('close', 'positive');
    const vol = number('volume', 'nonNegative');
    const v = row.has('iv') ? number('iv', 'positive', ivMax) : NaN;
    if (bad) continue;
    if (h < Math.max(o, c, l)) {
      fail(lineNo, where('high'), `high ${h} is below the bar's open, close or low (${o}, ${c}, ${l})`);
      continue;
    }
    if (l > Math.min(o, c)) {
      fail(lineNo, where('low'), `low ${l} is above the bar's open or close (${o}, ${c})`);
      continue;
    }
    const t = parsed?.epochMs ?? NaN;
    const previous = bars.t[bars.t.length - 1];
    if (previous !== undefined && t <= previous) {
      fail(
        lineNo,
        where('timestamp'),
        `${ts.text} is not after the previous bar's time: bars must be in time order, one per timestamp`,
      );
      continue;
    }
    bars.t.push(t);
    bars.open.push(o);
    bars.high.push(h);
    bars.low.push(l);
    close.push(c);
    volume.push(vol);
    if (row.has('iv')) iv.push(v);
  }
  if (errors.length > 0) return { ok: false, errors };
  if (columns === null || bars.t.length === 0)
    return {
      ok: false,
      errors: [`${source}: no bars; the file needs a header (${required.join(',')}) and a line per bar`],
    };
  let barMs = Infinity;
  for (let i = 1; i < bars.t.length; i++)
    barMs = Math.min(barMs, (bars.t[i] as number) - (bars.t[i - 1] as number));
  if (!Number.isFinite(barMs)) barMs = 60_000; // one bar: a minute, the commonest file
  return {
    ok: true,
    bars: {
      source,
      ...bars,
      close,
      volume,
      iv: columns.includes('iv') ? iv : null,
      barMs,
    },
  };
}

/** The last bar starting at or before t; -1 before the first. */
export function barIndexAt(bars: PriceBars, t: number): number {
  let lo = 0;
  let hi = bars.t.length - 1;
  if (hi < 0 || t < (bars.t[0] as number)) return -1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((bars.t[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The price the path starts from at t: the open of the bar t falls in, or the last close in a gap. */
export function barPriceAt(bars: PriceBars, t: number): number {
  const i = barIndexAt(bars, t);
  if (i < 0) return bars.open[0] as number;
  return t < (bars.t[i] as number) + bars.barMs ? (bars.open[i] as number) : (bars.close[i] as number);
}

/** The implied vol of the bar t falls in (the first bar's before it); null without the column. */
export function impliedVolAt(bars: PriceBars, t: number): number | null {
  if (bars.iv === null) return null;
  return bars.iv[Math.max(0, barIndexAt(bars, t))] ?? null;
}
