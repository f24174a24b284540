// US equity and equity-options trading days: the NYSE holidays and early closes, which Cboe's
// options markets follow. Source: NYSE, "Holidays and Trading Hours"
// (https://www.nyse.com/markets/hours-calendars), the published 2026 and 2027 calendar.
// Early closes are at 13:00 New York time. Checked by calendar.test.ts: every date is a weekday,
// observed holidays sit beside a weekend holiday, and the years are complete.
// A year missing here is refused, never guessed (a missing holiday would trade a closed market).

/** The years this file covers, each completely. */
export const xnysYears = [2026, 2027] as const;

export const xnysSource = 'NYSE holidays and trading hours, https://www.nyse.com/markets/hours-calendars';

/** Full-day closures, by local date, with the holiday's name. */
export const xnysHolidays: Readonly<Record<string, string>> = {
  '2026-01-01': "New Year's Day",
  '2026-01-19': 'Martin Luther King, Jr. Day',
  '2026-02-16': "Washington's Birthday",
  '2026-04-03': 'Good Friday',
  '2026-05-25': 'Memorial Day',
  '2026-06-19': 'Juneteenth National Independence Day',
  '2026-07-03': 'Independence Day (observed; July 4 is a Saturday)',
  '2026-09-07': 'Labor Day',
  '2026-11-26': 'Thanksgiving Day',
  '2026-12-25': 'Christmas Day',
  '2027-01-01': "New Year's Day",
  '2027-01-18': 'Martin Luther King, Jr. Day',
  '2027-02-15': "Washington's Birthday",
  '2027-03-26': 'Good Friday',
  '2027-05-31': 'Memorial Day',
  '2027-06-18': 'Juneteenth National Independence Day (observed; June 19 is a Saturday)',
  '2027-07-05': 'Independence Day (observed; July 4 is a Sunday)',
  '2027-09-06': 'Labor Day',
  '2027-11-25': 'Thanksgiving Day',
  '2027-12-24': 'Christmas Day (observed; December 25 is a Saturday)',
};

/** Sessions that close at 13:00 instead of 16:00. */
export const xnysEarlyCloses: Readonly<Record<string, string>> = {
  '2026-11-27': 'the day after Thanksgiving',
  '2026-12-24': 'Christmas Eve',
  '2027-11-26': 'the day after Thanksgiving',
};
