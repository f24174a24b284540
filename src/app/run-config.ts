// The `keel run` config: one file per strategy deployment. It names the venue and the trading
// session; the account, market, venue, strategies and risk sections use exactly the scenario keys
// (spec/simulation.md), so a config runs on the simulated venue as a scenario with no faults.
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  addDays,
  atDateTime,
  calendarCovers,
  calendarNamed,
  calendarNames,
  cryptoCalendar,
  fixedOffsetZone,
  formatIso,
  holidayOn,
  isTradingDay,
  localDate,
  nextTradingDay,
  parseIsoWithOffset,
  parseTimeZone,
  sessionTimeOn,
  weekdayOf,
  xnysCalendar,
  type ExchangeCalendar,
  type LocalDate,
  type TimeZone,
} from '../domain';
import { validateScenario } from '../sim/scenario';
import type { Scenario } from '../sim/scenario';
import { notifySchema, type NotifyConfig } from './notify/config';

const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM"');

const sessionSchema = z
  .object({
    // Required on the simulated venue; a broker's session is today's (the wall clock's).
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected the first session date YYYY-MM-DD')
      .optional(),
    open: timeOfDay.default('09:30'),
    close: timeOfDay.default('16:15'),
    // The exchange's zone; default the calendar's (America/New_York, or UTC for 24/7).
    timeZone: z
      .string()
      .refine((name) => parseTimeZone(name) !== null, {
        error: (issue) =>
          `unknown time zone ${JSON.stringify(issue.input)}: give an IANA name such as America/New_York, Europe/London or UTC (or utcOffset: '-05:00' for a fixed offset)`,
      })
      .optional(),
    // Older configs: one fixed offset all year (it does not follow daylight saving).
    utcOffset: z
      .string()
      .regex(
        /^[+-]\d{2}:\d{2}$/,
        'expected the exchange UTC offset, e.g. "-05:00" (better: timeZone: America/New_York)',
      )
      .optional(),
    calendar: z.enum(calendarNames).optional(),
    days: z.int().min(1).max(260).default(1),
  })
  .strict()
  .refine((s) => s.timeZone === undefined || s.utcOffset === undefined, {
    path: ['utcOffset'],
    message: 'give timeZone or utcOffset, not both (timeZone follows daylight saving; remove utcOffset)',
  });

/** Venues keel can name (docs/venues.md says which have an adapter). */
export const venueKinds = ['sim', 'ibkr', 'alpaca', 'ccxt'] as const;

const configSchema = z
  .object({
    name: z.string().min(1),
    seed: z.int().min(0).default(1),
    session: sessionSchema,
    venue: z.looseObject({ kind: z.enum(venueKinds).default('sim') }).prefault({}),
    account: z.unknown().optional(),
    market: z.unknown(),
    strategies: z.unknown(),
    risk: z.unknown().optional(),
    journal: z.string().min(1).optional(),
    notify: notifySchema.optional(),
  })
  .strict();

export type RunConfig = {
  readonly file: string;
  readonly name: string;
  readonly venueKind: (typeof venueKinds)[number];
  readonly days: number;
  readonly journal: string | null;
  /** The `venue:` section without `kind`: a broker's connection settings (parsed by its adapter). */
  readonly venueSettings: Readonly<Record<string, unknown>>;
  /** On the simulated venue, the config as a scenario; for a broker, its strategies and risk. */
  readonly scenario: Scenario;
  /** Alerts to webhooks (docs/config.md#notify); null without a notify section. */
  readonly notify: NotifyConfig | null;
  /** What the config allows but a user should know (a price file ending before the run does). */
  readonly warnings: readonly string[];
};

export type RunConfigResult = { ok: true; config: RunConfig } | { ok: false; errors: string[] };

export type RunOverrides = {
  readonly days?: number;
  readonly seed?: number;
  /** The wall clock a broker config's session date is taken from (default now). */
  readonly nowMs?: number;
};

