import { defaultGateLimits, type GateLimits } from './pre-trade-gate';

export type ExecutionSettings = {
  /** A working order not filled after this long is cancelled (confirmed) and re-priced. */
  readonly chaseStepMs: number;
  /** Limit = mid + aggression x (far side - mid): 0 is mid, 1 is the natural price. */
  readonly aggressionStart: number;
  readonly aggressionStartUrgent: number;
  readonly aggressionStep: number;
  /** No chasing past this (the configured slippage cap). */
  readonly aggressionMax: number;
  /** Orders one open or close operation may send before it gives up (residual, never a storm). */
  readonly attemptsMax: number;
};

export type BreakerSettings = {
  /** N rejections within the window halt trading. */
  readonly rejectionsMax: number;
  readonly rejectionsWindowMs: number;
};

export type EngineSettings = {
  readonly execution: ExecutionSettings;
  readonly gate: GateLimits;
  readonly breaker: BreakerSettings;
  /** Reconcile with the venue on this period while running. */
  readonly reconcileEveryMs: number;
};

export const defaultEngineSettings: EngineSettings = {
  execution: {
    chaseStepMs: 10_000,
    aggressionStart: 0,
    aggressionStartUrgent: 0.5,
    aggressionStep: 0.25,
    aggressionMax: 1,
    attemptsMax: 24,
  },
  gate: defaultGateLimits,
  breaker: { rejectionsMax: 6, rejectionsWindowMs: 60_000 },
  reconcileEveryMs: 60_000,
};
