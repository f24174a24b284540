// A loaded scenario: validated, defaults filled, every time resolved to epoch milliseconds (with the
// text it came from), durations in milliseconds, faults and operator commands as tagged unions that
// the simulator switches over exhaustively. This is what the runner, the simulated market and the
// simulated venue read; they never see the file's raw shape.
import type {
  EpochMs,
  ExchangeCalendar,
  GroupId,
  InstrumentTerms,
  OrderIntentKind,
  OrderType,
  Side,
  StrategyId,
  TimeZone,
  UnderlyingKind,
} from '../../domain';
import type { IronCondorParams } from '../../strategies/iron-condor-0dte';
import type { BarInterpolation } from '../market/price-path';
import type { PriceBars } from '../market/price-file';

/** A resolved instant and the text it was written as ("10:08", or an ISO time). */
export type ScenarioTime = { readonly t: EpochMs; readonly text: string };

/** A local time of day "HH:MM" (or "HH:MM:SS"), applied on each session day. */
export type TimeOfDay = string;

export type ClockConfig = {
  readonly start: ScenarioTime;
  readonly end: ScenarioTime;
  /** clock.timeZone, else the fixed offset of clock.start: local dates, times of day, printed offsets. */
  readonly timeZone: TimeZone;
  /** clock.calendar: which local dates trade and when each session closes (settlement, 0DTE exits). */
  readonly calendar: ExchangeCalendar;
  /** Trading hours: market steps only inside them, on trading days; null: the whole window. */
  readonly session: { readonly open: TimeOfDay; readonly close: TimeOfDay } | null;
};

export type MarketPath = 'gbm' | 'flat' | 'points' | 'file';
export type PricePoint = { readonly t: EpochMs; readonly text: string; readonly price: number };
/** Jumps per day (Poisson), size a normal fraction of price: meanPct 0.01 is +1%. */
export type JumpConfig = { readonly perDay: number; readonly meanPct: number; readonly stdPct: number };
/** Option bid/ask width: max(minWidth, pctOfMid * mid). */
export type OptionSpreadConfig = { readonly minWidth: number; readonly pctOfMid: number };

export type MarketConfig = {
  readonly symbol: string;
  readonly kind: UnderlyingKind;
  /** The price at clock.start (path file: the open of the bar clock.start falls in). */
  readonly spot: number;
  /** Annualised; the at-the-money implied vol for options. */
  readonly vol: number;
  /** Annualised. */
  readonly drift: number;
  readonly path: MarketPath;
  /** path points: linear in between, flat before the first and after the last. Sorted by time. */
  readonly points: readonly PricePoint[];
  /** path file: the bars read from the file and how the path goes through each; null otherwise. */
  readonly bars: { readonly data: PriceBars; readonly interpolation: BarInterpolation } | null;
  readonly stepMs: number;
  /** perDay 0 when the scenario gives no jumps. */
  readonly jumps: JumpConfig;
  readonly optionSpread: OptionSpreadConfig;
  readonly tick: number;
};

export type VenueProducts = 'options' | 'equities' | 'futures';
export type CommissionConfig = {
  readonly perContract: number;
  readonly perShare: number;
  readonly rate: number;
  readonly minimum: number;
};
export type VenueConfig = {
  readonly products: VenueProducts;
  readonly combos: boolean;
  readonly latencyMs: number;
  readonly commission: CommissionConfig;
  /** distinct: venue position ids differ from order ids (futures venues, the BingX incident). */
  readonly positionIds: 'distinct' | 'same';
  /** The venue keeps closed-position records (positionClosed lines); default true for futures. */
  readonly positionHistory: boolean;
};

export type OrderOrigin = 'keel' | 'external';

/**
 * Which orders an order fault applies to; null means "any". All given keys must hold. `from` is
 * inclusive, `until` exclusive. `nth` counts orders that match every other key (1-based) and hits
 * only that one. `probability` is drawn from the seed for each order that matches everything else.
 */
export type FaultMatch = {
  readonly combo: boolean | null;
  readonly side: Side | null;
  /** Any leg whose symbol (an option's underlying symbol) is this. */
  readonly symbol: string | null;
  /** Any leg that is exactly this instrument. */
  readonly instrument: InstrumentTerms | null;
  readonly origin: OrderOrigin | null;
  readonly from: ScenarioTime | null;
  readonly until: ScenarioTime | null;
  readonly nth: number | null;
  /** 1 when the scenario gives none. */
  readonly probability: number;
  /** keel extension: the intent of keel's order (an external order has none, so never matches). */
  readonly intent: OrderIntentKind | null;
};

/** What triggers an engine crash: a time, or the engine's Nth journal append (crash-at-every-step). */
export type CrashTrigger =
  | { readonly kind: 'at'; readonly at: ScenarioTime }
  | { readonly kind: 'afterAppends'; readonly appends: number };

/** `index` is the fault's position in the file: faults apply in order, the first match wins. */
type OrderFaultBase = { readonly index: number; readonly match: FaultMatch };

export type RejectFault = OrderFaultBase & {
  readonly kind: 'reject';
  readonly code: number;
  readonly message: string;
};
export type PartialFillFault = OrderFaultBase & {
  readonly kind: 'partialFill';
  /** Fill this fraction now (rounded down, at least 1 unit). */
  readonly fraction: number;
  /** The rest fills this much later; null: the rest stays working until cancelled. */
  readonly restDelayMs: number | null;
};
export type DelayFillFault = OrderFaultBase & { readonly kind: 'delayFill'; readonly delayMs: number };
export type CrashEngineFault = {
  readonly kind: 'crashEngine';
  readonly index: number;
  readonly trigger: CrashTrigger;
  readonly restartAfterMs: number;
};
export type DisconnectFault = {
  readonly kind: 'disconnect';
  readonly index: number;
  readonly at: ScenarioTime;
  readonly durationMs: number;
};
/** The venue reports the next fill after `at` twice, with the same exec id. */
export type DuplicateFillFault = {
  readonly kind: 'duplicateFill';
  readonly index: number;
  readonly at: ScenarioTime;
};

