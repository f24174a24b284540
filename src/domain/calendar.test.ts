import { describe, expect, it } from 'vitest';
import {
  calendarCovers,
  cryptoCalendar,
  holidayOn,
  isEarlyClose,
  isTradingDay,
  nextTradingDay,
  sessionClose,
  sessionTimeOn,
  weekdaysCalendar,
  xnysCalendar,
} from './calendar';
import { xnysEarlyCloses, xnysHolidays, xnysYears } from './calendar-xnys';
import { addDays, weekdayOf } from './time';

describe('the XNYS data', () => {
  it('lists only weekdays, holidays and early closes apart, each year with its ten holidays', () => {
    for (const date of [...Object.keys(xnysHolidays), ...Object.keys(xnysEarlyCloses)]) {
      expect([1, 2, 3, 4, 5], date).toContain(weekdayOf(date));
      expect(xnysYears as readonly number[]).toContain(Number(date.slice(0, 4)));
    }
    for (const date of Object.keys(xnysEarlyCloses)) expect(xnysHolidays[date]).toBeUndefined();
    for (const year of xnysYears)
      expect(Object.keys(xnysHolidays).filter((d) => d.startsWith(`${year}-`))).toHaveLength(10);
  });

  it('puts the floating holidays on their rule days', () => {
    // third Monday of January and February, last Monday of May, first Monday of September,
    // fourth Thursday of November
    const nth = (year: number, month: number, weekday: number, n: number) => {
      let date = `${year}-${String(month).padStart(2, '0')}-01`;
      while (weekdayOf(date) !== weekday) date = addDays(date, 1);
      return addDays(date, 7 * (n - 1));
    };
    const lastMonday = (year: number) => {
      let date = `${year}-05-31`;
      while (weekdayOf(date) !== 1) date = addDays(date, -1);
      return date;
    };
    for (const year of xnysYears) {
      for (const date of [nth(year, 1, 1, 3), nth(year, 2, 1, 3), lastMonday(year), nth(year, 9, 1, 1)])
        expect(xnysHolidays[date], date).toBeDefined();
      const thanksgiving = nth(year, 11, 4, 4);
      expect(xnysHolidays[thanksgiving]).toBe('Thanksgiving Day');
      expect(xnysEarlyCloses[addDays(thanksgiving, 1)]).toBe('the day after Thanksgiving');
    }
  });

  it('has Good Friday two days before Easter (Gauss/Meeus computus)', () => {
    for (const year of xnysYears) expect(xnysHolidays[addDays(easter(year), -2)]).toBe('Good Friday');
  });
});

describe('XNYS calendar', () => {
  it('trades weekdays that are not holidays', () => {
    expect(isTradingDay('2026-03-06', xnysCalendar)).toBe(true); // Friday
    expect(isTradingDay('2026-03-07', xnysCalendar)).toBe(false); // Saturday
    expect(isTradingDay('2026-11-26', xnysCalendar)).toBe(false); // Thanksgiving
    expect(holidayOn('2026-11-26', xnysCalendar)).toBe('Thanksgiving Day');
    expect(isTradingDay('2026-07-03', xnysCalendar)).toBe(false); // observed Independence Day
    expect(isTradingDay('2027-12-24', xnysCalendar)).toBe(false); // observed Christmas
    expect(isTradingDay('2027-12-31', xnysCalendar)).toBe(true); // New Year 2028 is a Saturday: not observed
  });

  it('closes at 16:00, at 13:00 on an early close, and not at all on a holiday', () => {
    expect(sessionClose('2026-11-25', xnysCalendar)).toBe('16:00');
    expect(sessionClose('2026-11-26', xnysCalendar)).toBeNull();
    expect(sessionClose('2026-11-27', xnysCalendar)).toBe('13:00');
    expect(isEarlyClose('2026-12-24', xnysCalendar)).toBe(true);
    expect(isEarlyClose('2027-11-26', xnysCalendar)).toBe(true);
    expect(isEarlyClose('2027-12-23', xnysCalendar)).toBe(false);
  });

  it('finds the next trading day over weekends and holidays', () => {
    expect(nextTradingDay('2026-03-06', xnysCalendar)).toBe('2026-03-09');
    expect(nextTradingDay('2026-11-25', xnysCalendar)).toBe('2026-11-27');
    expect(nextTradingDay('2026-04-02', xnysCalendar)).toBe('2026-04-06'); // over Good Friday
  });

  it('refuses a year it has no holidays for, instead of guessing', () => {
    expect(calendarCovers('2028-01-03', xnysCalendar)).toBe(false);
    expect(() => isTradingDay('2028-01-03', xnysCalendar)).toThrow(/no holiday data for 2028/);
    expect(calendarCovers('2028-01-03', weekdaysCalendar)).toBe(true);
  });
});

describe('sessionTimeOn', () => {
  it('keeps times on a full day and moves those after an early close by as much as the close', () => {
    expect(sessionTimeOn('15:45', '2026-11-25', xnysCalendar)).toBe('15:45');
    expect(sessionTimeOn('15:45', '2026-11-27', xnysCalendar)).toBe('12:45');
    expect(sessionTimeOn('15:55', '2026-11-27', xnysCalendar)).toBe('12:55');
    expect(sessionTimeOn('16:15', '2026-11-27', xnysCalendar)).toBe('13:15');
    expect(sessionTimeOn('13:00:30', '2026-11-27', xnysCalendar)).toBe('10:00:30');
    expect(sessionTimeOn('10:30', '2026-11-27', xnysCalendar)).toBe('10:30');
    expect(sessionTimeOn('12:59', '2026-11-27', xnysCalendar)).toBe('12:59');
  });
});

describe('other calendars', () => {
  it('24/7 trades every day and never closes; weekdays has no holidays', () => {
    expect(isTradingDay('2026-11-28', cryptoCalendar)).toBe(true);
    expect(isTradingDay('2030-12-25', cryptoCalendar)).toBe(true);
    expect(sessionClose('2026-11-27', cryptoCalendar)).toBeNull();
    expect(sessionTimeOn('23:59', '2026-11-27', cryptoCalendar)).toBe('23:59');
    expect(isTradingDay('2026-11-26', weekdaysCalendar)).toBe(true);
    expect(isTradingDay('2026-11-28', weekdaysCalendar)).toBe(false);
    expect(sessionClose('2026-11-27', weekdaysCalendar)).toBe('16:00');
  });
});

/** Gregorian Easter Sunday (anonymous Gregorian algorithm). */
function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
