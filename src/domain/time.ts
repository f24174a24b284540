// Engine code reads time only from a Clock. The simulator's clock advances with simulated events;
// the real clock (src/app) reads the wall clock. Times are epoch milliseconds; an offset in
// minutes says how to print them in the exchange's local time.
import { assert } from './assert';

export type EpochMs = number;

export interface Clock {
  now(): EpochMs;
  /** Minutes east of UTC for the exchange's local time (-300 for New York in winter). */
  readonly utcOffsetMin: number;
}

export function fixedClock(start: EpochMs, utcOffsetMin: number): Clock & { set(t: EpochMs): void } {
  let t = start;
  return {
    now: () => t,
    utcOffsetMin,
    set: (next) => {
      assert(next >= t, `clock must not go backwards: ${next} < ${t}`);
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

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats epoch ms as local time with offset: "2026-02-13T09:30:05-05:00". */
export function formatIso(t: EpochMs, utcOffsetMin: number): string {
  const local = new Date(t + utcOffsetMin * 60_000);
  const ms = local.getUTCMilliseconds();
  const abs = Math.abs(utcOffsetMin);
  const off =
    utcOffsetMin === 0
      ? '+00:00'
      : `${utcOffsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    (ms ? `.${pad(ms, 3)}` : '') +
    off
  );
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function localDate(t: EpochMs, utcOffsetMin: number): string {
  return formatIso(t, utcOffsetMin).slice(0, 10);
}

/** Local "HH:MM" of an instant. */
export function localHhmm(t: EpochMs, utcOffsetMin: number): string {
  return formatIso(t, utcOffsetMin).slice(11, 16);
}

/** Local day of the week, 0 Sunday to 6 Saturday. */
export function localWeekday(t: EpochMs, utcOffsetMin: number): number {
  return new Date(t + utcOffsetMin * 60_000).getUTCDay();
}

/** The instant of local "HH:MM" (or "HH:MM:SS") on the local date of `day`. */
export function atLocalTime(day: EpochMs, hhmm: string, utcOffsetMin: number): EpochMs {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(hhmm);
  assert(m !== null, `time of day must be HH:MM, got ${hhmm}`);
  const date = localDate(day, utcOffsetMin);
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, Number(m[1]), Number(m[2]), Number(m[3] ?? 0)) - utcOffsetMin * 60_000;
}
