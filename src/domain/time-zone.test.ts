import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedOffsetZone, parseTimeZone, timeZoneOf } from './time-zone';
import {
  atDateTime,
  atLocalTime,
  formatIso,
  localDate,
  localHhmm,
  localWeekday,
  parseIsoWithOffset,
} from './time';

const at = (iso: string) => {
  const parsed = parseIsoWithOffset(iso);
  if (parsed === null) throw new Error(`bad time ${iso}`);
  return parsed.epochMs;
};
const ny = timeZoneOf('America/New_York');

describe('TimeZone offsets across the 2026 US changes', () => {
  it('March 8 2026: -05:00 until 02:00 EST (07:00Z), then -04:00', () => {
    expect(ny.offsetAt(at('2026-03-06T14:45:00Z'))).toBe(-300);
    expect(ny.offsetAt(at('2026-03-08T06:59:59.999Z'))).toBe(-300);
    expect(ny.offsetAt(at('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(ny.offsetAt(at('2026-03-09T14:45:00Z'))).toBe(-240);
  });

  it('November 1 2026: -04:00 until 02:00 EDT (06:00Z), then -05:00', () => {
    expect(ny.offsetAt(at('2026-10-30T13:30:00Z'))).toBe(-240);
    expect(ny.offsetAt(at('2026-11-01T05:59:59.999Z'))).toBe(-240);
    expect(ny.offsetAt(at('2026-11-01T06:00:00Z'))).toBe(-300);
    expect(ny.offsetAt(at('2026-11-02T14:30:00Z'))).toBe(-300);
  });

  it('agrees with Intl at random instants of 1970-2100 in several zones, in any order of asking', () => {
    const names = [
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'America/Sao_Paulo',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.integer({ min: 0, max: 4_102_444_800_000 }), (name, t) => {
        const zone = timeZoneOf(name);
        expect(zone.offsetAt(t)).toBe(intlOffset(name, t));
      }),
      { numRuns: 2000 },
    );
  });

  it('Lord Howe changes by 30 minutes at 02:00 local, on a half hour of UTC', () => {
    const lordHowe = timeZoneOf('Australia/Lord_Howe');
    // 2026-04-05 02:00 LHDT (+11:00) is 2026-04-04T15:00Z; then +10:30
    expect(lordHowe.offsetAt(at('2026-04-04T14:59:59.999Z'))).toBe(660);
    expect(lordHowe.offsetAt(at('2026-04-04T15:00:00Z'))).toBe(630);
  });
});

describe('parseTimeZone', () => {
  it('knows IANA names (canonical, shared), UTC and fixed offsets; refuses anything else', () => {
    expect(parseTimeZone('America/New_York')?.name).toBe('America/New_York');
    expect(parseTimeZone('america/new_york')).toBe(ny);
    expect(parseTimeZone('UTC')?.offsetAt(0)).toBe(0);
    expect(parseTimeZone('UTC+09:00')).toBe(fixedOffsetZone(540));
    expect(fixedOffsetZone(-300).name).toBe('UTC-05:00');
    expect(fixedOffsetZone(0).name).toBe('UTC');
    expect(parseTimeZone('America/New_Yrok')).toBeNull();
    expect(parseTimeZone('EST5EDT ')).toBeNull();
    expect(parseTimeZone('UTC+25:00')).toBeNull();
    expect(() => timeZoneOf('Mars/Olympus')).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });
});

describe('formatting in a zone', () => {
  it('prints the offset in force at each instant: -05:00 on Friday, -04:00 on the Monday after', () => {
    expect(formatIso(at('2026-03-06T14:45:00Z'), ny)).toBe('2026-03-06T09:45:00-05:00');
    expect(formatIso(at('2026-03-09T13:45:00Z'), ny)).toBe('2026-03-09T09:45:00-04:00');
    expect(formatIso(at('2026-11-02T14:45:00.250Z'), ny)).toBe('2026-11-02T09:45:00.250-05:00');
    expect(formatIso(at('2026-02-13T14:30:00Z'), fixedOffsetZone(-300))).toBe('2026-02-13T09:30:00-05:00');
    expect(formatIso(at('2026-02-13T14:30:00Z'), fixedOffsetZone(0))).toBe('2026-02-13T14:30:00+00:00');
    expect(formatIso(at('2026-02-13T14:30:00Z'), timeZoneOf('Asia/Kolkata'))).toBe(
      '2026-02-13T20:00:00+05:30',
    );
  });

  it('local date, time of day and weekday follow the offset in force', () => {
    const mondayOpen = at('2026-03-09T13:30:00Z');
    expect(localDate(mondayOpen, ny)).toBe('2026-03-09');
    expect(localHhmm(mondayOpen, ny)).toBe('09:30');
    expect(localWeekday(mondayOpen, ny)).toBe(1);
    // 03:30Z on Saturday is still Friday evening in New York
    expect(localDate(at('2026-03-07T03:30:00Z'), ny)).toBe('2026-03-06');
    expect(localWeekday(at('2026-03-07T03:30:00Z'), ny)).toBe(5);
  });

  it('round-trips: parsing what formatIso prints gives the instant back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_735_689_600_000, max: 1_830_297_600_000 }), (t) => {
        expect(parseIsoWithOffset(formatIso(t, ny))?.epochMs).toBe(t);
      }),
    );
  });
});

