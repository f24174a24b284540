// Engine code reads time only from a Clock. The simulator's clock advances with simulated events;
// the real clock (src/app) reads the wall clock. Times are epoch milliseconds; the exchange's time
// zone says how to print them in its local time, with the offset in force at each instant (a
// Monday after the March change prints -04:00 in New York, the Friday before it -05:00).
import { InvariantError } from './assert';
import type { TimeZone } from './time-zone';

export type EpochMs = number;
/** A local calendar date "YYYY-MM-DD". */
export type LocalDate = string;

export interface Clock {
  now(): EpochMs;
  /** The exchange's zone: local dates, times of day and printed offsets come from it. */
  readonly timeZone: TimeZone;
}

export function fixedClock(start: EpochMs, timeZone: TimeZone): Clock & { set(t: EpochMs): void } {
  let t = start;
  return {
    now: () => t,
    timeZone,
    set: (next) => {
      if (next < t) throw new InvariantError(`clock must not go backwards: ${next} < ${t}`);
      t = next;
    },
  };
}

const isoWithOffset =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

export type ParsedTime = { epochMs: EpochMs; utcOffsetMin: number };

/** Parses ISO 8601 with an explicit offset ("2026-02-13T09:30:00-05:00"); null if malformed. */
export function parseIsoWithOffset(text: string): ParsedTime | null {
  const m = isoWithOffset.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms, off] = m;
  const offset = off === 'Z' || off === undefined ? 0 : offsetMinutes(off);
  const utc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? 0),
    Number((ms ?? '0').padEnd(3, '0')),
  );
  const check = new Date(utc);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  return { epochMs: utc - offset * 60_000, utcOffsetMin: offset };
}

function offsetMinutes(off: string): number {
  const sign = off.startsWith('-') ? -1 : 1;
  return sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
}

const msPerMinute = 60_000;
const msPerDay = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** "+00:00", "-05:00", "+05:30". */
export function formatOffset(utcOffsetMin: number): string {
  const abs = Math.abs(utcOffsetMin);
  return `${utcOffsetMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

// The last local day and offset formatted: most calls in a run fall on the same day.
let cachedDay = NaN;
let cachedDate = '';

/** "YYYY-MM-DD" of a day number (days since 1970-01-01). */
function dateOfDay(day: number): LocalDate {
  if (day === cachedDay) return cachedDate;
  const d = new Date(day * msPerDay);
  cachedDate = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  cachedDay = day;
  return cachedDate;
}

/** Formats epoch ms as local time with the offset in force: "2026-02-13T09:30:05-05:00". */
export function formatIso(t: EpochMs, zone: TimeZone): string {
  const offset = zone.offsetAt(t);
  const local = t + offset * msPerMinute;
  const day = Math.floor(local / msPerDay);
  const msOfDay = local - day * msPerDay;
  const seconds = Math.floor(msOfDay / 1000);
  const ms = msOfDay - seconds * 1000;
  return (
    `${dateOfDay(day)}T${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}` +
    (ms ? `.${pad3(ms)}` : '') +
    formatOffset(offset)
  );
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function localDate(t: EpochMs, zone: TimeZone): LocalDate {
  return dateOfDay(Math.floor((t + zone.offsetAt(t) * msPerMinute) / msPerDay));
}

/** Local "HH:MM" of an instant. */
export function localHhmm(t: EpochMs, zone: TimeZone): string {
  const local = t + zone.offsetAt(t) * msPerMinute;
  const minutes = Math.floor((local - Math.floor(local / msPerDay) * msPerDay) / msPerMinute);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** Local day of the week, 0 Sunday to 6 Saturday. */
export function localWeekday(t: EpochMs, zone: TimeZone): number {
  return weekdayOfDay(Math.floor((t + zone.offsetAt(t) * msPerMinute) / msPerDay));
}

/** 1970-01-01 was a Thursday. */
function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Day of the week of a local date, 0 Sunday to 6 Saturday. */
export function weekdayOf(date: LocalDate): number {
  return weekdayOfDay(Math.floor(wallMsOf(date) / msPerDay));
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight of a local date, read as if it were UTC (the date's "wall clock" origin). */
function wallMsOf(date: LocalDate): number {
  const m = datePattern.exec(date);
  if (m === null) throw new InvariantError(`a date must be YYYY-MM-DD, got ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** The local date n days after `date` (n may be negative). */
export function addDays(date: LocalDate, n: number): LocalDate {
  return dateOfDay(Math.floor(wallMsOf(date) / msPerDay) + n);
}

const hhmmPattern = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Milliseconds after local midnight of "HH:MM" or "HH:MM:SS". */
export function msOfTimeOfDay(hhmm: string): number {
  const m = hhmmPattern.exec(hhmm);
  if (m === null) throw new InvariantError(`time of day must be HH:MM, got ${hhmm}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
}

/**
 * The instant a local wall-clock time (ms, read as if UTC) names in `zone`, with the offset in
 * force at that local time, not at some other instant of the day. A time that does not exist (in
 * the hour skipped in spring) moves forward by the gap, 02:30 to 03:30; a time that happens twice
 * (in autumn) is its first occurrence. Both as Temporal's "compatible" disambiguation.
 */
export function instantOfWall(wall: number, zone: TimeZone): EpochMs {
  const before = zone.offsetAt(wall - msPerDay);
  const guess = wall - before * msPerMinute;
  if (zone.offsetAt(guess) === before) return guess; // the common case: no change near this time
  const after = zone.offsetAt(wall + msPerDay);
  const later = wall - after * msPerMinute;
  if (zone.offsetAt(later) === after) return later;
  return guess; // in the gap: the offset before it carries the time past the gap
}

/** The instant of local "HH:MM" (or "HH:MM:SS") on the local date `date`. */
export function atDateTime(date: LocalDate, hhmm: string, zone: TimeZone): EpochMs {
  return instantOfWall(wallMsOf(date) + msOfTimeOfDay(hhmm), zone);
}

/** The instant of local "HH:MM" (or "HH:MM:SS") on the local date of `day`. */
export function atLocalTime(day: EpochMs, hhmm: string, zone: TimeZone): EpochMs {
  return atDateTime(localDate(day, zone), hhmm, zone);
}
