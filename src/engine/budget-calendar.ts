// The budgets' calendar: configure them on first start (or when the limits change), open a new
// day (and after Friday's close a new week) on the first tick of a trading day, and run the
// scheduled scans that make budget freed by closes available again. Each is a journal event, so
// a restart rebuilds the same budget state.
import {
  addDays,
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

export function rollBudgetCalendar(core: EngineCore, risk: RiskSettings): void {
  const p = core.p;
  const now = core.now();
  const state = p.budget.state;
  if (state === null || limitsChanged(state.limits, state.strategyLimits, risk)) {
    core.recorder.record('budget.configured', {
      equity: equityNow(core, risk),
      limits: { ...risk.limits },
      strategyLimits: risk.strategyLimits.map((s) => ({ strategyId: s.strategyId, limits: { ...s.limits } })),
    });
  }
  const current = p.budget.state;
  if (current === null) return;
  const today = localDate(now, p.timeZone);
  const dayOfBudget = localDate(current.day.startedAt, p.timeZone);
  if (today !== dayOfBudget) {
    const equity = equityNow(core, risk);
    if (weekOf(now, p.timeZone) !== weekOf(current.week.startedAt, p.timeZone))
      core.recorder.record('budget.period', { kind: 'week', equity });
    core.recorder.record('budget.period', { kind: 'day', equity });
  }
  const lastScan = p.budget.state?.lastScanAt ?? null;
  let due: { at: string; t: number } | null = null;
  for (const at of risk.scanTimes) {
    const t = atLocalTime(now, at, p.timeZone);
    if (t <= now && (due === null || t > due.t)) due = { at, t };
  }
  if (due !== null && (lastScan === null || lastScan < due.t))
    core.recorder.record('budget.scan', { at: due.at });
}

/** Account value for the budgets: the configured equity plus everything realized since. */
function equityNow(core: EngineCore, risk: RiskSettings): number {
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
