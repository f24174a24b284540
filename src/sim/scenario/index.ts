// The scenario loader: the one public surface of src/sim/scenario.
export { loadScenario, parseScenario, validateScenario, errorsShownMax } from './load';
export type { ScenarioFormat } from './load';
export { marketStepsMax } from './resolve';
export { scenarioSchema, ironCondorDefaultTimes, seedMax, volMax } from './schema';
export type { ScenarioInput } from './schema';
export { isOrderFault } from './scenario';
export type {
  ClockConfig,
  CommissionConfig,
  CrashEngineFault,
  CrashTrigger,
  DelayFillFault,
  DisconnectFault,
  DuplicateFillFault,
  ExternalOrder,
  ExternalPosition,
  FaultKind,
  FaultMatch,
  FlattenTarget,
  IronCondorParams,
  IronCondorStrategyConfig,
  JumpConfig,
  MarketConfig,
  MarketPath,
  OperatorAction,
  ScenarioOperatorCommand,
  OperatorOrder,
  OptionSpreadConfig,
  OrderFault,
  OrderOrigin,
  PartialFillFault,
  PendingStrategyConfig,
  PricePoint,
  RejectFault,
  RiskConfig,
  StrategyRiskConfig,
  Scenario,
  ScenarioFault,
  ScenarioResult,
  ScenarioTime,
  StrategyConfig,
  StrategyKind,
  TimedFault,
  TimeOfDay,
  VenueConfig,
  VenueProducts,
} from './scenario';
