// Exchange time through the whole simulator: the shipped condor config run across the 2026 US
// daylight-saving changes, a holiday and an early close. A fixed offset would enter an hour off
// after a change and time-exit after 0DTE options expired; a missing calendar would trade
// Thanksgiving and hold a condor past a 13:00 close.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunConfig } from '../../src/app/run-config';
import { atDateTime, formatIso, parseIsoWithOffset, timeZoneOf } from '../../src/domain';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const dir = mkdtempSync(join(tmpdir(), 'keel-exchange-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const newYork = timeZoneOf('America/New_York');

/**
 * The shipped condor config from `date`, its exits other than the time exit out of reach (a stop
 * at 100x the credit, take-profit at the whole credit, no trailing stop): one condor a day, held
 * to the time exit.
 */
function condorConfig(date: string, days: number) {
  const text = readFileSync('examples/iron-condor-0dte.yaml', 'utf8')
    .replace(/date: '2026-02-09'.*/, `date: '${date}'`)
    .replace('stopLossMultiple: 3', 'stopLossMultiple: 100')
    .replace('takeProfitPct: 0.5', 'takeProfitPct: 1')
    .replace(/ +trailingStop: .*\n/, '');
  const file = join(dir, `condor-${date}-${days}.yaml`);
  writeFileSync(file, text);
  const loaded = loadRunConfig(file, { days });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config.scenario;
}

type Group = { id: string; openedAt: string; closedAt: string | null; exitReason: string | null };

async function runCondor(date: string, days: number) {
  const run = await runChecked(condorConfig(date, days));
  expect(run.verdict.violations).toEqual([]);
  const groups = run.report.groups as unknown as Group[];
  return { run, groups };
}

/** "HH:MM" and the offset of an ISO time as printed. */
const localOf = (iso: string) => ({ hhmm: iso.slice(11, 16), offset: iso.slice(-6) });
const instant = (iso: string) => parseIsoWithOffset(iso)?.epochMs ?? NaN;

describe('the condor across the March 8 2026 change', () => {
  it('enters and time-exits at the same New York times on Friday (-05:00) and Monday (-04:00)', async () => {
    const { run, groups } = await runCondor('2026-03-06', 2);
    expect(groups.map((g) => g.openedAt.slice(0, 10))).toEqual(['2026-03-06', '2026-03-09']);
    const [friday, monday] = groups;
    expect(localOf(friday?.openedAt ?? '')).toEqual({ hhmm: '09:45', offset: '-05:00' });
    expect(localOf(monday?.openedAt ?? '')).toEqual({ hhmm: '09:45', offset: '-04:00' });
    for (const g of groups) {
      expect(g.exitReason).toBe('time exit at 15:45');
      expect(localOf(g.closedAt ?? '').hhmm).toBe('15:45');
      // before the 0DTE options expire at 16:00 New York
      const close = atDateTime(g.openedAt.slice(0, 10), '16:00', newYork);
      expect(instant(g.closedAt ?? '')).toBeLessThan(close);
    }
    // 14:45Z on Friday, 13:45Z on Monday: one fixed offset would have entered at 10:45 on Monday
    expect(new Date(instant(friday?.openedAt ?? '')).toISOString()).toBe('2026-03-06T14:45:00.000Z');
    expect(new Date(instant(monday?.openedAt ?? '')).toISOString()).toBe('2026-03-09T13:45:00.000Z');
    // the venue log prints the offset in force at each line
    const offsets = new Set(run.venueLog.map((l) => `${l.t.slice(0, 10)} ${l.t.slice(-6)}`));
    expect([...offsets].sort()).toEqual(['2026-03-06 -05:00', '2026-03-09 -04:00']);
    // and so does the engine's log: "09:45:10-05:00 ic-0dte-20260306-1 open: ..."
    expect(
      run.engineLog
        .filter((l) => / ic-0dte-2026030[69]-1 open: /.test(l))
        .map((l) => l.slice(0, 5) + l.slice(8, 14)),
    ).toEqual(['09:45-05:00', '09:45-04:00']);
    expect(run.dailyLogs.map((d) => d.day)).toEqual(['2026-03-06', '2026-03-09']);
    expect(run.dailyLogs[1]?.text).toContain('Times are America/New_York time: UTC-04:00.');
    expect(run.dailyLog).toContain(
      'Times are America/New_York time: UTC-05:00, then UTC-04:00 from 2026-03-08 03:00.',
    );
  });
});

describe('the condor across the November 1 2026 change', () => {
  it('enters and time-exits at the same New York times on Friday (-04:00) and Monday (-05:00)', async () => {
    const { run, groups } = await runCondor('2026-10-30', 2);
    expect(groups.map((g) => [g.openedAt, g.exitReason])).toEqual([
      ['2026-10-30T09:45:00-04:00', 'time exit at 15:45'],
      ['2026-11-02T09:45:00-05:00', 'time exit at 15:45'],
    ]);
    for (const g of groups)
      expect(instant(g.closedAt ?? '')).toBeLessThan(atDateTime(g.openedAt.slice(0, 10), '16:00', newYork));
    expect(run.venueLog.at(-1)?.t.slice(-6)).toBe('-05:00');
  });
});

describe('a holiday and an early close', () => {
  it('skips Thanksgiving, and on the half day after it time-exits at 12:45, before the 13:00 close', async () => {
    const { run, groups } = await runCondor('2026-11-25', 2);
    expect(groups.map((g) => g.openedAt.slice(0, 10))).toEqual(['2026-11-25', '2026-11-27']);
    const halfDay = groups[1];
    expect(halfDay?.exitReason).toBe('time exit at 12:45 (15:45 on a full day; close 13:00)');
    expect(instant(halfDay?.closedAt ?? '')).toBeLessThan(atDateTime('2026-11-27', '13:00', newYork));
    // nothing at the venue on Thanksgiving, and nothing after the half day's session (13:15)
    expect(run.venueLog.filter((l) => l.t.startsWith('2026-11-26'))).toEqual([]);
    const last = run.venueLog.at(-1);
    expect(instant(last?.t ?? '')).toBeLessThanOrEqual(atDateTime('2026-11-27', '13:15', newYork));
    expect(run.dailyLogs.map((d) => d.day)).toEqual(['2026-11-25', '2026-11-27']);
    expect(run.dailyLogs[1]?.text).toMatch(/early close at 13:00; entries 09:45-11:00, time exit at 12:45/);
  });

  it('refuses a run config that starts on a holiday, naming the holiday and the next trading day', () => {
    const file = join(dir, 'thanksgiving.yaml');
    writeFileSync(
      file,
      readFileSync('examples/iron-condor-0dte.yaml', 'utf8').replace(
        /date: '2026-02-09'.*/,
        "date: '2026-11-26'",
      ),
    );
    expect(loadRunConfig(file)).toEqual({
      ok: false,
      errors: [
        'session.date: 2026-11-26 is a market holiday (Thanksgiving Day); give a trading day, e.g. 2026-11-27',
      ],
    });
  });

  it('makes no trades in a one-day scenario on a holiday, and says why', async () => {
    const yaml = `
name: thanksgiving
seed: 3
clock: { start: "2026-11-26T09:30:00-05:00", end: "2026-11-26T16:15:00-05:00", timeZone: America/New_York }
market: [{ symbol: XSP, kind: index, spot: 683.38, vol: 0.21 }]
strategies: [{ id: ic-0dte, kind: iron-condor-0dte, params: { underlying: XSP } }]
`;
    const run = await runChecked(scenarioFromYaml(yaml));
    expect(run.verdict.violations).toEqual([]);
    expect(run.report.groups).toEqual([]);
    expect(run.venueLog.filter((l) => l.type === 'order')).toEqual([]);
    expect(run.dailyLog).toMatch(/2026-11-26: the market is closed \(Thanksgiving Day\); no entries/);
  });
});

describe('equity-bracket scans on an early close', () => {
  it('moves the 15:55 scan to 12:55 on 2026-11-27, so no entry is sent after the 13:00 close', async () => {
    const yaml = `
name: half-day-scans
seed: 5
clock:
  start: "2026-11-27T09:30:00-05:00"
  end: "2026-11-27T16:00:00-05:00"
  timeZone: America/New_York
market: [{ symbol: PLTR, kind: equity, spot: 170.5, vol: 0.3, path: flat }, { symbol: TSLA, kind: equity, spot: 443, vol: 0.3, path: flat }]
venue: { products: equities, combos: false }
account: { equity: 105000 }
strategies:
  - id: swing
    kind: equity-bracket
    params:
      executeMax: 1
      signals: [{ symbol: PLTR, score: 90, entry: 170.0, stop: 160.0 }, { symbol: TSLA, score: 80, entry: 440.0, stop: 420.0 }]
`;
    const run = await runChecked(scenarioFromYaml(yaml));
    expect(run.verdict.violations).toEqual([]);
    expect(run.dailyLog).toMatch(/swing: scan 10:30: /);
    expect(run.dailyLog).toMatch(/swing: scan 12:55 \(15:55 on a full day\): /);
    const closeAt = atDateTime('2026-11-27', '13:00', newYork);
    const orders = run.venueLog.filter((l) => l.type === 'order');
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) expect(instant(o.t)).toBeLessThan(closeAt);
    expect(formatIso(closeAt, newYork)).toBe('2026-11-27T13:00:00-05:00');
  });
});
