// The projection: keel's whole picture of the account, rebuilt by folding journal events in order.
// Live operation and replay after a restart go through the same apply(), so they cannot disagree.
import {
  addMicros,
  assert,
  applyPnlFill,
  InvariantError,
  tradeCash,
  isTerminal,
  signedQty,
  unreachable,
  ZERO_MICROS,
  type ClientOrderId,
  type GroupId,
  type Instrument,
  type InstrumentId,
  type StrategyId,
  type TimeZone,
} from '../../domain';
import type { DiscrepancyKind, EventOf, JournalEvent, TradingState } from '../events';
import { BudgetBook } from './budget-book';
import { isActiveGroup, newGroup, type GroupRecord } from './groups';
import { isFullyFilled, newOrderRecord, OrderBook } from './orders';
import { OwnershipBook } from './ownership';
import { ReconcileBook } from './reconciliation';

export type Discrepancy = {
  readonly id: string;
  readonly kind: DiscrepancyKind;
  readonly instrumentId: InstrumentId | null;
  readonly groupId: GroupId | null;
  readonly detail: string;
  readonly t: number;
  /** What it is about (client order id, venue position id, ...); null for older journals. */
  readonly subject: string | null;
  resolved: boolean;
  resolution: string | null;
};

export type TradingStateChange = {
  t: number;
  state: TradingState;
  reason: string;
  source: 'engine' | 'operator';
};
export type Refusal = EventOf<'refusal'>['data'] & { t: number };

export class Projection {
  readonly ownership = new OwnershipBook();
  readonly orders = new OrderBook();
  readonly groups = new Map<GroupId, GroupRecord>();
  /**
   * The groups that are opening, open, closing or residual, in the order they opened: what every
   * tick looks at, without walking every group the journal ever had. Kept by group.opened and
   * group.status; assertIndexes() checks it against `groups`.
   */
  readonly activeGroups = new Set<GroupRecord>();
  /** Groups opened per strategy per local day (localDay): group ids count from it. */
  private readonly openedByDay = new Map<StrategyId, Map<number, number>>();
  readonly instruments = new Map<InstrumentId, Instrument>();
  readonly discrepancies = new Map<string, Discrepancy>();
  readonly tradingHistory: TradingStateChange[] = [];
  readonly refusals: Refusal[] = [];
  readonly notes: { t: number; strategyId: StrategyId; message: string }[] = [];
  readonly execIds = new Set<string>();
  /**
   * Executions per strategy per local day (localDay): the daily execution budget reads this.
   * Nested maps, so a fill builds no key string.
   */
  readonly executionsByDay = new Map<StrategyId, Map<number, number>>();
  readonly budget = new BudgetBook();
  /** Signals given to strategies while running, in order: handed back to them on every start. */
  readonly signals = new Map<StrategyId, unknown[]>();
  readonly reconciliation = new ReconcileBook();
  /** The account of the first start: a journal belongs to one account. */
  account: string | null = null;
  tradingState: TradingState = 'ACTIVE';
  eventsApplied = 0;
  lastT = 0;
  starts = 0;
  /** Executions the venue reported again and keel ignored, over the journal's whole life. */
  duplicateFillsIgnored = 0;
  /** The last order id of the venue's sequence keel took (IB); null where the venue names orders. */
  lastVenueOrderSequence: number | null = null;
  /** When the engine first started on this journal; null before. */
  firstStartAt: number | null = null;

  constructor(readonly timeZone: TimeZone) {}

  apply(event: JournalEvent): void {
    // The checks on this path build their message only when they fail: replay runs it per event.
    if (event.t < this.lastT) {
      throw new InvariantError(
        `journal time went backwards at event ${this.eventsApplied + 1} (${event.type})`,
      );
    }
    this.lastT = event.t;
    this.eventsApplied++;
    this.dispatch(event);
  }

