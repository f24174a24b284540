import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadScenario, parseScenario, validateScenario } from './index';
import type { Scenario, ScenarioFault, ScenarioResult } from './index';

const specExample = fileURLToPath(new URL('../../../scenarios/spec-example.yaml', import.meta.url));

const minimal = {
  name: 'minimal',
  clock: { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T16:15:00-05:00' },
  market: [{ symbol: 'XSP', kind: 'index', spot: 683.38 }],
};
const option = { symbol: 'XSP', expiry: '2026-02-13', strike: 704, right: 'C' };

/** The minimal scenario plus `extra`, written as YAML and loaded through the real parser. */
function load(extra: Record<string, unknown>): ScenarioResult {
  return parseScenario(stringify({ ...minimal, ...extra }), 'test.yaml', 'yaml');
}

function loaded(result: ScenarioResult): Scenario {
  if (!result.ok) throw new Error(`expected a valid scenario:\n${result.errors.join('\n')}`);
  return result.scenario;
}

function errorsOf(result: ScenarioResult): readonly string[] {
  if (result.ok) throw new Error('expected the scenario to be invalid');
  return result.errors;
}

function omit(value: object, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
}

const t = (hhmm: string) => Date.parse(`2026-02-13T${hhmm}:00-05:00`);

describe('the spec example', () => {
  const result = loadScenario(specExample);
  const scenario = loaded(result);

  it('loads, with the clock and offset resolved', () => {
    expect(scenario.name).toBe('feb13-contamination');
    expect(scenario.seed).toBe(7);
    expect(scenario.clock.start).toEqual({ t: t('09:30'), text: '2026-02-13T09:30:00-05:00' });
    expect(scenario.clock.end.t).toBe(t('16:15'));
    // no clock.timeZone: the fixed offset of clock.start; no clock.calendar: XNYS (an index market)
    expect(scenario.timeZone.name).toBe('UTC-05:00');
    expect(scenario.timeZone.offsetAt(t('09:30'))).toBe(-300);
    expect(scenario.clock.calendar.name).toBe('XNYS');
    expect(scenario.account.equity).toBe(1_000_000);
  });

  it('normalises every fault into the tagged union, in file order', () => {
    expect(scenario.faults.map((f) => f.kind)).toEqual([
      'reject',
      'reject',
      'partialFill',
      'crashEngine',
      'disconnect',
      'duplicateFill',
    ]);
    const [comboReject, strikeReject, partial, crash, disconnect, duplicate] = scenario.faults;
    expect(comboReject).toMatchObject({
      code: 201,
      message: 'No trading permissions',
      match: { combo: true },
    });
    expect(strikeReject).toMatchObject({ match: { instrument: option, combo: null, probability: 1 } });
    expect(partial).toMatchObject({
      fraction: 0.5,
      restDelayMs: 300_000,
      match: { combo: false, probability: 0.5 },
    });
    expect(crash).toEqual({
      kind: 'crashEngine',
      index: 3,
      trigger: { kind: 'at', at: { t: t('10:08'), text: '10:08' } },
      restartAfterMs: 60_000,
    });
    expect(disconnect).toMatchObject({ at: { t: t('11:00') }, durationMs: 30_000 });
    expect(duplicate).toMatchObject({ at: { t: t('11:30') } });
  });

  it('resolves external activity, operator commands and the strategy', () => {
    expect(scenario.external.positions).toEqual([{ instrument: option, qty: 24, avgPrice: 0.48 }]);
    expect(scenario.external.orders[0]).toMatchObject({
      at: { t: t('11:30') },
      type: 'MKT',
      limitPrice: null,
    });
    expect(scenario.operator.map((c) => c.action)).toEqual(['order', 'flatten', 'resume', 'halt']);
    expect(scenario.operator[0]).toMatchObject({
      instrument: { symbol: 'PLTR' },
      type: 'LMT',
      limitPrice: 170.77,
      stopPrice: null,
      protectiveStopPrice: null,
      fit: false,
      strategy: null,
    });
    expect(scenario.operator[1]).toMatchObject({ target: { kind: 'strategy', strategyId: 'ic-0dte' } });
    expect(scenario.strategies[0]).toMatchObject({
      id: 'ic-0dte',
      kind: 'iron-condor-0dte',
      params: { underlying: 'XSP', shortDelta: 0.1, exitBy: '15:45' },
    });
    expect(scenario.risk.maxPositionsPerWeek).toBe(10);
  });

  it('only warns that PLTR has no market: the spec orders it with only XSP in the market', () => {
    expect(result.ok && result.warnings).toEqual([
      "operator[0].symbol: unknown symbol 'PLTR' (market has: XSP); the venue has no price for it",
    ]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(scenario.faults[0])).toBe(true);
    expect(Object.isFrozen(scenario.venue.commission)).toBe(true);
  });
});

describe('a minimal scenario', () => {
  const scenario = loaded(load({}));

  it('fills every default', () => {
    expect(scenario.seed).toBe(1);
    expect(scenario.account).toEqual({ equity: 1_000_000 });
    expect(scenario.market[0]).toEqual({
      symbol: 'XSP',
      kind: 'index',
      spot: 683.38,
      vol: 0.2,
      drift: 0,
      path: 'gbm',
      points: [],
      bars: null,
      stepMs: 5000,
      jumps: { perDay: 0, meanPct: 0, stdPct: 0 },
      optionSpread: { minWidth: 0.01, pctOfMid: 0.05 },
      tick: 0.01,
    });
    expect(scenario.venue).toEqual({
      products: 'options',
      combos: true,
      latencyMs: 50,
      commission: { perContract: 0.65, perShare: 0.005, rate: 0.0005, minimum: 1 },
      positionIds: 'distinct',
      positionHistory: false,
    });
    expect(scenario.faults).toEqual([]);
    expect(scenario.external).toEqual({ positions: [], orders: [] });
    expect(scenario.operator).toEqual([]);
    expect(scenario.strategies).toEqual([]);
    expect(scenario.risk).toEqual({
      riskPerTradePct: 0.02,
      maxPositionPct: 0.1,
      maxDailyPct: 0.2,
      maxWeeklyPct: 0.4,
      maxPositionsPerDay: 2,
      maxPositionsPerWeek: 10,
      positionsPerWeekWarnAt: 8,
      fatFingerPct: 0.05,
      scanTimes: ['10:30', '15:55'],
      perStrategy: [],
    });
  });

  it('takes its name from the file when it has none', () => {
    expect(
      loaded(parseScenario(stringify(omit(minimal, 'name')), 'scenarios/quiet-day.yaml', 'yaml')).name,
    ).toBe('quiet-day');
  });

  it('keeps position history on for a futures venue', () => {
    const venue = loaded(load({ venue: { products: 'futures' } })).venue;
    expect(venue.positionHistory).toBe(true);
  });

  it('fills iron condor params from the spec defaults', () => {
    const s = loaded(load({ strategies: [{ id: 'ic', kind: 'iron-condor-0dte' }] }));
    expect(s.strategies[0]?.params).toEqual({
      underlying: 'XSP',
      shortDelta: 0.1,
      wingWidth: 1,
      minCredit: 0.1,
      qty: 1,
      stopLossMultiple: 3,
      takeProfitPct: 0.5,
      entryFrom: '09:45',
      entryUntil: '14:00',
      exitBy: '15:45',
      executionsPerDay: 16,
    });
  });

  it('checks replayed strikes form a condor', () => {
    const bad = load({
      strategies: [
        {
          id: 'ic',
          kind: 'iron-condor-0dte',
          params: { strikes: { longPut: 672, shortPut: 671, shortCall: 692, longCall: 693 } },
        },
      ],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors.join('\n')).toMatch(
        /strategies\[0\]\.params\.strikes: must satisfy longPut < shortPut < shortCall < longCall/,
      );
  });
});

describe('faults and commands in their loaded form', () => {
  it('normalises every fault shape', () => {
    const s = loaded(
      load({
        faults: [
          { match: { side: 'SELL', nth: 2, from: '10:00', until: '11:00' }, delayFill: 0.5 },
          { match: { origin: 'keel', intent: 'close' }, partialFill: 0.25 },
          { afterAppends: 3, crashEngine: {} },
        ],
      }),
    );
    const expected: ScenarioFault[] = [
      {
        kind: 'delayFill',
        index: 0,
        match: {
          combo: null,
          side: 'SELL',
          symbol: null,
          instrument: null,
          origin: null,
          from: { t: t('10:00'), text: '10:00' },
          until: { t: t('11:00'), text: '11:00' },
          nth: 2,
          probability: 1,
          intent: null,
        },
        delayMs: 500,
      },
      {
        kind: 'partialFill',
        index: 1,
        match: expect.objectContaining({ origin: 'keel', intent: 'close' }) as never,
        fraction: 0.25,
        restDelayMs: null,
      },
      {
        kind: 'crashEngine',
        index: 2,
        trigger: { kind: 'afterAppends', appends: 3 },
        restartAfterMs: 60_000,
      },
    ];
    expect(s.faults).toEqual(expected);
  });

  it('tells a stop trigger from a protective stop, and accepts ISO times for later days', () => {
    const s = loaded(
      load({
        clock: { start: '2026-02-13T09:30:00-05:00', end: '2026-02-16T16:15:00-05:00' },
        operator: [
          {
            at: '09:40',
            action: 'order',
            symbol: 'XSP',
            side: 'BUY',
            qty: 10,
            type: 'LMT',
            limit: 680,
            stop: 675,
          },
          {
            at: '2026-02-16T10:00:00-05:00',
            action: 'order',
            instrument: option,
            side: 'SELL',
            qty: 1,
            type: 'STP_LMT',
            stop: 0.5,
            limit: 0.45,
            fit: true,
          },
          { at: '10:00', action: 'cancel', mine: true },
          { at: '10:01', action: 'flatten', group: 'g-1' },
          { at: '10:02', action: 'halt' },
          { at: '10:03', action: 'reconcile' },
        ],
      }),
    );
    expect(s.operator[0]).toMatchObject({ stopPrice: null, protectiveStopPrice: 675 });
    expect(s.operator[1]).toMatchObject({
      at: { t: Date.parse('2026-02-16T15:00:00Z') },
      stopPrice: 0.5,
      limitPrice: 0.45,
      protectiveStopPrice: null,
      fit: true,
    });
    expect(s.operator.slice(2)).toEqual([
      { index: 2, at: { t: t('10:00'), text: '10:00' }, action: 'cancel', mine: true },
      {
        index: 3,
        at: { t: t('10:01'), text: '10:01' },
        action: 'flatten',
        target: { kind: 'group', groupId: 'g-1' },
      },
      { index: 4, at: { t: t('10:02'), text: '10:02' }, action: 'halt', reason: 'operator halt' },
      { index: 5, at: { t: t('10:03'), text: '10:03' }, action: 'reconcile' },
    ]);
  });

  it('resolves price points', () => {
    const s = loaded(
      load({
        market: [
          {
            symbol: 'XSP',
            kind: 'index',
            spot: 683,
            path: 'points',
            points: [
              ['10:05', 679.5],
              ['11:00', 690],
            ],
          },
        ],
      }),
    );
    expect(s.market[0]?.points).toEqual([
      { t: t('10:05'), text: '10:05', price: 679.5 },
      { t: t('11:00'), text: '11:00', price: 690 },
    ]);
  });
});

describe('clock.timeZone and clock.calendar (keel extensions)', () => {
  const march = { start: '2026-03-06T09:30:00-05:00', end: '2026-03-09T16:15:00-04:00' };

  it('reads "HH:MM" and prints times in the named zone, with the offset in force', () => {
    const result = load({ clock: { ...march, timeZone: 'America/New_York' } });
    const s = loaded(result);
    expect(result.ok && result.warnings).toEqual([]);
    expect(s.timeZone.name).toBe('America/New_York');
    expect(s.timeZone.offsetAt(s.clock.start.t)).toBe(-300);
    expect(s.timeZone.offsetAt(s.clock.end.t)).toBe(-240);
    expect(s.clock.calendar.name).toBe('XNYS');
  });

  it('without a zone keeps the start offset, and warns when the end names another', () => {
    const result = load({ clock: march });
    expect(loaded(result).timeZone.name).toBe('UTC-05:00');
    expect(result.ok && result.warnings).toEqual([
      "clock.end: its offset -04:00 differs from clock.start's -05:00; local times are read at -05:00 throughout: set clock.timeZone (e.g. America/New_York) to follow the exchange's changes",
    ]);
  });

  it('warns when an offset is not the one the zone has at that instant, naming the instant it is', () => {
    const result = load({
      clock: {
        start: '2026-03-09T09:30:00-05:00',
        end: '2026-03-09T16:15:00-04:00',
        timeZone: 'America/New_York',
      },
    });
    expect(result.ok && result.warnings).toEqual([
      'clock.start: 2026-03-09T09:30:00-05:00 has offset -05:00, but America/New_York is at -04:00 then; it is the instant 2026-03-09T10:30:00-04:00',
    ]);
  });

  it('refuses an unknown zone, and an unknown calendar', () => {
    expect(errorsOf(load({ clock: { ...minimal.clock, timeZone: 'Europe/Londn' } }))).toEqual([
      'clock.timeZone: expected an IANA time zone, e.g. "America/New_York" or "UTC", got "Europe/Londn"',
    ]);
    expect(errorsOf(load({ clock: { ...minimal.clock, calendar: 'NYSE' } }))).toEqual([
      'clock.calendar: expected one of XNYS, 24/7, weekdays, got "NYSE"',
    ]);
  });

  it('is 24/7 for crypto-only markets; a year without holiday data is refused when named, a warning by default', () => {
    const crypto = load({ market: [{ symbol: 'BTC-USDT', kind: 'crypto', spot: 100_000 }] });
    expect(loaded(crypto).clock.calendar.name).toBe('24/7');
    const clock2025 = { start: '2025-06-10T09:30:00-04:00', end: '2025-06-10T16:15:00-04:00' };
    const byDefault = load({ clock: clock2025 });
    expect(loaded(byDefault).clock.calendar.name).toBe('weekdays');
    expect(byDefault.ok && byDefault.warnings).toEqual([
      'clock: no XNYS holidays for 2025 (it covers 2026, 2027: src/domain/calendar-xnys.ts); every weekday trades: set clock.calendar to choose',
    ]);
    expect(errorsOf(load({ clock: { ...clock2025, calendar: 'XNYS' } }))).toEqual([
      'clock.calendar: no XNYS holidays for 2025 (it covers 2026, 2027: src/domain/calendar-xnys.ts); add them there, or set clock.calendar: weekdays',
    ]);
  });
});

describe('error messages', () => {
  it('unknown key', () => {
    const clock = { ...minimal.clock, tmie: '10:00' };
    expect(errorsOf(load({ clock }))).toEqual([
      "unknown key 'tmie' in clock (allowed: start, end, session, timeZone, calendar)",
    ]);
  });

  it('unknown key, with a guess', () => {
    expect(errorsOf(load({ risk: { maxDailyPtc: 0.1 } }))).toEqual([
      "unknown key 'maxDailyPtc' in risk (allowed: riskPerTradePct, maxPositionPct, maxDailyPct, " +
        'maxWeeklyPct, maxPositionsPerDay, maxPositionsPerWeek, positionsPerWeekWarnAt, fatFingerPct, ' +
        "scanTimes, perStrategy; did you mean 'maxDailyPct'?)",
    ]);
  });

  it('unknown key at the top level', () => {
    expect(errorsOf(load({ fault: [] }))[0]).toMatch(
      /^unknown key 'fault' in top level \(allowed: name, seed, clock/,
    );
  });

  it('wrong type, with the path', () => {
    const faults = [
      { match: { combo: true }, reject: { code: 201, message: 'x' } },
      { at: '11:00', disconnect: { seconds: 30 } },
      { match: { combo: true }, reject: { code: 'x', message: 'y' } },
    ];
    expect(errorsOf(load({ faults }))).toEqual(['faults[2].reject.code: expected integer, got "x"']);
  });

  it('missing key, wrong enum, out of range', () => {
    const market = [{ symbol: 'XSP', kind: 'stock', spot: -1 }];
    expect(errorsOf(load({ market, seed: 1.5, risk: { maxDailyPct: 1.5 } }))).toEqual([
      'seed: expected integer, got 1.5',
      'market[0].kind: expected one of index, equity, crypto, got "stock"',
      'market[0].spot: must be > 0, got -1',
      'risk.maxDailyPct: must be <= 1, got 1.5',
    ]);
    expect(errorsOf(parseScenario(stringify(omit(minimal, 'clock')), 'x.yaml', 'yaml'))).toEqual([
      'clock: missing (expected a mapping)',
    ]);
  });

  it('time outside the session', () => {
    const operator = [{ at: '17:00', action: 'halt', reason: 'late' }];
    expect(errorsOf(load({ operator }))).toEqual([
      'operator[0].at: 17:00 is outside the clock window 09:30-16:15 on 2026-02-13',
    ]);
  });

  it('time that is not a time', () => {
    const faults = [{ at: '25:00', disconnect: { seconds: 30 } }];
    expect(errorsOf(load({ faults }))).toEqual([
      'faults[0].at: expected a local time "HH:MM" or an ISO 8601 time with offset, got "25:00"',
    ]);
  });

  it('clock end before start', () => {
    const clock = { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T09:00:00-05:00' };
    expect(errorsOf(load({ clock }))).toEqual([
      'clock.end: must be after clock.start (2026-02-13T09:30:00-05:00), got "2026-02-13T09:00:00-05:00"',
    ]);
  });

  it('unknown symbol', () => {
    const external = { positions: [{ instrument: { ...option, symbol: 'SPX' }, qty: 24, avgPrice: 0.48 }] };
    expect(errorsOf(load({ external }))).toEqual([
      "external.positions[0].instrument.symbol: unknown symbol 'SPX' (market has: XSP)",
    ]);
  });

  it('option on a venue without options', () => {
    const external = { orders: [{ at: '10:00', instrument: option, side: 'BUY', qty: 1, type: 'MKT' }] };
    expect(errorsOf(load({ external, venue: { products: 'equities' } }))).toEqual([
      'external.orders[0].instrument: an option needs venue.products: options (it is equities)',
    ]);
  });

  it('bad expiry', () => {
    const positions = [
      { instrument: { ...option, expiry: '2026-02-30' }, qty: 1, avgPrice: 1 },
      { instrument: { ...option, expiry: '20260213' }, qty: 1, avgPrice: 1 },
    ];
    expect(errorsOf(load({ external: { positions } }))).toEqual([
      'external.positions[0].instrument.expiry: 2026-02-30 is not a calendar date',
      'external.positions[1].instrument.expiry: expected a date YYYY-MM-DD, got "20260213"',
    ]);
  });

  it('incomplete option terms', () => {
    const positions = [{ instrument: { ...option, strike: -5 }, qty: 1, avgPrice: 1 }];
    expect(errorsOf(load({ external: { positions } }))).toEqual([
      'external.positions[0].instrument.strike: must be > 0, got -5',
    ]);
    const incomplete = [
      { instrument: { symbol: 'XSP', expiry: '2026-02-13', strike: 700 }, qty: 1, avgPrice: 1 },
    ];
    expect(errorsOf(load({ external: { positions: incomplete } }))).toEqual([
      'external.positions[0].instrument: an option needs expiry, strike and right (missing: right)',
    ]);
  });

  it('duplicate strategy id', () => {
    const strategies = [
      { id: 'ic-0dte', kind: 'iron-condor-0dte' },
      { id: 'ic-0dte', kind: 'demo-condor', params: { anything: 1 } },
    ];
    expect(errorsOf(load({ strategies }))).toEqual([
      "strategies[1].id: duplicate strategy id 'ic-0dte' (also strategies[0])",
    ]);
  });

  it('unknown iron condor param, and an unknown strategy kind', () => {
    const strategies = [
      { id: 'ic', kind: 'iron-condor-0dte', params: { shortDleta: 0.1 } },
      { id: 'x', kind: 'straddle' },
    ];
    expect(errorsOf(load({ strategies }))[0]).toMatch(
      /^unknown key 'shortDleta' in strategies\[0\]\.params \(allowed: underlying, shortDelta, .*did you mean 'shortDelta'\?\)$/,
    );
    expect(errorsOf(load({ strategies }))[1]).toBe(
      'strategies[1].kind: expected one of iron-condor-0dte, equity-bracket, futures-protected, demo-condor, got "straddle"',
    );
  });

  it('flatten of a strategy that is not configured', () => {
    const operator = [{ at: '10:00', action: 'flatten', strategy: 'ic-odte' }];
    const strategies = [{ id: 'ic-0dte', kind: 'iron-condor-0dte' }];
    expect(errorsOf(load({ operator, strategies }))).toEqual([
      "operator[0].strategy: unknown strategy 'ic-odte' (configured: ic-0dte)",
    ]);
  });

  it('LMT without limit', () => {
    const operator = [{ at: '09:45', action: 'order', symbol: 'XSP', side: 'BUY', qty: 1, type: 'LMT' }];
    expect(errorsOf(load({ operator }))).toEqual(['operator[0].limit: required for type LMT']);
  });

  it('MKT with a limit', () => {
    const operator = [
      { at: '09:45', action: 'order', symbol: 'XSP', side: 'BUY', qty: 1, type: 'MKT', limit: 1 },
    ];
    expect(errorsOf(load({ operator }))).toEqual([
      'operator[0].limit: not used by type MKT (remove it, or use type: LMT)',
    ]);
  });

  it('resume without reason', () => {
    const operator = [{ at: '10:30', action: 'resume' }];
    expect(errorsOf(load({ operator }))).toEqual([
      'operator[0].reason: missing: resume needs a reason, e.g. reason: "checked by hand"',
    ]);
  });

  it('unknown operator action', () => {
    const operator = [{ at: '10:30', action: 'buy' }];
    expect(errorsOf(load({ operator }))).toEqual([
      'operator[0].action: expected one of order, flatten, halt, resume, cancel, reconcile, resolve, got "buy"',
    ]);
  });

  it('a fault with no action, with two, or with a key its action does not use', () => {
    const faults = [
      { match: { combo: true } },
      { match: { combo: true }, reject: { code: 201 }, partialFill: 0.5 },
      { at: '10:00', reject: { code: 201 } },
      { at: '10:00', crashEngine: {}, afterAppends: 2 },
    ];
    expect(errorsOf(load({ faults }))).toEqual([
      'faults[0]: no action: give one of reject, partialFill, delayFill, crashEngine, disconnect, duplicateFill',
      'faults[1]: one action per fault, got reject and partialFill (write them as separate faults)',
      'faults[2].at: not used by a reject fault (limit it in time with match.from / match.until)',
      'faults[3]: crashEngine needs exactly one of at ("HH:MM") or afterAppends (N)',
    ]);
  });

  it('price points out of order, and too many market steps', () => {
    const market = [
      {
        symbol: 'XSP',
        kind: 'index',
        spot: 683,
        path: 'points',
        stepSeconds: 0.001,
        points: [
          ['11:00', 690],
          ['10:05', 679.5],
        ],
      },
    ];
    expect(errorsOf(load({ market }))).toEqual([
      'market[0].stepSeconds: 0.001 makes 24300000 steps over the clock window (max 2000000)',
      'market[0].points[1][0]: 10:05 is not after the previous point (11:00)',
    ]);
  });

  it('names both ends of a window that spans days', () => {
    const clock = { start: '2026-02-13T09:30:00-05:00', end: '2026-02-16T16:15:00-05:00' };
    const operator = [{ at: '08:00', action: 'reconcile' }];
    expect(errorsOf(load({ clock, operator }))).toEqual([
      'operator[0].at: 08:00 is outside the clock window 2026-02-13T09:30:00-05:00 to ' +
        '2026-02-16T16:15:00-05:00 ("HH:MM" is read on the start date; give later days as ISO times)',
    ]);
  });

  it('a strategy time outside the clock: an error when written, a warning when defaulted', () => {
    const clock = { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T12:00:00-05:00' };
    const result = load({ clock, strategies: [{ id: 'ic', kind: 'iron-condor-0dte' }] });
    expect(result.ok && result.warnings).toEqual([
      'strategies[0].params.entryUntil: 14:00 is outside the clock window 09:30-12:00 on 2026-02-13 ' +
        '(the default; set entryUntil to change it)',
      'strategies[0].params.exitBy: 15:45 is outside the clock window 09:30-12:00 on 2026-02-13 ' +
        '(the default; set exitBy to change it)',
    ]);
    const written = [
      { id: 'ic', kind: 'iron-condor-0dte', params: { entryUntil: '11:00', exitBy: '12:30' } },
    ];
    expect(errorsOf(load({ clock, strategies: written }))).toEqual([
      'strategies[0].params.exitBy: 12:30 is outside the clock window 09:30-12:00 on 2026-02-13',
    ]);
  });

  it('YAML syntax error names the line', () => {
    const text = 'name: broken\nclock:\n  start: "2026-02-13T09:30:00-05:00"\n   end: x\n';
    expect(errorsOf(parseScenario(text, 'broken.yaml', 'yaml'))).toEqual([
      'broken.yaml: YAML syntax error at line 4, column 1: All mapping items must start at the same column',
    ]);
  });

  it('a repeated YAML key is an error', () => {
    const text = `${stringify(minimal)}name: again\n`;
    expect(errorsOf(parseScenario(text, 'twice.yaml', 'yaml'))).toEqual([
      'twice.yaml: YAML syntax error at line 9, column 1: Map keys must be unique',
    ]);
  });

  it('an empty file', () => {
    expect(errorsOf(parseScenario('# nothing\n', 'empty.yaml', 'yaml'))).toEqual([
      'empty.yaml: the scenario is empty',
    ]);
  });
});

describe('JSON input', () => {
  it('loads the same scenario as YAML', () => {
    const fromJson = loaded(parseScenario(JSON.stringify(minimal), 'minimal.json', 'json'));
    const fromYaml = loaded(parseScenario(stringify(minimal), 'minimal.json', 'yaml'));
    expect(fromJson).toEqual(fromYaml);
  });

  it('a syntax error names the line', () => {
    const text = '{\n  "name": "x",\n  "seed": 1\n  "clock": {}\n}';
    expect(errorsOf(parseScenario(text, 'bad.json', 'json'))).toEqual([
      "bad.json: JSON syntax error at line 4, column 3: Expected ',' or '}' after property value",
    ]);
  });

  it('a repeated key is an error, not a silent override', () => {
    const text = JSON.stringify(minimal).replace('"name":"minimal"', '"name":"a","name":"b"');
    expect(errorsOf(parseScenario(text, 'twice.json', 'json'))).toEqual([
      'twice.json: JSON error at line 1, column 13: a key appears twice in one object',
    ]);
  });

  it('schema errors read the same as for YAML', () => {
    const text = JSON.stringify({ ...minimal, clock: { ...minimal.clock, tmie: 1 } });
    expect(errorsOf(parseScenario(text, 'x.json', 'json'))).toEqual([
      "unknown key 'tmie' in clock (allowed: start, end, session, timeZone, calendar)",
    ]);
  });
});

describe('loadScenario', () => {
  it('reads JSON by extension, and says when a file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-scenario-'));
    try {
      const file = join(dir, 'small.json');
      writeFileSync(file, JSON.stringify(minimal));
      expect(loaded(loadScenario(file)).source).toBe(file);
      expect(errorsOf(loadScenario(join(dir, 'missing.yaml')))).toEqual([
        `${join(dir, 'missing.yaml')}: cannot read the scenario file (ENOENT)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('validates scenarios built in code', () => {
    expect(loaded(validateScenario(minimal, 'in-code')).name).toBe('minimal');
  });
});
