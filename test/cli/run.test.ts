// keel run as a user runs it: the shipped config trades a session and ends with the daily log,
// report and a clean verdict; bad configs are refused naming the field, and nothing is written.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/app/run-config';

const dir = mkdtempSync(join(tmpdir(), 'keel-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

const venueLines = (out: string) =>
  readFileSync(join(out, 'venue-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A copy of an example config in the temp dir, with the signals file it names. */
const variantOf = (example: string, name: string, edit: (text: string) => string) => {
  mkdirSync(join(dir, 'signals'), { recursive: true });
  copyFileSync('examples/signals/swing-week.csv', join(dir, 'signals', 'swing-week.csv'));
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(example, 'utf8')));
  return file;
};

const example = readFileSync('examples/iron-condor-0dte.yaml', 'utf8');
const variant = (name: string, edit: (text: string) => string) => {
  const file = join(dir, name);
  writeFileSync(file, edit(example));
  return file;
};

describe('keel run', () => {
  it('runs a week of the shipped condor config: a log per day, budgets carried, checker clean', () => {
    const out = join(dir, 'week');
    const r = keel('run', 'examples/iron-condor-0dte.yaml', '--days', '5', '--out', out, '-q');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const days = ['2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13'];
    for (const day of days) {
      expect(r.stdout).toContain(`# Daily log: xsp-iron-condor-0dte (seed 7) — ${day}`);
      expect(existsSync(join(out, `daily-log-${day}.md`))).toBe(true);
    }
    expect(r.stdout).toMatch(/checker: 0 violations/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      groups: { status: string; exitReason: string | null; openedAt: string }[];
      budget: {
        scopes: {
          scope: string;
          positionsWeek: number;
          usedWeek: number;
          weeklyCap: number;
          usedToday: number;
          dailyCap: number;
        }[];
      } | null;
    };
    expect(report.groups.length).toBeGreaterThan(0);
    // Every trade ended, each with its reason; the week's counts and exposure stay within the caps.
    for (const g of report.groups) {
      expect(g.status).toBe('closed');
      expect(g.exitReason).toBeTruthy();
    }
    expect(new Set(report.groups.map((g) => g.openedAt.slice(0, 10))).size).toBeGreaterThan(1);
    const account = report.budget?.scopes[0];
    expect(account?.positionsWeek).toBe(report.groups.length);
    expect(account?.positionsWeek).toBeLessThanOrEqual(10);
    expect(account?.usedWeek).toBeLessThanOrEqual(account?.weeklyCap ?? 0);
    expect(account?.usedToday).toBeLessThanOrEqual(account?.dailyCap ?? 0);
    for (const day of days) {
      const opened = report.groups.filter((g) => g.openedAt.startsWith(day)).length;
      expect(opened).toBeLessThanOrEqual(2); // maxPositionsPerDay
    }
    // A second run into the same directory keeps the first run's journal, never deletes it.
    const again = keel('run', 'examples/iron-condor-0dte.yaml', '--out', out, '-q', '--no-print');
    expect(again.status).toBe(0);
    expect(existsSync(join(out, 'journal-previous.sqlite'))).toBe(true);
  });

  it('a new week after Friday resets the position counts and measures the week from its equity', () => {
    const out = join(dir, 'two-weeks');
    const r = keel('run', 'examples/iron-condor-0dte.yaml', '--days', '6', '--out', out, '-q', '--no-print');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      groups: { openedAt: string; realizedPnl: number }[];
      budget: { weekEquity: number; scopes: { positionsWeek: number }[] } | null;
    };
    // The sixth session is Tuesday 2026-02-17: Monday 2026-02-16 is Washington's Birthday, a
    // market holiday, on which nothing trades.
    expect(report.groups.filter((g) => g.openedAt.startsWith('2026-02-16'))).toEqual([]);
    const newWeek = report.groups.filter((g) => g.openedAt.startsWith('2026-02-17'));
    expect(newWeek.length).toBeGreaterThan(0);
    expect(report.groups.length).toBeGreaterThan(newWeek.length);
    expect(report.budget?.scopes[0]?.positionsWeek).toBe(newWeek.length);
    // The week's equity is the account plus what the first week realized.
    const firstWeek = report.groups.filter((g) => !g.openedAt.startsWith('2026-02-17'));
    const realized = firstWeek.reduce((n, g) => n + Math.round(g.realizedPnl * 100), 0) / 100;
    expect(report.budget?.weekEquity).toBeCloseTo(100_000 + realized, 2);
  });

  it('refuses a config with an unknown strategy param, naming the field', () => {
    const file = variant('bad-param.yaml', (t) => t.replace('wingWidth: 1', 'wingWidht: 1'));
    const r = keel('run', file, '--out', join(dir, 'bad'), '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/wingWidht/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('warns when a price file ends before the run does (the price then holds its last close)', () => {
    const bars = ['timestamp,open,high,low,close,volume'];
    for (let h = 0; h < 12; h++) {
      const p = 109200 + h * 10;
      bars.push(`2025-10-23T${String(h).padStart(2, '0')}:00:00Z,${p},${p + 20},${p - 20},${p + 10},5`);
    }
    const sub = join(dir, 'short-file');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'btc.csv'), `${bars.join('\n')}\n`);
    const config = join(sub, 'btc.yaml');
    writeFileSync(
      config,
      readFileSync('examples/futures-protected.yaml', 'utf8').replace(
        / {2}- \{ symbol: BTC-USDT, kind: crypto,.*\}/,
        '  - { symbol: BTC-USDT, kind: crypto, path: file, file: btc.csv, stepSeconds: 60, tick: 0.1 }',
      ),
    );
    const r = keel('run', config, '--out', join(sub, 'out'), '-q', '--no-print');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /warning: market\[0\]\.file: btc\.csv ends at 2025-10-23T12:00:00\+00:00, before clock\.end: after it BTC-USDT holds the last close/,
    );
  });

  it('refuses --speed without --realtime or --api, and a bad --speed, writing nothing', () => {
    const out = join(dir, 'speed-alone');
    const r = keel('run', 'examples/iron-condor-0dte.yaml', '--speed', '100', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--speed paces a run on the wall clock: add --realtime \(or --api PORT\)/);
    const bad = keel('run', 'examples/iron-condor-0dte.yaml', '--realtime', '--speed', 'fast', '--out', out);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--speed must be a number in \(0, 100000\], got fast/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a weekend session date and an unknown venue kind with the fix', () => {
    const weekend = loadRunConfig(variant('weekend.yaml', (t) => t.replace("'2026-02-09'", "'2026-02-08'")));
    expect(weekend).toEqual({
      ok: false,
      errors: ['session.date: 2026-02-08 is a weekend; give a trading day'],
    });
    const venue = loadRunConfig(variant('venue.yaml', (t) => t.replace('kind: sim', 'kind: binance')));
    expect(venue.ok).toBe(false);
    if (!venue.ok) expect(venue.errors[0]).toMatch(/^venue\.kind: /);
    const days = keel('run', 'examples/iron-condor-0dte.yaml', '--days', '0', '-q');
    expect(days.status).toBe(2);
    expect(days.stderr).toMatch(/--days must be a whole number from 1 to 260/);
  });

  it('a broker venue section with simulated-venue keys is refused naming the keys and the fix', () => {
    const file = variant('ibkr.yaml', (t) => t.replace('kind: sim', 'kind: ibkr'));
    const r = keel('run', file, '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /venue: Unrecognized keys: "products", "combos", "latencyMs", "commission"; an ibkr venue takes host, port, clientId, account, live/,
    );
  });

  it('an alpaca config without its keys in the environment is refused naming them, before anything connects', () => {
    const file = variant('alpaca.yaml', (t) => t.replace(/kind: sim\n(?: {2}\w+:.*\n)+/, 'kind: alpaca\n'));
    const r = keel('run', file, '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/APCA_API_KEY_ID/);
  });
});