  private dispatch(e: JournalEvent): void {
    switch (e.type) {
      case 'engine.started':
        this.starts++;
        this.account ??= e.data.account;
        this.firstStartAt ??= e.t;
        return;
      case 'instrument.defined':
        this.instruments.set(e.data.instrument.id, e.data.instrument);
        return;
      case 'group.opened': {
        const d = e.data;
        if (this.groups.has(d.groupId)) throw new InvariantError(`group ${d.groupId} opened twice`);
        // Named fields, not rest and spread (slow in V8 on replay). v1 events carry no budget claim.
        const group = newGroup(
          {
            id: d.groupId,
            strategyId: d.strategyId,
            kind: d.kind,
            source: d.source,
            legs: d.legs,
            units: d.units,
            note: d.note,
            budget: d.budget ?? null,
            entry: d.entry ?? null,
          },
          e.t,
        );
        this.groups.set(d.groupId, group);
        if (isActiveGroup(group)) this.activeGroups.add(group);
        let days = this.openedByDay.get(group.strategyId);
        if (days === undefined) this.openedByDay.set(group.strategyId, (days = new Map()));
        const day = this.localDay(group.openedAt);
        days.set(day, (days.get(day) ?? 0) + 1);
        this.budget.opened(group);
        return;
      }
      case 'group.status': {
        const g = this.requireGroup(e.data.groupId);
        const from = g.status;
        g.status = e.data.status;
        g.statusReason = e.data.reason;
        g.statusAt = e.t;
        if (e.data.status === 'closing') {
          g.targetUnits = e.data.targetUnits ?? 0;
          if (g.targetUnits === 0 && g.exitReason === null) g.exitReason = e.data.reason;
        }
        if (e.data.status === 'open' && e.data.targetUnits !== null) g.units = e.data.targetUnits;
        if (e.data.status === 'residual') {
          g.residualLegs = g.legs
            .map((l) => ({ instrumentId: l.instrumentId, qty: this.ownership.owned(l.instrumentId, g.id) }))
            .filter((l) => l.qty !== 0);
        }
        if (e.data.status === 'closed' || e.data.status === 'failed') g.closedAt = e.t;
        this.indexStatus(g);
        this.budget.status(g, from);
        return;
      }
      case 'group.positionId':
        this.requireGroup(e.data.groupId).venuePositionIds.set(e.data.instrumentId, e.data.venuePositionId);
        return;
      case 'group.settled':
        return this.applySettlement(e);
      case 'order.intent': {
        const g = this.requireGroup(e.data.order.groupId);
        this.orders.add(newOrderRecord(e.data.order, e.t));
        g.clientOrderIds.push(e.data.order.clientOrderId);
        return;
      }
      case 'order.sent':
        return this.transition(e.data.clientOrderId, 'sent', e.t);
      case 'order.accepted': {
        const o = this.orders.require(e.data.clientOrderId);
        this.orders.linkVenueId(o, e.data.venueOrderId);
        return this.transition(e.data.clientOrderId, 'accepted', e.t);
      }
      case 'order.rejected': {
        const o = this.orders.require(e.data.clientOrderId);
        o.rejectCode = e.data.code;
        // Journals of v1 named no reason; that keel read the client-side code 1100 as "not sent".
        o.rejectReason = e.data.reason ?? (e.data.code === 1100 ? 'notSent' : 'refused');
        o.lastReason = e.data.message;
        return this.transition(e.data.clientOrderId, 'rejected', e.t);
      }
      case 'order.cancelRequested':
        return this.transition(e.data.clientOrderId, 'cancelRequested', e.t);
      case 'order.cancelRejected': {
        const o = this.orders.require(e.data.clientOrderId);
        this.transition(e.data.clientOrderId, 'cancelRejected', e.t);
        if (o.state === 'working' && o.filledByLeg.size > 0) o.state = 'partially_filled';
        return;
      }
      case 'order.cancelled':
        this.orders.require(e.data.clientOrderId).lastReason = e.data.reason;
        return this.transition(e.data.clientOrderId, 'cancelled', e.t);
      case 'order.expired':
        return this.transition(e.data.clientOrderId, 'expired', e.t);
      case 'order.lost':
        this.orders.require(e.data.clientOrderId).lastReason = e.data.reason;
        return this.transition(e.data.clientOrderId, 'lost', e.t);
      case 'order.fill':
        return this.applyFill(e);
      case 'venue.position':
        this.ownership.setVenueNet(e.data.instrumentId, e.data.qty, e.data.avgPrice);
        return;
      case 'trading.state':
        this.tradingState = e.data.state;
        this.tradingHistory.push({ t: e.t, ...e.data });
        return;
      case 'discrepancy.raised': {
        // v1 events carry no subject.
        const subject = e.data.subject ?? null;
        this.discrepancies.set(e.data.id, { ...e.data, subject, t: e.t, resolved: false, resolution: null });
        this.reconciliation.raised(e.data.kind, subject, e.data.id);
        return;
      }
      case 'discrepancy.resolved': {
        const d = this.discrepancies.get(e.data.id);
        assert(d !== undefined, `resolving unknown discrepancy ${e.data.id}`);
        d.resolved = true;
        d.resolution = e.data.resolution;
        this.reconciliation.resolved(d.kind, d.subject);
        return;
      }
      case 'fill.duplicate':
        this.duplicateFillsIgnored++;
        return;
      case 'venue.orderSequence':
        assert(
          this.lastVenueOrderSequence === null || e.data.last > this.lastVenueOrderSequence,
          `venue order id ${e.data.last} taken again (last ${this.lastVenueOrderSequence})`,
        );
        this.lastVenueOrderSequence = e.data.last;
        return;
      case 'order.parentId':
        this.orders.require(e.data.clientOrderId).parentVenueOrderId = e.data.parentVenueOrderId;
        return;
      case 'reconcile.matched':
        return this.reconciliation.matched(e);
      case 'reconcile.completed':
        return this.reconciliation.completed(e);
      case 'group.venueClose': {
        const g = this.requireGroup(e.data.groupId);
        g.venueClose = {
          instrumentId: e.data.instrumentId,
          closedAt: e.data.closedAt,
          venuePositionId: e.data.venuePositionId,
          venueNetPnl: e.data.venueNetPnl,
          funding: e.data.funding,
          evidence: e.data.evidence,
          detail: e.data.detail,
        };
        g.closedAt = e.data.closedAt;
        g.pnl.realized = addMicros(g.pnl.realized, e.data.funding);
        return;
      }
      case 'refusal':
        this.refusals.push({ ...e.data, t: e.t });
        return;
      case 'operator.command':
        return;
      case 'strategy.signals': {
        const list = this.signals.get(e.data.strategyId) ?? [];
        list.push(...e.data.signals);
        this.signals.set(e.data.strategyId, list);
        return;
      }
      case 'strategy.note':
        this.notes.push({ t: e.t, ...e.data });
        return;
      case 'budget.configured':
        return this.budget.configure(e);
      case 'budget.period':
        return this.budget.period(e);
      case 'budget.scan':
        return this.budget.scan(e.t);
      default:
        return unreachable(e, 'journal event');
    }
  }