export type ScenarioFault =
  RejectFault | PartialFillFault | DelayFillFault | CrashEngineFault | DisconnectFault | DuplicateFillFault;
export type FaultKind = ScenarioFault['kind'];
/** Faults the venue applies to an order it receives. */
export type OrderFault = RejectFault | PartialFillFault | DelayFillFault;
/** Faults that happen at a time (or journal step), to the venue or the engine. */
export type TimedFault = CrashEngineFault | DisconnectFault | DuplicateFillFault;

export function isOrderFault(fault: ScenarioFault): fault is OrderFault {
  return fault.kind === 'reject' || fault.kind === 'partialFill' || fault.kind === 'delayFill';
}

export type ExternalPosition = {
  readonly instrument: InstrumentTerms;
  /** Signed: negative is short. */
  readonly qty: number;
  readonly avgPrice: number;
};

/** Someone trading by hand at the venue, outside keel. */
export type ExternalOrder = {
  readonly index: number;
  readonly at: ScenarioTime;
  readonly instrument: InstrumentTerms;
  readonly side: Side;
  readonly qty: number;
  readonly type: 'MKT' | 'LMT';
  readonly limitPrice: number | null;
};

type OperatorBase = { readonly index: number; readonly at: ScenarioTime };

export type OperatorOrder = OperatorBase & {
  readonly action: 'order';
  /** `symbol: PLTR` in the file becomes `{ symbol: 'PLTR' }`. */
  readonly instrument: InstrumentTerms;
  readonly side: Side;
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  /** The trigger of a STP / STP_LMT order. */
  readonly stopPrice: number | null;
  /** `stop` on a MKT / LMT order: the protective stop that sizing measures risk against. */
  readonly protectiveStopPrice: number | null;
  /** Shrink to the largest allowed order instead of refusing. */
  readonly fit: boolean;
  /** null: the order opens a group of its own (strategy "operator"). */
  readonly strategy: StrategyId | null;
};
export type FlattenTarget =
  | { readonly kind: 'group'; readonly groupId: GroupId }
  | { readonly kind: 'strategy'; readonly strategyId: StrategyId };

export type ScenarioOperatorCommand =
  | OperatorOrder
  | (OperatorBase & { readonly action: 'flatten'; readonly target: FlattenTarget })
  | (OperatorBase & { readonly action: 'halt'; readonly reason: string })
  | (OperatorBase & { readonly action: 'resume'; readonly reason: string })
  | (OperatorBase & { readonly action: 'cancel'; readonly mine: true })
  | (OperatorBase & { readonly action: 'reconcile' })
  | (OperatorBase & { readonly action: 'resolve'; readonly id: string; readonly reason: string });
export type OperatorAction = ScenarioOperatorCommand['action'];

/** The condor's params are the strategy's own type: one definition, checked by the schema. */
export type { IronCondorParams };

export type IronCondorStrategyConfig = {
  readonly id: StrategyId;
  readonly kind: 'iron-condor-0dte';
  readonly params: IronCondorParams;
};
/** Strategies not built yet: params pass through unchecked until each gets its own schema. */
export type PendingStrategyConfig = {
  readonly id: StrategyId;
  readonly kind: 'equity-bracket' | 'futures-protected' | 'demo-condor';
  readonly params: Readonly<Record<string, unknown>>;
};
export type StrategyConfig = IronCondorStrategyConfig | PendingStrategyConfig;
export type StrategyKind = StrategyConfig['kind'];

/** Fractions of account equity (0.02 is 2%) and position counts. */
export type RiskConfig = {
  readonly riskPerTradePct: number;
  readonly maxPositionPct: number;
  readonly maxDailyPct: number;
  readonly maxWeeklyPct: number;
  readonly maxPositionsPerDay: number;
  readonly maxPositionsPerWeek: number;
  /** From this many positions in a week each new one carries a warning (the soft cap). */
  readonly positionsPerWeekWarnAt: number;
  readonly fatFingerPct: number;
  readonly scanTimes: readonly string[];
  readonly perStrategy: readonly StrategyRiskConfig[];
};

/** A strategy's own caps (what the file leaves out is the account's), checked on top of them. */
export type StrategyRiskConfig = {
  readonly strategy: StrategyId;
  readonly maxPositionPct: number;
  readonly maxDailyPct: number;
  readonly maxWeeklyPct: number;
  readonly maxPositionsPerDay: number;
  readonly positionsPerWeekWarnAt: number;
  readonly maxPositionsPerWeek: number;
};

export type Scenario = {
  /** Where it was loaded from (file path, or the name given to parseScenario). */
  readonly source: string;
  readonly name: string;
  readonly seed: number;
  readonly clock: ClockConfig;
  /** Same as clock.timeZone. */
  readonly timeZone: TimeZone;
  readonly account: { readonly equity: number };
  readonly market: readonly MarketConfig[];
  readonly venue: VenueConfig;
  /** In file order: the venue applies the first order fault that matches. */
  readonly faults: readonly ScenarioFault[];
  readonly external: {
    readonly positions: readonly ExternalPosition[];
    readonly orders: readonly ExternalOrder[];
  };
  /** In file order; the runner schedules them by `at` (file order breaks ties). */
  readonly operator: readonly ScenarioOperatorCommand[];
  readonly strategies: readonly StrategyConfig[];
  readonly risk: RiskConfig;
};

export type ScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };
