// Engine settings for a scenario: the defaults, with the scenario's risk section as the budgets.
import { defaultEngineSettings, type EngineSettings, type RiskSettings } from '../../engine/settings';
import type { RiskConfig, Scenario } from '../scenario';

export function settingsForScenario(scenario: Scenario): EngineSettings {
  return { ...defaultEngineSettings, risk: riskSettings(scenario.account.equity, scenario.risk) };
}

export function riskSettings(equity: number, risk: RiskConfig): RiskSettings {
  return {
    accountEquity: equity,
    limits: {
      maxPositionPct: risk.maxPositionPct,
      maxDailyPct: risk.maxDailyPct,
      maxWeeklyPct: risk.maxWeeklyPct,
      maxPositionsPerDay: risk.maxPositionsPerDay,
      positionsPerWeekWarnAt: risk.positionsPerWeekWarnAt,
      maxPositionsPerWeek: risk.maxPositionsPerWeek,
    },
    strategyLimits: risk.perStrategy.map((s) => ({
      strategyId: s.strategy,
      limits: {
        maxPositionPct: s.maxPositionPct,
        maxDailyPct: s.maxDailyPct,
        maxWeeklyPct: s.maxWeeklyPct,
        maxPositionsPerDay: s.maxPositionsPerDay,
        positionsPerWeekWarnAt: s.positionsPerWeekWarnAt,
        maxPositionsPerWeek: s.maxPositionsPerWeek,
      },
    })),
    riskPerTradePct: risk.riskPerTradePct,
    fatFingerPct: risk.fatFingerPct,
    scanTimes: [...risk.scanTimes].sort(),
  };
}
