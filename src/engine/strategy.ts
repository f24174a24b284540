// What a strategy sees and may do. A strategy sees only its own groups and their owned legs,
// never the venue's positions by symbol, so it cannot mistake someone else's position for its own.
import type { GroupId, Instrument, InstrumentId, InstrumentTerms, StrategyId, TimeZone } from '../domain';
import type { EntryTerms, GroupStatus, TradingState } from '../ledger/events';
import type { MarketData } from '../venues/venue';
import type { Refusal } from './refusal';

export type OwnedLegView = {
  readonly instrument: Instrument;
  readonly qtyPerUnit: number;
  /** What this group owns now (signed). */
  readonly owned: number;
  readonly mid: number | null;
};

export type GroupView = {
  readonly id: GroupId;
  readonly kind: string;
  readonly status: GroupStatus;
  readonly units: number;
  readonly openedAt: number;
  readonly legs: readonly OwnedLegView[];
  /** Cash taken in (+) or paid (−) for the quantity still open, in account currency. */
  readonly openCash: number;
  readonly realizedNet: number;
  /** Mark-to-mid of the open quantity plus realized, net of commissions; null without quotes. */
  readonly pnl: number | null;
  readonly note: string | null;
};

export type OpenRequest = {
  readonly kind: string;
  readonly legs: readonly { instrumentId: InstrumentId; qtyPerUnit: number }[];
  readonly units: number;
  readonly note: string | null;
  /** A fixed entry limit and a bracket's stop-loss / take-profit; absent: priced at mid, chased. */
  readonly entry?: EntryTerms;
};

export type OpenOutcome = { ok: true; groupId: GroupId } | { ok: false; refusal: Refusal };

export type Urgency = 'normal' | 'urgent';

export interface StrategyContext {
  readonly strategyId: StrategyId;
  readonly now: number;
  /** The exchange's zone: local dates and times of day of `now`. */
  readonly timeZone: TimeZone;
  readonly tradingState: TradingState;
  /** Account equity at the start of the day (what the budgets measure), null without budgets. */
  readonly equity: number | null;
  readonly market: MarketData;
  resolve(terms: InstrumentTerms): Instrument | null;
  /** This strategy's groups that are not finished (opening, open, closing, residual). */
  activeGroups(): GroupView[];
  /** Groups of this strategy opened on the current local date, finished or not. */
  groupsToday(): number;
  /** The symbols of this strategy's groups opened on the current local date, finished or not. */
  symbolsToday(): string[];
  openStructure(request: OpenRequest): OpenOutcome;
  closeGroup(groupId: GroupId, reason: string, urgency: Urgency): void;
  reduceGroup(groupId: GroupId, keepUnits: number, reason: string): void;
  note(message: string): void;
}

/** What a strategy reads to say how a group stands against its exits: nothing it can act through. */
export type OutlookContext = {
  readonly now: number;
  readonly timeZone: TimeZone;
  readonly market: MarketData;
};

/** How one group stands against its exit rules, for the operator's eyes (the dashboard). */
export type ExitOutlook = {
  /** The loss so far as a fraction of the loss at which the stop fires (0 in profit, 1 at the stop); null without a stop. */
  readonly stopUsage: number | null;
  /** The stop in words ("mark PnL -126.00, 3x the credit"); null without one. */
  readonly stop: string | null;
  /** The exit rule nearest to firing, in words ("take-profit at +21.00: 64% of the way"). */
  readonly next: string | null;
};

export interface Strategy {
  readonly id: StrategyId;
  readonly kind: string;
  /** Leg executions per day before the breaker halts; null uses the engine default. */
  readonly executionsPerDayMax: number | null;
  onTick(ctx: StrategyContext): void;
  /** How an open group stands against this strategy's exits. Read-only: it changes no state. */
  exitOutlook?(ctx: OutlookContext, group: GroupView): ExitOutlook;
  /**
   * Signals given while running (the operator API): the strategy checks them and keeps the ones
   * it accepts, which the engine journals and hands back on every start.
   */
  acceptSignals?(raw: readonly unknown[]): { accepted: unknown[]; errors: string[] };
}
