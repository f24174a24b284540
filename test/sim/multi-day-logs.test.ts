// Multi-day runs tell each day's truth (issue 19): every day's log is the journal as of that day's
// end — the equity it started with, its own budgets and reconciliation lines, what it booked —
// a fill of a later day is booked on that day with its date, positions held overnight stay in
// view, and the run's end lists what is still open with its unrealized PnL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/app/run-config';
import { runChecked } from '../support/run-scenario';

async function runExample(file: string, days: number) {
  const loaded = loadRunConfig(file, { days });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const run = await runChecked(loaded.config.scenario);
  expect(run.verdict.violations).toEqual([]);
  const log = (day: string) => run.dailyLogs.find((d) => d.day === day)?.text ?? '';
  return { run, log };
}

// One run of each, shared by the tests that read it.
const runs = new Map<string, ReturnType<typeof runExample>>();
const example = (file: string, days: number) => {
  const key = `${file} ${days}`;
  const run = runs.get(key) ?? runExample(file, days);
  runs.set(key, run);
  return run;
};

const equityLine = (text: string) => /Equity at the start of the day \$[\d.]+/.exec(text)?.[0];
const row = (text: string, group: string) => text.split('\n').find((l) => l.startsWith(`| ${group} |`));
const realizedOf = (text: string) => Number(/\| realized PnL \(net\) \| \$(-?[\d.]+) \|/.exec(text)?.[1]);

describe('keel run examples/equity-bracket.yaml --days 3', () => {
  it('each day starts from its own equity and books only its own fills, dated when not that day', async () => {
    const { run, log } = await example('examples/equity-bracket.yaml', 3);
    expect(run.dailyLogs.map((d) => d.day)).toEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    expect(equityLine(log('2026-01-05'))).toBe('Equity at the start of the day $105000.00');
    expect(equityLine(log('2026-01-06'))).toBe('Equity at the start of the day $104998.00');
    expect(new Set(run.dailyLogs.map((d) => equityLine(d.text))).size).toBe(3);
    // The PLTR stop filled the next morning: open on 01-05, closed on 01-06 with its loss there.
    const pltrDay1 = row(log('2026-01-05'), 'swing-20260105-1') ?? '';
    expect(pltrDay1).toMatch(/\| 10:30:00 \| {2}\| {2}\| open \|/);
    const pltrDay2 = row(log('2026-01-06'), 'swing-20260105-1') ?? '';
    expect(pltrDay2).toMatch(/\| 2026-01-05 10:30:00 \| 09:32:10 \| 23 h 02 min \| closed \| stop-loss 163/);
    expect(pltrDay2).toMatch(/\| 1 \| -474\.97 \| 1\.00 \|$/);
    expect(log('2026-01-05')).toMatch(/\| swing-20260105-1 \| PLTR \| 61 \| [\d.]+ \| -?[\d.]+ \|/);
    // TSLA, opened on 01-05, is still held on 01-07: in that day's trades and open positions.
    expect(row(log('2026-01-07'), 'swing-20260105-2')).toMatch(
      /\| 2026-01-05 10:30:00 \| {2}\| {2}\| open \|/,
    );
    expect(log('2026-01-07')).toMatch(/\| groups held from earlier days \| [1-9]/);
    // The days add up to the run.
    const days = run.dailyLogs.reduce((n, d) => n + Math.round(realizedOf(d.text) * 100), 0) / 100;
    expect(days).toBe(run.report.summary.realizedPnl);
  });

  it('the run ends listing what is still open, with its unrealized PnL at the last marks', async () => {
    const { run } = await example('examples/equity-bracket.yaml', 3);
    expect(run.report.summary['openGroups']).toBe(2);
    expect(typeof run.report.summary['unrealizedPnl']).toBe('number');
    expect(run.dailyLog).toContain('## Open positions at the end of the run');
    expect(run.dailyLog).toMatch(/\| swing-20260106-2 \| META \| 16 \| [\d.]+ \| -?[\d.]+ \|/);
    expect(run.dailyLog).toMatch(/Unrealized PnL at the marks, before closing commissions: \$-?[\d.]+\./);
  });
});

describe('keel run examples/futures-protected.yaml --days 2', () => {
  it("day 1 shows day 1's equity and reconciliation only; day 2 its own", async () => {
    const { log } = await example('examples/futures-protected.yaml', 2);
    const [day1, day2] = [log('2025-10-23'), log('2025-10-24')];
    expect(equityLine(day1)).toBe('Equity at the start of the day $100000.00');
    expect(equityLine(day2)).toBe('Equity at the start of the day $99897.08');
    expect(day1).toContain('btc-perp-20251023-1 closed at the venue');
    expect(day1).not.toContain('btc-perp-20251024-1');
    expect(day2).toContain('btc-perp-20251024-1 closed at the venue');
    expect(day2).not.toContain('btc-perp-20251023-1 closed at the venue');
    expect(day2).not.toContain('start-up: ');
  });
});

describe('crypto trades the weekend (calendar 24/7)', () => {
  it('keel run futures-protected --days 4 from Thursday runs Friday, Saturday and Sunday, entering each day', async () => {
    const { run } = await example('examples/futures-protected.yaml', 4);
    expect(run.dailyLogs.map((d) => d.day)).toEqual(['2025-10-23', '2025-10-24', '2025-10-25', '2025-10-26']);
    const opened = run.report.groups.map((g) => g.openedAt.slice(0, 10));
    expect(opened).toContain('2025-10-25'); // a Saturday
    expect(opened).toContain('2025-10-26'); // a Sunday
  });

  it('a crypto config may start on a Saturday; an equities one may not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-weekend-'));
    try {
      const file = join(dir, 'btc-saturday.yaml');
      writeFileSync(
        file,
        readFileSync('examples/futures-protected.yaml', 'utf8').replace(
          "date: '2025-10-23'",
          "date: '2025-10-25'",
        ),
      );
      const loaded = loadRunConfig(file, { days: 2 });
      expect(loaded.ok).toBe(true);
      if (loaded.ok) expect(loaded.config.scenario.clock.end.text).toBe('2025-10-26T23:59:00+00:00');
      const equities = join(dir, 'bracket-saturday.yaml');
      writeFileSync(
        equities,
        readFileSync('examples/equity-bracket.yaml', 'utf8').replace(
          "date: '2026-01-05'",
          "date: '2026-01-10'",
        ),
      );
      expect(loadRunConfig(equities)).toMatchObject({
        ok: false,
        errors: [expect.stringMatching(/is a weekend/)],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
