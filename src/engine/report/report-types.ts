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
  /** The position id the venue gave the group, per instrument (futures venues). */
  venuePositionIds?: string[];
  /** Found closed at the venue by reconciliation: when (venue clock) and the venue's own figures. */
  venueClose?: {
    closedAt: string;
    venuePositionId: string | null;
    venueNetPnl: number | null;
    funding: number;
    evidence: 'executions' | 'positionHistory';
    detail: string;
  };
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
  id?: string;
  group?: string | null;
  resolution?: string | null;
};

/** What reconciliation did: its rounds and every match weaker than keel's client order id. */
export type ReportReconciliation = {
  rounds: { t: string; startUp: boolean; counts: Record<string, number> }[];
  matches: {
    t: string;
    record: string;
    venueRef: string;
    keelRef: string;
    by: string;
    confidence: number;
    detail: string;
  }[];
};

export type Report = {
  scenario: string;
  seed: number;
  groups: ReportGroup[];
  orders: ReportOrder[];
  refusals: ReportRefusal[];
  tradingState: ReportTradingStateChange[];
  discrepancies: ReportDiscrepancy[];
  reconciliation?: ReportReconciliation;
  summary: { executions: number; commissions: number; realizedPnl: number; [extra: string]: unknown };
  /** Exposure budgets at the end of the run (keel extension); null without budgets. */
  budget?: BudgetView | null;
};