describe('atLocalTime on both sides of a change', () => {
  it('gives 09:30 New York on the Friday before and the Monday after March 8', () => {
    const friday = at('2026-03-06T12:00:00-05:00');
    const monday = at('2026-03-09T12:00:00-04:00');
    expect(atLocalTime(friday, '09:30', ny)).toBe(at('2026-03-06T14:30:00Z'));
    expect(atLocalTime(monday, '09:30', ny)).toBe(at('2026-03-09T13:30:00Z'));
    // the offset at the target time counts, not the offset at `day`: from Sunday 00:30 EST
    const sundayEarly = at('2026-03-08T00:30:00-05:00');
    expect(atLocalTime(sundayEarly, '15:45', ny)).toBe(at('2026-03-08T15:45:00-04:00'));
  });

  it('gives 15:45 New York on both sides of November 1', () => {
    expect(atDateTime('2026-10-30', '15:45', ny)).toBe(at('2026-10-30T19:45:00Z'));
    expect(atDateTime('2026-11-02', '15:45', ny)).toBe(at('2026-11-02T20:45:00Z'));
    const sundayEarly = at('2026-11-01T00:30:00-04:00');
    expect(atLocalTime(sundayEarly, '16:00', ny)).toBe(at('2026-11-01T16:00:00-05:00'));
  });

  it('moves a skipped time past the gap and takes the first of a repeated time', () => {
    expect(atDateTime('2026-03-08', '02:30', ny)).toBe(at('2026-03-08T03:30:00-04:00'));
    expect(atDateTime('2026-11-01', '01:30', ny)).toBe(at('2026-11-01T01:30:00-04:00'));
    expect(atDateTime('2026-11-01', '02:30', ny)).toBe(at('2026-11-01T02:30:00-05:00'));
  });

  it('is the inverse of the local time of day wherever that time exists once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_735_689_600_000, max: 1_830_297_600_000 }), (t) => {
        const whole = Math.floor(t / 60_000) * 60_000;
        const back = atLocalTime(whole, localHhmm(whole, ny), ny);
        // only the repeated autumn hour may answer its first occurrence
        if (back !== whole) expect(whole - back).toBe(3_600_000);
        else expect(back).toBe(whole);
      }),
    );
  });
});

function intlOffset(name: string, t: number): number {
  const text = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' })
    .formatToParts(t)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(text ?? '');
  if (m === null) throw new Error(`unexpected offset text ${text}`);
  return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
