// Position groups: one opened structure each (an iron condor, a bracket, a futures position).
import {
  emptyPnl,
  ZERO_MICROS,
  type Micros,
  type ClientOrderId,
  type GroupId,
  type OrderSource,
  type PnlState,
  type StrategyId,
  type VenuePositionId,
  type InstrumentId,
} from '../../domain';
import type { BudgetClaim, EntryTerms, EventOf, GroupLeg, GroupStatus } from '../events';

/** What the venue said when it closed the group's position (group.venueClose). */
export type VenueClose = Omit<EventOf<'group.venueClose'>['data'], 'groupId'>;

export type GroupRecord = {
  readonly id: GroupId;
  readonly strategyId: StrategyId;
  readonly kind: string;
  readonly source: OrderSource;
  readonly legs: readonly GroupLeg[];
  units: number;
  readonly note: string | null;
  status: GroupStatus;
  statusReason: string;
  statusAt: number;
  /** While closing: the units to keep (0 closes everything; a reduce keeps some). */
  targetUnits: number;
  exitReason: string | null;
  /** Owned legs at the moment the group became residual (kept after expiry settles them). */
  residualLegs: { instrumentId: InstrumentId; qty: number }[];
  readonly openedAt: number;
  closedAt: number | null;
  readonly clientOrderIds: ClientOrderId[];
  readonly pnl: PnlState;
  readonly venuePositionIds: Map<InstrumentId, VenuePositionId>;
  executions: number;
  /** Cash of the opening fills (credit +, debit −): the entry price the daily log shows. */
  openCash: Micros;
  /** What the group's open reserved against the exposure budgets; null without budgets. */
  readonly budget: BudgetClaim | null;
  readonly entry: EntryTerms | null;
  /** Set when reconciliation found the group closed at the venue. */
  venueClose: VenueClose | null;
};

export function newGroup(
  g: {
    id: GroupId;
    strategyId: StrategyId;
    kind: string;
    source: OrderSource;
    legs: GroupLeg[];
    units: number;
    note: string | null;
    budget: BudgetClaim | null;
    entry: EntryTerms | null;
  },
  t: number,
): GroupRecord {
  // Field by field, not {...g}: spreading into this many fields costs ~40 µs a group in V8,
  // most of the replay time of a journal with many groups.
  return {
    id: g.id,
    strategyId: g.strategyId,
    kind: g.kind,
    source: g.source,
    legs: g.legs,
    units: g.units,
    note: g.note,
    budget: g.budget,
    entry: g.entry,
    status: 'opening',
    statusReason: 'opening',
    statusAt: t,
    targetUnits: g.units,
    exitReason: null,
    residualLegs: [],
    openedAt: t,
    closedAt: null,
    clientOrderIds: [],
    pnl: emptyPnl(),
    venuePositionIds: new Map(),
    executions: 0,
    openCash: ZERO_MICROS,
    venueClose: null,
  };
}

/** A group that may still hold or acquire quantity. */
export function isActiveGroup(g: GroupRecord): boolean {
  return g.status === 'opening' || g.status === 'open' || g.status === 'closing' || g.status === 'residual';
}
