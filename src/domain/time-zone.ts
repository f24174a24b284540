// The exchange's time zone: which UTC offset is in force at an instant. A fixed offset is wrong
// for half the year (a New York engine on -05:00 trades an hour late all summer), so keel names
// an IANA zone and reads its offsets from Intl, which follows the tz database.
//
// Time formatting is on the simulator's hot path, so Intl is asked only when a UTC year is first
// touched: that year's transitions are found once (sampled daily, then bisected to the
// millisecond) and `offsetAt` is a check of the last segment used, else a binary search.
// Assumption: a zone changes its offset at most once a day (true of every zone in the tz database since 1970).
import { assert, InvariantError } from './assert';
import type { EpochMs } from './time';

export interface TimeZone {
  /** IANA name ("America/New_York", "UTC") or a fixed offset ("UTC-05:00"). */
  readonly name: string;
  /** Minutes east of UTC in force at the instant t (-300 in New York in winter, -240 in summer). */
  offsetAt(t: EpochMs): number;
}

const msPerMinute = 60_000;
const sampleStepMs = 24 * 3_600_000;
/** Beyond any date keel trades on; bounds the per-year work and catches a seconds-for-ms mix-up. */
const yearMin = 1900;
const yearMax = 2200;
const offsetMinMax = 18 * 60;

const fixedName = /^UTC([+-])(\d{2}):(\d{2})$/;

/** A zone that is always `minutes` east of UTC; named "UTC-05:00" (or "UTC" for 0). */
export function fixedOffsetZone(minutes: number): TimeZone {
  if (!(Number.isInteger(minutes) && Math.abs(minutes) <= offsetMinMax))
    throw new InvariantError(`a fixed offset is whole minutes within ±18 h, got ${minutes}`);
  const cached = fixedZones.get(minutes);
  if (cached !== undefined) return cached;
  const zone: TimeZone = Object.freeze({ name: fixedOffsetName(minutes), offsetAt: () => minutes });
  fixedZones.set(minutes, zone);
  return zone;
}

const fixedZones = new Map<number, TimeZone>();
const namedZones = new Map<string, TimeZone>();

export function fixedOffsetName(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * The zone of an IANA name ("America/New_York", case as Intl accepts it) or a fixed-offset name
 * ("UTC+09:00"); null when Intl does not know the name. Zones are shared: one per name.
 */
export function parseTimeZone(name: string): TimeZone | null {
  const fixed = fixedName.exec(name);
  if (fixed !== null) {
    const minutes = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
    return Math.abs(minutes) <= offsetMinMax && Number(fixed[3]) < 60 ? fixedOffsetZone(minutes) : null;
  }
  const known = namedZones.get(name);
  if (known !== undefined) return known;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null; // RangeError: not a zone Intl knows
  }
  const canonical = format.resolvedOptions().timeZone;
  const zone =
    canonical === 'UTC' ? fixedOffsetZone(0) : (namedZones.get(canonical) ?? ianaZone(canonical, format));
  namedZones.set(name, zone);
  namedZones.set(canonical, zone);
  return zone;
}

/** The zone of a name keel itself wrote (a journal, a checked config); throws on an unknown one. */
export function timeZoneOf(name: string): TimeZone {
  const zone = parseTimeZone(name);
  if (zone === null) throw new InvariantError(`unknown time zone '${name}'`);
  return zone;
}

type Segment = { readonly from: EpochMs; readonly until: EpochMs; readonly offset: number };

function ianaZone(name: string, format: Intl.DateTimeFormat): TimeZone {
  /** Segments of constant offset, sorted, covering the UTC years [firstYear, lastYear] with no gap. */
  const segments: Segment[] = [];
  let firstYear = 0;
  let lastYear = -1;
  let last: Segment = { from: 0, until: 0, offset: 0 };

  const intlOffset = (t: EpochMs): number => offsetFromIntl(format, t);

  const cover = (year: number): void => {
    if (!(year >= yearMin && year <= yearMax))
      throw new InvariantError(`${name}: year ${year} is outside ${yearMin}-${yearMax}`);
    if (lastYear < firstYear) {
      segments.push(...yearSegments(intlOffset, year));
      firstYear = lastYear = year;
      return;
    }
    while (year > lastYear) appendJoined(segments, yearSegments(intlOffset, ++lastYear));
    while (year < firstYear) prependJoined(segments, yearSegments(intlOffset, --firstYear));
  };

  const offsetAt = (t: EpochMs): number => {
    if (t >= last.from && t < last.until) return last.offset;
    const first = segments[0];
    const end = segments.at(-1);
    if (first === undefined || end === undefined || t < first.from || t >= end.until)
      cover(new Date(t).getUTCFullYear());
    last = findSegment(segments, t);
    return last.offset;
  };
  return Object.freeze({ name, offsetAt });
}

/** Minutes east of UTC at t, by Intl: the local wall time it prints, read as if it were UTC. */
function offsetFromIntl(format: Intl.DateTimeFormat, t: EpochMs): number {
  const f: Record<string, number> = {};
  for (const part of format.formatToParts(t)) if (part.type !== 'literal') f[part.type] = Number(part.value);
  const wall = Date.UTC(
    f['year'] ?? 0,
    (f['month'] ?? 1) - 1,
    f['day'] ?? 1,
    f['hour'] ?? 0,
    f['minute'] ?? 0,
    f['second'] ?? 0,
  );
  const wholeSecond = Math.floor(t / 1000) * 1000;
  // Local mean time before ~1900 had offsets in seconds; keel's offsets are whole minutes.
  return Math.round((wall - wholeSecond) / msPerMinute);
}

/** The year's segments: the offset at its start, then each change, found to the millisecond. */
function yearSegments(offsetAt: (t: EpochMs) => number, year: number): Segment[] {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const segments: Segment[] = [];
  let from = start;
  let offset = offsetAt(start);
  for (let t = start; t < end;) {
    const next = Math.min(t + sampleStepMs, end);
    const nextOffset = next === end ? offsetAt(end - 1) : offsetAt(next);
    if (nextOffset !== offset) {
      // The first instant in (t, next] with the new offset.
      let lo = t;
      let hi = next === end ? end - 1 : next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid) === offset) lo = mid;
        else hi = mid;
      }
      segments.push({ from, until: hi, offset });
      from = hi;
      offset = nextOffset;
    }
    t = next;
  }
  segments.push({ from, until: end, offset });
  return segments;
}

/** Appends a later year's segments, joining the boundary when the offset runs on. */
function appendJoined(segments: Segment[], later: Segment[]): void {
  const tail = segments.at(-1);
  const [head, ...rest] = later;
  assert(tail !== undefined && head !== undefined && tail.until === head.from, 'years must be contiguous');
  if (tail.offset === head.offset) segments[segments.length - 1] = { ...tail, until: head.until };
  else segments.push(head);
  segments.push(...rest);
}

function prependJoined(segments: Segment[], earlier: Segment[]): void {
  const head = segments[0];
  const tail = earlier.at(-1);
  assert(head !== undefined && tail !== undefined && tail.until === head.from, 'years must be contiguous');
  if (tail.offset === head.offset) {
    segments[0] = { ...head, from: tail.from };
    earlier.pop();
  }
  segments.unshift(...earlier);
}

function findSegment(segments: readonly Segment[], t: EpochMs): Segment {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as Segment).from <= t) lo = mid;
    else hi = mid - 1;
  }
  const s = segments[lo];
  if (!(s !== undefined && t >= s.from && t < s.until))
    throw new InvariantError(`no offset segment holds ${t}`);
  return s;
}
