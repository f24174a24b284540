import type { StrategyId } from '../domain';
import type { BudgetLimitsData } from '../ledger/events';

export type GateLimits = {
  /** Executions (leg fills) a strategy may make in one day: the cascade made 55 against 4-8. */
  readonly executionsPerDayMax: number;
  readonly ordersPerMinuteMax: number;
};

export const defaultGateLimits: GateLimits = { executionsPerDayMax: 40, ordersPerMinuteMax: 30 };

export type ExecutionSettings = {
  /** A working order not filled after this long is cancelled (confirmed) and re-priced. */
  readonly chaseStepMs: number;
  /** Limit = mid + aggression x (far side - mid): 0 is mid, 1 is the natural price. */
  readonly aggressionStart: number;
  readonly aggressionStartUrgent: number;
  readonly aggressionStep: number;
  /** No chasing past this (the configured slippage cap). */
  readonly aggressionMax: number;
  /**
   * Nor past this: a re-priced limit stays within this many ticks per contract (per unit of the
   * order, summed over its legs' ratios) of the operation's first limit for the same legs.
   */
  readonly slippageMaxTicks: number;
  /** An urgent close whose limit reached its cap goes to market, where the venue allows it. */
  readonly marketWhenUrgent: boolean;
  /** Orders one open or close operation may send before it gives up (residual, never a storm). */
  readonly attemptsMax: number;
};

export type BreakerSettings = {
  /** N rejections within the window halt trading. */
  readonly rejectionsMax: number;
  readonly rejectionsWindowMs: number;
};

/** Account risk: the exposure budgets, the risk per trade, the fat-finger band and the scans. */
export type RiskSettings = {
  /** Account value at the first start; later days add realized PnL. */
  readonly accountEquity: number;
  /**
   * The account's equity as the broker reports it now (a `keel run` on a broker that says: Alpaca's
   * `equity`). When it gives a figure, the budgets are configured and each new day and week opens
   * with it (and the dual-cap sizing's risk cap with them) instead of accountEquity plus what keel
   * realized; null: not known, the configured figure is used.
   */
  readonly venueEquity?: () => number | null;
  readonly limits: BudgetLimitsData;
  readonly strategyLimits: readonly { readonly strategyId: StrategyId; readonly limits: BudgetLimitsData }[];
  /** Loss at the protective stop as a fraction of equity (the risk cap of the dual-cap sizing). */
  readonly riskPerTradePct: number;
  /** A limit more than this fraction of mid beyond the far side of the quote is refused. */
  readonly fatFingerPct: number;
  /** Local "HH:MM" scan times: budget freed by closes becomes available at the next one. */
  readonly scanTimes: readonly string[];
};

export type EngineSettings = {
  readonly execution: ExecutionSettings;
  readonly gate: GateLimits;
  readonly breaker: BreakerSettings;
  /** Reconcile with the venue on this period while running. */
  readonly reconcileEveryMs: number;
  /** null: no exposure budgets (tests of the execution core only). */
  readonly risk: RiskSettings | null;
  /**
   * A checkpoint of the projection is journaled (beside the events) once per this many events,
   * and at a start that folded the whole journal; a start then replays only the events after the
   * newest one. 0: none. Default defaultCheckpointEveryEvents.
   */
  readonly checkpointEveryEvents?: number;
};

/**
 * A start folds at most twice this many events after its checkpoint (a fraction of a second);
 * writing one serialises the whole projection (bench/startup.bench.ts prints what it costs), so
 * it is taken when no order is working, unless the next one is already due.
 */
export const defaultCheckpointEveryEvents = 50_000;

export const defaultEngineSettings: EngineSettings = {
  execution: {
    chaseStepMs: 10_000,
    aggressionStart: 0,
    aggressionStartUrgent: 0.5,
    aggressionStep: 0.25,
    aggressionMax: 1,
    slippageMaxTicks: 20,
    // Off by default: a 0DTE option book is thin and a market order can fill anywhere.
    marketWhenUrgent: false,
    attemptsMax: 24,
  },
  gate: defaultGateLimits,
  breaker: { rejectionsMax: 6, rejectionsWindowMs: 60_000 },
  reconcileEveryMs: 60_000,
  risk: null,
};
