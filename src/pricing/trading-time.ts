// Time to expiry in years, to the millisecond, so a 0DTE option 30 minutes before the close still
// has a meaningful T. Two clocks:
//
// - calendar time (yearsToExpiry): every minute counts, 365 * 24 * 60 minutes a year. It is the
//   default everywhere in keel and what QuantLib's Actual/365 (Fixed) means.
// - trading time (tradingYearsToExpiry): only regular-session minutes (09:30-16:00 exchange time,
//   Monday to Friday, no holiday calendar) count, 252 * 390 minutes a year. Variance then accrues
//   only while the market trades, which is how a 0DTE trader reads a vol of 0.21.
//
// The simulator quotes options in trading time (src/sim/market): with the scenario's vol 0.21 and
// calendar time, 6 hours of variance is a 0.55% move and the 10-delta strikes of XSP 683 would sit
// 5 points from spot; in trading time they sit 11-12 points away, where the 2026-02-13 incident's
// broker put them (671P / 691C).
import { assert, InvariantError } from '../domain/assert';
import { instantOfWall, msOfTimeOfDay, type EpochMs } from '../domain/time';
import type { TimeZone } from '../domain/time-zone';

export const CALENDAR_MINUTES_PER_YEAR = 365 * 24 * 60;
export const SESSION_OPEN = '09:30';
export const SESSION_CLOSE = '16:00';
export const SESSION_MINUTES = 390;
export const TRADING_DAYS_PER_YEAR = 252;
export const TRADING_MINUTES_PER_YEAR = TRADING_DAYS_PER_YEAR * SESSION_MINUTES;
/** Trading-time expiries further out than this are a programmer error (the day loop is bounded). */
export const TRADING_TIME_DAYS_MAX = 366 * 10;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 24 * 60 * MS_PER_MINUTE;

/** Calendar years from now to expiry; 0 once expired. */
export function yearsToExpiry(nowMs: EpochMs, expiryMs: EpochMs): number {
  assert(Number.isFinite(nowMs) && Number.isFinite(expiryMs), 'times must be finite epoch ms');
  return Math.max(expiryMs - nowMs, 0) / MS_PER_MINUTE / CALENDAR_MINUTES_PER_YEAR;
}

const openMs = msOfTimeOfDay(SESSION_OPEN);
const closeMs = msOfTimeOfDay(SESSION_CLOSE);

/**
 * Regular-session minutes between two instants (fractional), weekdays only, no holidays. Days are
 * walked by local date (a day is 23 or 25 hours at a change), each session at its own offset.
 */
export function sessionMinutesBetween(fromMs: EpochMs, toMs: EpochMs, zone: TimeZone): number {
  assert(Number.isFinite(fromMs) && Number.isFinite(toMs), 'times must be finite epoch ms');
  if (toMs <= fromMs) return 0;
  const days = Math.ceil((toMs - fromMs) / MS_PER_DAY) + 1;
  if (!(days <= TRADING_TIME_DAYS_MAX))
    throw new InvariantError(`trading time spans ${days} days, more than ${TRADING_TIME_DAYS_MAX}`);
  let ms = 0;
  // Local midnight of fromMs's date, read as if UTC: the wall clock of the first day.
  const firstWall = Math.floor((fromMs + zone.offsetAt(fromMs) * MS_PER_MINUTE) / MS_PER_DAY) * MS_PER_DAY;
  for (let i = 0; i <= days; i++) {
    const wall = firstWall + i * MS_PER_DAY;
    const open = instantOfWall(wall + openMs, zone);
    if (open >= toMs) break;
    if (!isWeekday(wall)) continue;
    const close = instantOfWall(wall + closeMs, zone);
    ms += Math.max(0, Math.min(close, toMs) - Math.max(open, fromMs));
  }
  return ms / MS_PER_MINUTE;
}

/** Trading years from now to expiry: session minutes over 252 * 390. */
export function tradingYearsToExpiry(nowMs: EpochMs, expiryMs: EpochMs, zone: TimeZone): number {
  return sessionMinutesBetween(nowMs, expiryMs, zone) / TRADING_MINUTES_PER_YEAR;
}

/** A local midnight (read as if UTC) on Monday to Friday; 1970-01-01 was a Thursday. */
function isWeekday(wallMidnight: number): boolean {
  const weekday = (((Math.floor(wallMidnight / MS_PER_DAY) + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}
