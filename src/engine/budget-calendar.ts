// The budgets' calendar: configure them on first start (or when the limits change), open a new
// day (and after Friday's close a new week) on the first tick of a trading day, and run the
// scheduled scans that make budget freed by closes available again. Each is a journal event, so
// a restart rebuilds the same budget state.
import {
  addDays,
  InvariantError,
  atDateTime,
  atLocalTime,
  localDate,
  localWeekday,
  microsToCents,
  netRealized,
  type Micros,
  type TimeZone,
} from '../domain';
import type { BudgetLimitsData } from '../ledger/events';
import type { EngineCore } from './engine-core';
import type { RiskSettings } from './settings';

/**
 * What the last tick learned, so a tick costs no string work: the budget state whose limits were
 * found equal to the settings (the state object is replaced on every budget event), and the local
 * day with its scan instants (computed once per day, not once per tick).
 */
type CalendarMemo = {
  limitsCheckedFor: object | null;
  day: { start: number; end: number; date: string; scans: readonly { at: string; t: number }[] } | null;
};
const memos = new WeakMap<EngineCore, CalendarMemo>();

export function rollBudgetCalendar(core: EngineCore, risk: RiskSettings): void {
  const p = core.p;
  const now = core.now();
  let memo = memos.get(core);
  if (memo === undefined) memos.set(core, (memo = { limitsCheckedFor: null, day: null }));
  const state = p.budget.state;
  if (
    state === null ||
    (memo.limitsCheckedFor !== state && limitsChanged(state.limits, state.strategyLimits, risk))
  ) {
    core.recorder.record('budget.configured', {
      equity: equityNow(core, risk),
      limits: { ...risk.limits },
      strategyLimits: risk.strategyLimits.map((s) => ({ strategyId: s.strategyId, limits: { ...s.limits } })),
    });
  }
  const current = p.budget.state;
  if (current === null) return;
  memo.limitsCheckedFor = current;
  if (memo.day === null || now < memo.day.start || now >= memo.day.end)
    memo.day = dayAround(now, p.timeZone, risk);
  const today = memo.day.date;
  const dayOfBudget = localDate(current.day.startedAt, p.timeZone);
  if (today !== dayOfBudget) {
    const equity = equityNow(core, risk);
    if (weekOf(now, p.timeZone) !== weekOf(current.week.startedAt, p.timeZone))
      core.recorder.record('budget.period', { kind: 'week', equity });
    core.recorder.record('budget.period', { kind: 'day', equity });
  }
  const lastScan = p.budget.state?.lastScanAt ?? null;
  let due: { at: string; t: number } | null = null;
  for (const scan of memo.day.scans) if (scan.t <= now && (due === null || scan.t > due.t)) due = scan;
  if (due !== null && (lastScan === null || lastScan < due.t))
    core.recorder.record('budget.scan', { at: due.at });
}

/** The local day holding `now`: its bounds as instants, its date and its scans' instants. */
function dayAround(now: number, zone: TimeZone, risk: RiskSettings): NonNullable<CalendarMemo['day']> {
  const date = localDate(now, zone);
  const start = atDateTime(date, '00:00', zone);
  const end = atDateTime(addDays(date, 1), '00:00', zone);
  if (!(start <= now && now < end)) throw new InvariantError(`the local day around ${now} must hold it`);
  return { start, end, date, scans: risk.scanTimes.map((at) => ({ at, t: atLocalTime(now, at, zone) })) };
}

/**
 * Account value for the budgets: what the broker reports when it does (journaled with the budget
 * event, so a replay needs no broker), else the configured equity plus everything realized since.
 */
function equityNow(core: EngineCore, risk: RiskSettings): number {
  const reported = risk.venueEquity?.() ?? null;
  if (reported !== null && Number.isFinite(reported) && reported > 0) return Math.round(reported * 100) / 100;
  let realized = 0 as Micros;
  for (const g of core.p.groups.values()) realized = (realized + netRealized(g.pnl)) as Micros;
  return risk.accountEquity + microsToCents(realized);
}

/** The local date of the Monday of t's week (by date, not by 24-hour steps: days are 23 or 25 hours at a change). */
function weekOf(t: number, zone: TimeZone): string {
  const back = (localWeekday(t, zone) + 6) % 7;
  return addDays(localDate(t, zone), -back);
}

function limitsChanged(
  limits: BudgetLimitsData,
  strategyLimits: readonly { strategyId: string; limits: BudgetLimitsData }[],
  risk: RiskSettings,
): boolean {
  return (
    JSON.stringify(limits) !== JSON.stringify(risk.limits) ||
    JSON.stringify(strategyLimits) !== JSON.stringify(risk.strategyLimits)
  );
}
