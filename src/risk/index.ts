// risk/: pure sizing, exposure, allocation and budget functions; the pre-trade gate builds on them.
export { sizePosition } from './sizing';
export type { PositionSize, SizeBound, SizingInput } from './sizing';

export {
  equityNotional,
  exposureOf,
  futuresNotional,
  ironCondorMaxLoss,
  maxLossOfOptionStructure,
  optionLegsMax,
  verticalSpreadMaxLoss,
} from './exposure';
export type { Exposure, OptionLeg, PositionForExposure } from './exposure';

export { allocateSignals, allocationDefaults, budgetOf, signalsMax } from './allocation';
export type {
  Allocation,
  AllocationInput,
  ExecutedSignal,
  Fraction,
  RankedSignal,
  Signal,
  SkippedSignal,
  SkipReason,
} from './allocation';

export {
  assertBudgetInvariants,
  breaches,
  budgetToJson,
  close,
  createBudget,
  fill,
  incidentBudgetLimits,
  release,
  remaining,
  reconfigure,
  reserve,
  reserveRefusal,
  scan,
  startDay,
  startWeek,
} from './budget';
export type {
  Breach,
  BudgetEntry,
  BudgetLimits,
  BudgetRemaining,
  BudgetRule,
  BudgetScope,
  BudgetState,
  BudgetWarning,
  EntryStatus,
  FillEvent,
  BudgetRefusal,
  ReserveRequest,
  ReserveResult,
  ScopeCaps,
  ScopeRemaining,
  ScopeUsage,
  StartWeekResult,
} from './budget';
export { budgetFromJson } from './budget-json';

export { RiskInputError } from './errors';