export function loadRunConfig(file: string, overrides: RunOverrides = {}): RunConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`] };
  }
  let raw: unknown;
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    return {
      ok: false,
      errors: [`${file} is not valid YAML/JSON: ${e instanceof Error ? e.message : String(e)}`],
    };
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${configPath(i.path) || '(top level)'}: ${i.message}`),
    };
  }
  const c = parsed.data;
  const days = overrides.days ?? c.session.days;
  const calendar =
    c.session.calendar !== undefined ? calendarNamed(c.session.calendar) : defaultCalendar(c.market);
  const zone = sessionZone(c.session, calendar);
  const date: LocalDate | null =
    c.session.date ?? brokerSessionDate(c.venue.kind, overrides.nowMs, zone, calendar);
  if (date === null)
    return {
      ok: false,
      errors: ['session.date: required on the simulated venue: the first session day, e.g. 2026-02-09'],
    };
  if (parseIsoWithOffset(`${date}T00:00:00Z`) === null)
    return { ok: false, errors: [`session.date: ${date} is not a calendar date`] };
  const firstDay = checkFirstDay(date, calendar);
  if (firstDay !== null) return { ok: false, errors: [firstDay] };
  const lastDay = nthTradingDay(date, calendar, days);
  if (!lastDay.ok) return { ok: false, errors: [lastDay.error] };
  // Each end at the offset in force that day; the last day's close is earlier on an early close.
  const start = formatIso(atDateTime(date, c.session.open, zone), zone);
  const lastClose = sessionTimeOn(c.session.close, lastDay.date, calendar);
  const end = formatIso(atDateTime(lastDay.date, lastClose, zone), zone);
  const { kind, ...venue } = c.venue;
  const strategies = withSignalFiles(c.strategies, dirname(file));
  if (!strategies.ok) return { ok: false, errors: strategies.errors };
  const scenarioInput: Record<string, unknown> = {
    name: c.name,
    seed: overrides.seed ?? c.seed,
    clock: {
      start,
      end,
      session: { open: c.session.open, close: c.session.close },
      timeZone: zone.name,
      calendar: calendar.name,
    },
    // A broker's section is its connection, not simulated capabilities.
    venue: kind === 'sim' ? venue : { products: productsTraded(c.strategies) },
    market: c.market,
    strategies: strategies.value,
  };
  if (c.account !== undefined) scenarioInput['account'] = c.account;
  if (c.risk !== undefined) scenarioInput['risk'] = c.risk;
  const result = validateScenario(scenarioInput, file);
  if (!result.ok) return { ok: false, errors: [...result.errors] };
  return {
    ok: true,
    config: {
      file,
      name: c.name,
      venueKind: kind,
      days,
      journal: c.journal ?? null,
      venueSettings: venue,
      scenario: result.scenario,
      notify: c.notify ?? null,
      warnings: result.warnings,
    },
  };
}

/** What a broker config's strategies trade (the simulated venue is told by venue.products). */
function productsTraded(strategies: unknown): 'options' | 'equities' | 'futures' {
  const first: unknown = Array.isArray(strategies) ? strategies[0] : undefined;
  const kind = typeof first === 'object' && first !== null && 'kind' in first ? first.kind : undefined;
  if (kind === 'equity-bracket') return 'equities';
  if (kind === 'futures-protected') return 'futures';
  return 'options';
}

/**
 * A broker config without session.date trades today's session (the exchange's date now), or the
 * next one when today is closed; --venue sim tries it on that day. Null on the simulated venue.
 */
function brokerSessionDate(
  kind: (typeof venueKinds)[number],
  nowMs: number | undefined,
  zone: TimeZone,
  calendar: ExchangeCalendar,
): LocalDate | null {
  if (kind === 'sim') return null;
  const today = localDate(nowMs ?? Date.now(), zone);
  return isTradingDay(today, calendar) ? today : nextTradingDay(today, calendar);
}

/** 24/7 when every market is crypto, else the US equities and options calendar. */
function defaultCalendar(market: unknown): ExchangeCalendar {
  const crypto =
    Array.isArray(market) &&
    market.length > 0 &&
    market.every((m: unknown) => typeof m === 'object' && m !== null && 'kind' in m && m.kind === 'crypto');
  return crypto ? cryptoCalendar : xnysCalendar;
}

/** session.timeZone, else the fixed session.utcOffset of older configs, else the calendar's zone. */
function sessionZone(
  session: { timeZone?: string | undefined; utcOffset?: string | undefined },
  calendar: ExchangeCalendar,
): TimeZone {
  if (session.utcOffset !== undefined) {
    const parsed = parseIsoWithOffset(`2026-01-01T00:00:00${session.utcOffset}`);
    if (parsed !== null) return fixedOffsetZone(parsed.utcOffsetMin);
  }
  const zone = parseTimeZone(session.timeZone ?? calendar.timeZone);
  if (zone === null)
    throw new Error(`session.timeZone was checked: ${session.timeZone ?? calendar.timeZone}`);
  return zone;
}

function uncovered(date: LocalDate, calendar: ExchangeCalendar): string {
  return `no ${calendar.name} holidays for ${date.slice(0, 4)} (src/domain/calendar-xnys.ts covers ${calendar.years?.join(', ')}): add that year there, or set session.calendar: weekdays`;
}

