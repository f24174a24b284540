import { describe, expect, it } from 'vitest';
import { parseIsoWithOffset } from '../domain/time';
import { fixedOffsetZone, timeZoneOf } from '../domain/time-zone';
import {
  CALENDAR_MINUTES_PER_YEAR,
  TRADING_MINUTES_PER_YEAR,
  sessionMinutesBetween,
  tradingYearsToExpiry,
  yearsToExpiry,
} from './trading-time';

const NY = timeZoneOf('America/New_York');
const at = (iso: string) => {
  const parsed = parseIsoWithOffset(iso);
  if (parsed === null) throw new Error(`bad time ${iso}`);
  return parsed.epochMs;
};

describe('yearsToExpiry (calendar time)', () => {
  it('counts minutes over 365 * 24 * 60, so a 0DTE option keeps a real T', () => {
    const expiry = at('2026-02-13T16:00:00-05:00');
    expect(yearsToExpiry(at('2026-02-13T15:30:00-05:00'), expiry)).toBe(30 / CALENDAR_MINUTES_PER_YEAR);
    expect(yearsToExpiry(at('2026-02-13T09:56:00-05:00'), expiry)).toBeCloseTo(364 / 525600, 15);
    expect(yearsToExpiry(at('2026-02-13T15:59:30-05:00'), expiry)).toBeCloseTo(0.5 / 525600, 15);
    expect(yearsToExpiry(at('2025-02-13T16:00:00-05:00'), expiry)).toBe(1);
  });

  it('is 0 at and after expiry', () => {
    const expiry = at('2026-02-13T16:00:00-05:00');
    expect(yearsToExpiry(expiry, expiry)).toBe(0);
    expect(yearsToExpiry(expiry + 60_000, expiry)).toBe(0);
  });
});

describe('tradingYearsToExpiry (session minutes)', () => {
  it('counts only 09:30-16:00 on weekdays, over 252 * 390 minutes a year', () => {
    const expiry = at('2026-02-13T16:00:00-05:00'); // a Friday
    expect(sessionMinutesBetween(at('2026-02-13T09:56:00-05:00'), expiry, NY)).toBe(364);
    expect(tradingYearsToExpiry(at('2026-02-13T09:56:00-05:00'), expiry, NY)).toBe(
      364 / TRADING_MINUTES_PER_YEAR,
    );
    // before the open the whole session remains
    expect(sessionMinutesBetween(at('2026-02-13T06:00:00-05:00'), expiry, NY)).toBe(390);
    // Thursday 15:00 -> Friday close: 60 + 390 minutes; the night does not count
    expect(sessionMinutesBetween(at('2026-02-12T15:00:00-05:00'), expiry, NY)).toBe(450);
  });

  it('skips weekends', () => {
    const mondayClose = at('2026-02-16T16:00:00-05:00');
    expect(sessionMinutesBetween(at('2026-02-13T15:00:00-05:00'), mondayClose, NY)).toBe(60 + 390);
    expect(sessionMinutesBetween(at('2026-02-14T10:00:00-05:00'), at('2026-02-15T15:00:00-05:00'), NY)).toBe(
      0,
    );
    // one full week is five sessions
    expect(sessionMinutesBetween(at('2026-02-09T00:00:00-05:00'), at('2026-02-16T00:00:00-05:00'), NY)).toBe(
      5 * 390,
    );
  });

  it('counts fractions of a minute and handles another exchange offset', () => {
    const close = at('2026-02-13T16:00:00+01:00');
    const plusOne = fixedOffsetZone(60);
    expect(sessionMinutesBetween(at('2026-02-13T15:59:30+01:00'), close, plusOne)).toBe(0.5);
    expect(sessionMinutesBetween(close, close, plusOne)).toBe(0);
    expect(sessionMinutesBetween(close + 1, close, plusOne)).toBe(0);
  });

  it('counts each session at the offset in force that day, across both 2026 US changes', () => {
    // Friday 15:00 EST to Monday 16:00 EDT: 60 + 390 (a fixed -05:00 would end Monday at 15:00 EDT)
    expect(sessionMinutesBetween(at('2026-03-06T15:00:00-05:00'), at('2026-03-09T16:00:00-04:00'), NY)).toBe(
      450,
    );
    expect(sessionMinutesBetween(at('2026-10-30T15:00:00-04:00'), at('2026-11-02T16:00:00-05:00'), NY)).toBe(
      450,
    );
    // a whole week over the spring change is still five sessions
    expect(sessionMinutesBetween(at('2026-03-02T00:00:00-05:00'), at('2026-03-14T00:00:00-04:00'), NY)).toBe(
      10 * 390,
    );
  });

  it('refuses spans beyond its bound instead of looping for ever', () => {
    expect(() => sessionMinutesBetween(0, 11 * 366 * 86_400_000, NY)).toThrow();
  });
});
