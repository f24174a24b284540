// The exposure budgets as a trader reads them, for report.json, the daily log and `keel status`.
import type { Micros } from '../../domain';
import type { Projection } from '../../ledger/projection';
import type { ScopeRemaining } from '../../risk';

export type BudgetScopeView = {
  scope: string;
  positionCap: number;
  dailyCap: number;
  weeklyCap: number;
  usedToday: number;
  usedWeek: number;
  freedAtNextScan: number;
  dailyLeft: number;
  weeklyLeft: number;
  nextOrderMax: number;
  positionsToday: number;
  positionsWeek: number;
  positionsTodayLeft: number;
  positionsWeekLeft: number;
  warning: string | null;
};

export type BudgetView = {
  dayEquity: number;
  weekEquity: number;
  scopes: BudgetScopeView[];
  weekRolledOn: string | null;
};

const usd = (m: Micros) => Math.floor(m / 10_000) / 100;

export function budgetView(p: Projection): BudgetView | null {
  const state = p.budget.state;
  const left = p.budget.remaining();
  if (state === null || left === null) return null;
  const scope = (s: ScopeRemaining): BudgetScopeView => ({
    scope: s.scope.kind === 'account' ? 'account' : `strategy ${s.scope.strategyId}`,
    positionCap: usd(s.caps.positionMicros),
    dailyCap: usd(s.caps.dailyMicros),
    weeklyCap: usd(s.caps.weeklyMicros),
    usedToday: usd((s.usage.consumedTodayMicros + s.usage.reservedTodayMicros) as Micros),
    usedWeek: usd((s.usage.consumedWeekMicros + s.usage.reservedWeekMicros) as Micros),
    freedAtNextScan: usd(s.usage.pendingFreeMicros),
    dailyLeft: usd(s.dailyLeftMicros),
    weeklyLeft: usd(s.weeklyLeftMicros),
    nextOrderMax: usd(s.nextOrderMaxMicros),
    positionsToday: s.usage.positionsToday,
    positionsWeek: s.usage.positionsWeek,
    positionsTodayLeft: s.positionsTodayLeft,
    positionsWeekLeft: s.positionsWeekLeft,
    warning: s.warning,
  });
  return {
    dayEquity: usd(state.day.equityMicros),
    weekEquity: usd(state.week.equityMicros),
    scopes: [left.account, ...left.strategies].map(scope),
    weekRolledOn: left.weekRolledOn,
  };
}

/** Markdown table lines for the daily log and the terminal. */
export function budgetLines(view: BudgetView): string[] {
  const out = [
    `Equity at the start of the day $${view.dayEquity.toFixed(2)}, of the week $${view.weekEquity.toFixed(2)}.`,
    '',
    '| scope | per position | today used / cap | week used / cap | next order max | positions today | positions week |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of view.scopes) {
    out.push(
      `| ${s.scope} | $${s.positionCap.toFixed(0)} | $${s.usedToday.toFixed(0)} / $${s.dailyCap.toFixed(0)} | $${s.usedWeek.toFixed(0)} / $${s.weeklyCap.toFixed(0)} | $${s.nextOrderMax.toFixed(0)} | ${s.positionsToday} (${s.positionsTodayLeft} left) | ${s.positionsWeek} (${s.positionsWeekLeft} left) |`,
    );
  }
  for (const s of view.scopes) if (s.warning) out.push('', `Warning (${s.scope}): ${s.warning}`);
  if (view.weekRolledOn) out.push('', `Week rolled on: ${view.weekRolledOn}`);
  return out;
}