/** Why the first session date cannot start a run, or null. */
function checkFirstDay(date: LocalDate, calendar: ExchangeCalendar): string | null {
  if (!calendarCovers(date, calendar)) return `session.date: ${uncovered(date, calendar)}`;
  if (isTradingDay(date, calendar)) return null;
  const weekday = weekdayOf(date);
  if (weekday === 0 || weekday === 6) return `session.date: ${date} is a weekend; give a trading day`;
  const holiday = holidayOn(date, calendar);
  return `session.date: ${date} is a market holiday (${holiday ?? 'closed'}); give a trading day, e.g. ${nextTradingDay(date, calendar)}`;
}

/** The nth trading day of the calendar, counting the first as 1 (weekends and holidays skipped). */
function nthTradingDay(
  first: LocalDate,
  calendar: ExchangeCalendar,
  n: number,
): { ok: true; date: LocalDate } | { ok: false; error: string } {
  let date = first;
  for (let left = n - 1; left > 0; left--) {
    date = nextTradingDayCovered(date, calendar);
    if (!calendarCovers(date, calendar))
      return {
        ok: false,
        error: `session.days: ${n} sessions from ${first} reach ${date}; ${uncovered(date, calendar)}`,
      };
  }
  return { ok: true, date };
}

/** The next trading day, or the first date of a year the calendar has no holidays for. */
function nextTradingDayCovered(date: LocalDate, calendar: ExchangeCalendar): LocalDate {
  let d = date;
  for (let i = 0; i < closedDaysMax; i++) {
    d = addDays(d, 1);
    if (!calendarCovers(d, calendar) || isTradingDay(d, calendar)) return d;
  }
  throw new Error(`${calendar.name} calendar: no trading day in the ${closedDaysMax} days after ${date}`);
}

/** No market closes for two weeks: bounds the walk to the next trading day. */
const closedDaysMax = 14;

/**
 * equity-bracket signals may live in a file (CSV with a header date,symbol,score,entry,stop, or a
 * JSON array), given as params.signalsFile relative to the config; they are read here, once.
 */
function withSignalFiles(
  strategies: unknown,
  base: string,
): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  if (!Array.isArray(strategies)) return { ok: true, value: strategies };
  const errors: string[] = [];
  const value = strategies.map((s: unknown, i) => {
    if (typeof s !== 'object' || s === null) return s;
    const params = (s as { params?: unknown }).params;
    if (typeof params !== 'object' || params === null || !('signalsFile' in params)) return s;
    const { signalsFile, ...rest } = params as { signalsFile: unknown };
    const field = `strategies.${i}.params.signalsFile`;
    if (typeof signalsFile !== 'string') {
      errors.push(`${field}: expected a file path`);
      return s;
    }
    const read = readSignalsFile(resolve(base, signalsFile), field);
    if (!read.ok) errors.push(...read.errors);
    return { ...s, params: { ...rest, signals: read.ok ? read.signals : [] } };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** Signals from a CSV (header date,symbol,score,entry,stop) or JSON file; errors name `field`. */
export function readSignalsFile(
  path: string,
  field: string,
): { ok: true; signals: unknown[] } | { ok: false; errors: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { ok: false, errors: [`${field}: cannot read ${path}`] };
  }
  const errors: string[] = [];
  const parsed =
    extname(path) === '.json' ? parseJsonSignals(text, field, errors) : parseCsvSignals(text, field, errors);
  if (errors.length > 0) return { ok: false, errors };
  if (!Array.isArray(parsed)) return { ok: false, errors: [`${field}: a JSON signals file holds an array`] };
  return { ok: true, signals: parsed };
}

function parseJsonSignals(text: string, field: string, errors: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`${field}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
}

const csvColumns = ['date', 'symbol', 'score', 'entry', 'stop'] as const;

function parseCsvSignals(text: string, field: string, errors: string[]): unknown[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  if (header.join(',') !== csvColumns.join(',')) {
    errors.push(`${field}: the CSV header must be ${csvColumns.join(',')}, got ${header.join(',')}`);
    return [];
  }
  return lines.map((line, n) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== csvColumns.length)
      errors.push(`${field}: line ${n + 2} has ${cells.length} columns, expected 5`);
    const [date, symbol, score, entry, stop] = cells;
    const row: Record<string, unknown> = {
      symbol,
      score: Number(score),
      entry: Number(entry),
      stop: Number(stop),
    };
    if (date !== undefined && date !== '') row['date'] = date;
    return row;
  });
}

/** "notify.webhooks[0].urlEnv", as the scenario errors name a place. */
function configPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, j) => (typeof k === 'number' ? `[${k}]` : j === 0 ? String(k) : `.${String(k)}`))
    .join('');
}
