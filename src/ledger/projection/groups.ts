// Position groups: one opened structure each (an iron condor, a bracket, a futures position).
import {
  emptyPnl,
  type ClientOrderId,
  type GroupId,
  type OrderSource,
  type PnlState,
  type StrategyId,
  type VenuePositionId,
  type InstrumentId,
} from '../../domain';
import type { GroupLeg, GroupStatus } from '../events';

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
  },
  t: number,
): GroupRecord {
  return {
    ...g,
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
  };
}

/** A group that may still hold or acquire quantity. */
export function isActiveGroup(g: GroupRecord): boolean {
  return g.status === 'opening' || g.status === 'open' || g.status === 'closing' || g.status === 'residual';
}