describe('keel run session time zone and calendar', () => {
  const zoneLine = '  timeZone: America/New_York';
  const withZone = (name: string, line: string) =>
    variant(name, (t) => t.replace(/ {2}timeZone: America\/New_York.*/, line));

  it('refuses an unknown zone naming the field and the fix', () => {
    const r = loadRunConfig(withZone('bad-zone.yaml', '  timeZone: America/New_Yrok'));
    expect(r).toEqual({
      ok: false,
      errors: [
        'session.timeZone: unknown time zone "America/New_Yrok": give an IANA name such as America/New_York, Europe/London or UTC (or utcOffset: \'-05:00\' for a fixed offset)',
      ],
    });
  });

  it('still reads the older utcOffset as one fixed offset, but not together with timeZone', () => {
    const fixed = loadRunConfig(withZone('fixed.yaml', "  utcOffset: '-05:00'"));
    expect(fixed.ok).toBe(true);
    if (fixed.ok) {
      expect(fixed.config.scenario.timeZone.name).toBe('UTC-05:00');
      expect(fixed.config.scenario.clock.start.text).toBe('2026-02-09T09:30:00-05:00');
    }
    const both = loadRunConfig(withZone('both.yaml', `${zoneLine}\n  utcOffset: '-05:00'`));
    expect(both).toEqual({
      ok: false,
      errors: [
        'session.utcOffset: give timeZone or utcOffset, not both (timeZone follows daylight saving; remove utcOffset)',
      ],
    });
  });

  it('puts each end of a multi-day session at the offset in force that day, skipping holidays', () => {
    const file = variant('march.yaml', (t) => t.replace(/date: '2026-02-09'.*/, "date: '2026-03-06'"));
    const r = loadRunConfig(file, { days: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.scenario.clock.start.text).toBe('2026-03-06T09:30:00-05:00');
    expect(r.config.scenario.clock.end.text).toBe('2026-03-09T16:15:00-04:00');
    expect(r.config.scenario.clock.calendar.name).toBe('XNYS');
    // Thursday 2 April, 2 sessions: Good Friday is skipped
    const easter = loadRunConfig(
      variant('easter.yaml', (t) => t.replace(/date: '2026-02-09'.*/, "date: '2026-04-02'")),
      { days: 2 },
    );
    expect(easter.ok && easter.config.scenario.clock.end.text).toBe('2026-04-06T16:15:00-04:00');
    // the last session an early close: the session ends as much earlier as the close (13:15)
    const halfDay = loadRunConfig(
      variant('half.yaml', (t) => t.replace(/date: '2026-02-09'.*/, "date: '2026-11-25'")),
      { days: 2 },
    );
    expect(halfDay.ok && halfDay.config.scenario.clock.end.text).toBe('2026-11-27T13:15:00-05:00');
  });

  it('refuses dates the calendar has no holidays for, unless told to trade every weekday', () => {
    const late = variant('late.yaml', (t) => t.replace(/date: '2026-02-09'.*/, "date: '2027-12-30'"));
    const r = loadRunConfig(late, { days: 3 });
    expect(r).toEqual({
      ok: false,
      errors: [
        'session.days: 3 sessions from 2027-12-30 reach 2028-01-01; no XNYS holidays for 2028 (src/domain/calendar-xnys.ts covers 2026, 2027): add that year there, or set session.calendar: weekdays',
      ],
    });
    const weekdays = variant('weekdays.yaml', (t) =>
      t
        .replace(/date: '2026-02-09'.*/, "date: '2027-12-30'")
        .replace(zoneLine, `${zoneLine}\n  calendar: weekdays`),
    );
    const ok = loadRunConfig(weekdays, { days: 3 });
    expect(ok.ok && ok.config.scenario.clock.end.text).toBe('2028-01-03T16:15:00-05:00');
  });
});

describe('keel run equity-bracket', () => {
  it('enters the best signals as brackets sized by the dual cap, stop and 2R target at the venue', () => {
    const out = join(dir, 'brackets');
    const r = keel('run', 'examples/equity-bracket.yaml', '--days', '2', '--out', out, '-q', '--no-print');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checker: 0 violations/);
    const lines = venueLines(out);
    const orders = lines.filter((l) => l['type'] === 'order' && l['origin'] === 'keel');
    const entries = orders.filter((o) => o['parentVenueOrderId'] === null);
    // Day one executes PLTR and TSLA (NVDA scores under 70), day two AMD and META.
    const symbols = entries.map(
      (o) => (o['legs'] as { instrument: { symbol: string } }[])[0]?.instrument.symbol,
    );
    expect(symbols).toEqual(['PLTR', 'TSLA', 'AMD', 'META']);
    for (const e of entries) {
      // Each within 10% of the $105,000 account: 61 PLTR at 170.77, never the incident's 291.
      expect((e['qty'] as number) * (e['limitPrice'] as number)).toBeLessThanOrEqual(10_500);
      const children = orders.filter((o) => o['parentVenueOrderId'] === e['venueOrderId']);
      expect(children.map((c) => c['orderType']).sort()).toEqual(['MIT', 'STP']);
      for (const c of children) expect(c['reduceOnly']).toBe(true);
    }
    expect(entries[0]?.['qty']).toBe(61);
  });

  it('refuses a strategy on a venue that does not list its products, and bad params, naming the field', () => {
    const onOptions = variantOf('examples/equity-bracket.yaml', 'eb-options.yaml', (t) =>
      t.replace('products: equities', 'products: options'),
    );
    expect(loadRunConfig(onOptions)).toMatchObject({
      ok: false,
      errors: ['strategies[0].kind: equity-bracket trades shares, but venue.products is options'],
    });
    const badParam = variantOf('examples/equity-bracket.yaml', 'eb-param.yaml', (t) =>
      t.replace('executeMax: 2', 'executeMax: two'),
    );
    const r = loadRunConfig(badParam);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/strategies\[0\]\.params\.executeMax/);
  });

  it('refuses a signals file with the wrong header, naming the field', () => {
    writeFileSync(join(dir, 'bad-signals.csv'), 'symbol,score\nPLTR,80\n');
    const file = join(dir, 'bad-signals.yaml');
    writeFileSync(
      file,
      readFileSync('examples/equity-bracket.yaml', 'utf8').replaceAll(
        'signals/swing-week.csv',
        'bad-signals.csv',
      ),
    );
    const r = keel('run', file, '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /strategies\.0\.params\.signalsFile: the CSV header must be date,symbol,score,entry,stop/,
    );
  });
});