  private transition(id: ClientOrderId, event: Parameters<OrderBook['transition']>[1], t: number): void {
    this.orders.transition(this.orders.require(id), event, t);
  }

  private applyFill(e: EventOf<'order.fill'>): void {
    const f = e.data.fill;
    if (this.execIds.has(f.execId)) {
      throw new InvariantError(
        `fill ${f.execId} applied twice (the engine must drop duplicates before journaling)`,
      );
    }
    this.execIds.add(f.execId);
    const order = this.orders.require(f.clientOrderId);
    const group = this.requireGroup(order.intent.groupId);
    const instrument = this.requireInstrument(f.instrumentId);
    order.filledByLeg.set(f.instrumentId, (order.filledByLeg.get(f.instrumentId) ?? 0) + f.qty);
    if (!isTerminal(order.state)) {
      this.orders.transition(order, isFullyFilled(order) ? 'fill' : 'partialFill', e.t);
    }
    this.ownership.applyOwned(f.instrumentId, group.id, signedQty(f.side, f.qty));
    applyPnlFill(group.pnl, {
      instrumentKey: f.instrumentId,
      side: f.side,
      qty: f.qty,
      price: f.price,
      multiplier: instrument.multiplier,
      commission: f.commission,
    });
    group.executions++;
    if (order.intent.intent === 'open') {
      group.openCash = addMicros(group.openCash, tradeCash(f.side, f.qty, f.price, instrument.multiplier));
      this.budget.openFill(group, f, instrument.multiplier);
    }
    let days = this.executionsByDay.get(group.strategyId);
    if (days === undefined) {
      days = new Map();
      this.executionsByDay.set(group.strategyId, days);
    }
    const day = this.localDay(e.t);
    days.set(day, (days.get(day) ?? 0) + 1);
  }

