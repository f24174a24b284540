// Engine settings for a scenario: the defaults, with the scenario's risk section as the budgets.
import { defaultEngineSettings, type EngineSettings, type RiskSettings } from '../../engine/settings';
import type { BudgetLimitsData } from '../../ledger/events';
import type { RiskConfig, Scenario, StrategyRiskConfig } from '../scenario';

export function settingsForScenario(scenario: Scenario): EngineSettings {
  return { ...defaultEngineSettings, risk: riskSettings(scenario.account.equity, scenario.risk) };
}

export function riskSettings(equity: number, risk: RiskConfig): RiskSettings {
  return {
    accountEquity: equity,
    limits: budgetLimits(risk),
    strategyLimits: risk.perStrategy.map((s) => ({ strategyId: s.strategy, limits: budgetLimits(s) })),
    riskPerTradePct: risk.riskPerTradePct,
    fatFingerPct: risk.fatFingerPct,
    scanTimes: [...risk.scanTimes].sort(),
  };
}

function budgetLimits(l: Omit<StrategyRiskConfig, 'strategy'>): BudgetLimitsData {
  return {
    maxPositionPct: l.maxPositionPct,
    maxDailyPct: l.maxDailyPct,
    maxWeeklyPct: l.maxWeeklyPct,
    maxPositionsPerDay: l.maxPositionsPerDay,
    positionsPerWeekWarnAt: l.positionsPerWeekWarnAt,
    maxPositionsPerWeek: l.maxPositionsPerWeek,
  };
}