describe('keel run futures-protected', () => {
  it('each day one protected long; every closed trade books the venue net PnL to the cent', () => {
    const out = join(dir, 'perp');
    const r = keel('run', 'examples/futures-protected.yaml', '--days', '2', '--out', out, '-q', '--no-print');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checker: 0 violations/);
    const lines = venueLines(out);
    const keelOrders = lines.filter((l) => l['type'] === 'order' && l['origin'] === 'keel');
    const stops = keelOrders.filter((o) => o['orderType'] === 'STP');
    expect(stops.length).toBeGreaterThan(0);
    for (const s of stops) expect(s['reduceOnly']).toBe(true);
    const closed = lines.filter((l) => l['type'] === 'positionClosed');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      groups: { status: string; realizedPnl: number; exitReason: string | null }[];
    };
    const done = report.groups.filter((g) => g.status === 'closed');
    expect(done.length).toBe(closed.length);
    expect(done.map((g) => g.realizedPnl).sort()).toEqual(closed.map((c) => c['netPnl']).sort());
    for (const g of done) expect(g.exitReason).toMatch(/stop-loss|take-profit|exit/);
  });
});

describe('keel size', () => {
  it('sizes the incident trade at 61 shares, bound by the notional cap', () => {
    const r = keel('size', '--entry', '170', '--stop', '163', '--equity', '105000', '--json');
    expect(r.status).toBe(0);
    const size = JSON.parse(r.stdout) as { qty: number; notional: number; bound: string; byRisk: number };
    expect(size).toMatchObject({ qty: 61, notional: 10370, bound: 'notional', byRisk: 300 });
  });

  it('refuses a percentage given as a whole number, saying how to write it', () => {
    const r = keel('size', '--entry', '170', '--stop', '163', '--equity', '105000', '--risk-pct', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/2% is 0.02/);
  });
});

describe('operator commands on a stopped engine', () => {
  it('halt journals HALTED for the next start; without a target it says what to give', () => {
    const journal = join(dir, 'halt.sqlite');
    const run = keel(
      'run',
      'examples/iron-condor-0dte.yaml',
      '--journal',
      journal,
      '--out',
      join(dir, 'h'),
      '-q',
      '--no-print',
    );
    expect(run.status).toBe(0);
    const halt = keel('halt', '--reason', 'checking fills', '--journal', journal);
    expect(halt.status).toBe(0);
    expect(halt.stdout).toMatch(/trading is HALTED from the next start/);
    const status = JSON.parse(keel('status', '--journal', journal, '--json').stdout) as {
      tradingState: string;
      reason: string;
    };
    expect(status).toMatchObject({ tradingState: 'HALTED', reason: 'checking fills' });
    const none = keel('resume', '--reason', 'x');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/give --api URL \(a running engine\) or --journal FILE/);
  });
});
