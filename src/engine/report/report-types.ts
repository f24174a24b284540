// report.json (shared/spec/simulation.md): what the engine believes. Outside tools read these
// fields; keel may add fields but never drops or renames these.
import type { InstrumentRecord, OrderIntentKind } from '../../domain';
import type { BudgetView } from './budget-view';

export type ReportGroupStatus = 'open' | 'closed' | 'residual';
export type ReportTradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export type ReportGroup = {
  id: string;
  strategy: string;
  status: ReportGroupStatus;
  openedAt: string;
  closedAt: string | null;
  legs: { instrument: InstrumentRecord; qty: number }[];
  clientOrderIds: string[];
  realizedPnl: number;
  commissions: number;
  exitReason?: string | null;
  residualLegs?: { instrument: InstrumentRecord; qty: number }[];
};

export type ReportOrder = {
  clientOrderId: string;
  group: string | null;
  source: 'strategy' | 'operator' | 'engine';
  intent: OrderIntentKind;
  state: string;
  venueOrderId?: string | null;
  filledQty?: number;
};

export type ReportRefusal = {
  t: string;
  source: 'strategy' | 'operator';
  rule: string;
  message: string;
  maxAllowedQty: number | null;
};

export type ReportTradingStateChange = { t: string; state: ReportTradingState; reason: string };

export type ReportDiscrepancy = {
  t: string;
  kind: string;
  instrument: InstrumentRecord | null;
  detail: string;
  resolved: boolean;
};

export type Report = {
  scenario: string;
  seed: number;
  groups: ReportGroup[];
  orders: ReportOrder[];
  refusals: ReportRefusal[];
  tradingState: ReportTradingStateChange[];
  discrepancies: ReportDiscrepancy[];
  summary: { executions: number; commissions: number; realizedPnl: number; [extra: string]: unknown };
  /** Exposure budgets at the end of the run (keel extension); null without budgets. */
  budget?: BudgetView | null;
};
