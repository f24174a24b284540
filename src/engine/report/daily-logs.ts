// The daily logs of a multi-day run, each from the journal as of its own day's end: the equity
// and budgets that day started with, what it booked, what it held overnight. One projection of
// the whole run would show every day the run's end (issue 19: three days, one budget block).
import { InvariantError, atDateTime, type LocalDate, type TimeZone } from '../../domain';
import { eventVersions, type JournalEvent } from '../../ledger/events';
import { Projection } from '../../ledger/projection';
import type { EventStore } from '../recorder';
import { buildDailyLog, groupTotals, type Marks } from './daily-log';
import type { Report } from './report-types';

export type DayLog = { readonly day: LocalDate; readonly text: string };

/**
 * One log per session date, in order. A day covers its midnight to the next session's midnight
 * (events between sessions belong to the earlier one; the first day also takes what came before).
 */
export function buildDailyLogs(
  store: EventStore,
  timeZone: TimeZone,
  report: Report,
  title: string,
  days: readonly LocalDate[],
  marksOn: (day: LocalDate) => Marks | null,
): DayLog[] {
  const p = new Projection(timeZone);
  const logs: DayLog[] = [];
  let atStart = groupTotals(p);
  let from = -Infinity;
  const endOf = (i: number) => {
    const next = days[i + 1];
    return next === undefined ? Infinity : atDateTime(next, '00:00', timeZone);
  };
  const close = () => {
    const day = days[logs.length];
    if (day === undefined) throw new InvariantError('a daily log past the last session');
    const to = endOf(logs.length);
    logs.push({ day, text: buildDailyLog(p, report, title, { day, from, to, atStart }, marksOn(day)) });
    atStart = groupTotals(p);
    from = to;
  };
  for (const stored of store.read()) {
    if (!(stored.type in eventVersions))
      throw new InvariantError(`journal event ${stored.seq} has unknown type '${stored.type}'`);
    while (logs.length < days.length - 1 && stored.t >= endOf(logs.length)) close();
    p.apply(stored as JournalEvent);
  }
  while (logs.length < days.length) close();
  return logs;
}
