// Exchange calendars: which local dates trade and when each session closes. Pure; the data for
// US equities and options is in calendar-xnys.ts, with its source.
//
// - XNYS: New York Stock Exchange days (and Cboe options, which follow them): Monday to Friday
//   except holidays; the regular close is 16:00, an early close 13:00, New York time.
// - 24/7: crypto; every day trades, the market never closes; UTC.
// - weekdays: Monday to Friday, 16:00, no holidays (for dates the XNYS data does not cover).
//
// A date in a year the XNYS data does not cover is refused (an assertion), never guessed: a
// missing holiday would send orders to a closed market. Loaders check `calendarCovers` first and
// say what to do.
import { InvariantError } from './assert';
import { xnysEarlyCloses, xnysHolidays, xnysYears } from './calendar-xnys';
import { addDays, weekdayOf, type LocalDate } from './time';

export const calendarNames = ['XNYS', '24/7', 'weekdays'] as const;
export type CalendarName = (typeof calendarNames)[number];

export type ExchangeCalendar = {
  readonly name: CalendarName;
  /** The zone its hours are in: a session on this calendar defaults to it. */
  readonly timeZone: string;
  /** The regular session's close, local "HH:MM"; null: the market never closes. */
  readonly regularClose: string | null;
  /** The only years it knows the holidays of; null: it has none to know. */
  readonly years: readonly number[] | null;
};

export const xnysCalendar: ExchangeCalendar = Object.freeze({
  name: 'XNYS',
  timeZone: 'America/New_York',
  regularClose: '16:00',
  years: xnysYears,
});
export const cryptoCalendar: ExchangeCalendar = Object.freeze({
  name: '24/7',
  timeZone: 'UTC',
  regularClose: null,
  years: null,
});
export const weekdaysCalendar: ExchangeCalendar = Object.freeze({
  name: 'weekdays',
  timeZone: 'America/New_York',
  regularClose: '16:00',
  years: null,
});

const earlyClose = '13:00';

export function calendarNamed(name: CalendarName): ExchangeCalendar {
  switch (name) {
    case 'XNYS':
      return xnysCalendar;
    case '24/7':
      return cryptoCalendar;
    case 'weekdays':
      return weekdaysCalendar;
  }
}

/** Whether the calendar knows the holidays of this date's year. */
export function calendarCovers(date: LocalDate, calendar: ExchangeCalendar): boolean {
  return calendar.years === null || calendar.years.includes(Number(date.slice(0, 4)));
}

function assertCovered(date: LocalDate, calendar: ExchangeCalendar): void {
  if (!calendarCovers(date, calendar))
    throw new InvariantError(
      `${calendar.name} calendar: no holiday data for ${date.slice(0, 4)} (it covers ${calendar.years?.join(', ')})`,
    );
}

/** The holiday that closes the market on `date`, or null. */
export function holidayOn(date: LocalDate, calendar: ExchangeCalendar): string | null {
  if (calendar.name !== 'XNYS') return null;
  assertCovered(date, calendar);
  return xnysHolidays[date] ?? null;
}

export function isTradingDay(date: LocalDate, calendar: ExchangeCalendar): boolean {
  if (calendar.name === '24/7') return true;
  const weekday = weekdayOf(date);
  if (weekday === 0 || weekday === 6) return false;
  return holidayOn(date, calendar) === null;
}

/** Whether `date` is a trading day that closes early (13:00). */
export function isEarlyClose(date: LocalDate, calendar: ExchangeCalendar): boolean {
  return calendar.name === 'XNYS' && isTradingDay(date, calendar) && xnysEarlyCloses[date] !== undefined;
}

/** The session's close on `date`, "16:00" or "13:00"; null on a day that does not trade or never closes. */
export function sessionClose(date: LocalDate, calendar: ExchangeCalendar): string | null {
  if (calendar.regularClose === null || !isTradingDay(date, calendar)) return null;
  return isEarlyClose(date, calendar) ? earlyClose : calendar.regularClose;
}

/** Bounds the search for the next trading day (no market closes for two weeks). */
const closedDaysMax = 14;

/** The first trading day after `date`. */
export function nextTradingDay(date: LocalDate, calendar: ExchangeCalendar): LocalDate {
  let d = date;
  for (let i = 0; i < closedDaysMax; i++) {
    d = addDays(d, 1);
    if (isTradingDay(d, calendar)) return d;
  }
  throw new Error(`${calendar.name} calendar: no trading day in the ${closedDaysMax} days after ${date}`);
}

/**
 * A time of the regular session ("15:45") as it falls on `date`. On a full day it is unchanged.
 * On an early close, a time at or after that close comes as much earlier as the close does
 * (15:45 → 12:45 and 15:55 → 12:55 on a 13:00 close), so a time exit or a scan keeps its distance
 * to the bell instead of falling after it; earlier times (09:45, 10:30) stay.
 */
export function sessionTimeOn(hhmm: string, date: LocalDate, calendar: ExchangeCalendar): string {
  const close = sessionClose(date, calendar);
  const regular = calendar.regularClose;
  if (close === null || regular === null || close === regular || hhmm < close) return hhmm;
  const minutes = minutesOf(hhmm) - (minutesOf(regular) - minutesOf(close));
  const seconds = hhmm.length > 5 ? hhmm.slice(5) : '';
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}${seconds}`;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const pad2 = (n: number) => String(n).padStart(2, '0');