  private applySettlement(e: EventOf<'group.settled'>): void {
    const { groupId, instrumentId, qty, price, execId } = e.data;
    assert(qty !== 0, 'settlement of zero quantity');
    assert(!this.execIds.has(execId), `settlement ${execId} applied twice`);
    this.execIds.add(execId);
    const group = this.requireGroup(groupId);
    const instrument = this.requireInstrument(instrumentId);
    assert(
      this.ownership.owned(instrumentId, groupId) === -qty,
      `settlement of ${groupId} ${instrumentId} must flatten it`,
    );
    this.ownership.applyOwned(instrumentId, groupId, qty);
    applyPnlFill(group.pnl, {
      instrumentKey: instrumentId,
      side: qty > 0 ? 'BUY' : 'SELL',
      qty: Math.abs(qty),
      price,
      multiplier: instrument.multiplier,
      commission: ZERO_MICROS,
    });
  }

  requireGroup(id: GroupId): GroupRecord {
    const g = this.groups.get(id);
    if (g === undefined) throw new InvariantError(`unknown group ${id}`);
    return g;
  }

  requireInstrument(id: InstrumentId): Instrument {
    const i = this.instruments.get(id);
    if (i === undefined) throw new InvariantError(`unknown instrument ${id} (no instrument.defined event)`);
    return i;
  }

  /** Groups the strategy opened on t's local day. */
  groupsOpenedOn(strategyId: StrategyId, t: number): number {
    return this.openedByDay.get(strategyId)?.get(this.localDay(t)) ?? 0;
  }

  /** Checks the indexes against the groups themselves (tests and the end of a simulated run). */
  assertIndexes(): void {
    const active = [...this.groups.values()].filter(isActiveGroup);
    const indexed = [...this.activeGroups];
    if (active.length !== indexed.length || active.some((g, i) => indexed[i] !== g))
      throw new InvariantError(
        `active-group index drifted: ${indexed.map((g) => g.id).join(',')} vs ${active.map((g) => g.id).join(',')}`,
      );
  }

  private indexStatus(g: GroupRecord): void {
    if (!isActiveGroup(g)) {
      this.activeGroups.delete(g);
      return;
    }
    if (this.activeGroups.has(g)) return;
    // Active again (never by keel's own transitions): rebuilt whole, to keep the order of opening.
    this.activeGroups.clear();
    for (const x of this.groups.values()) if (isActiveGroup(x)) this.activeGroups.add(x);
  }

  executionsToday(strategyId: StrategyId, t: number): number {
    return this.executionsByDay.get(strategyId)?.get(this.localDay(t)) ?? 0;
  }

  /** Days since the epoch in exchange-local time: a cheap key for per-day counters. */
  private localDay(t: number): number {
    return Math.floor((t + this.timeZone.offsetAt(t) * 60_000) / 86_400_000);
  }
}
