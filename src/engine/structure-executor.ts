// Multi-leg execution with defined risk at every instant (incidents 2026-01-28 and 2026-02-13).
// Opening: one combo where the venue takes it; otherwise longs first, then the shorts they cover.
// Closing: combo first; on rejection, per leg, owned legs only, shorts bought back before any long
// is sold. A failed leg stops the sequence at a covered state and the group is 'residual' — an
// incident that halts trading — never a success. Each step is derived from the journal-backed
// projection (owned quantities and the group's orders), so a restart resumes where it stopped.
import {
  InvariantError,
  isLive,
  qtyAdd,
  uncoveredShorts,
  type GroupId,
  type OptionHolding,
  type InstrumentId,
  type OrderIntent,
  type OrderIntentKind,
  type OrderLeg,
  type Side,
} from '../domain';
import type { GroupRecord, OrderRecord } from '../ledger/projection';
import { clientOrderIdFor } from './client-order-ids';
import type { EngineCore } from './engine-core';
import { planPrice, type PricePlan } from './leg-pricing';
import type { OrderManager } from './order-manager';
import { matchedAtVenue } from './matched-quantity';
import type { Refusal } from './refusal';
import type { Urgency } from './strategy';

type LegNeed = { instrumentId: InstrumentId; side: Side; qty: number };

export class StructureExecutor {
  private readonly urgency = new Map<GroupId, Urgency>();
  /** When keel last asked to stop an order that no longer serves its group (open orders while closing). */
  private readonly stopAskedAt = new Map<string, number>();

  constructor(
    private readonly core: EngineCore,
    private readonly orders: OrderManager,
  ) {}

  /** Starts closing a group (or reducing it to `keepUnits`). Owned legs only. */
  close(groupId: GroupId, reason: string, urgency: Urgency, keepUnits = 0): void {
    const group = this.core.p.requireGroup(groupId);
    if (group.status === 'closed' || group.status === 'failed') return;
    if (!(keepUnits >= 0 && keepUnits < group.units))
      throw new InvariantError(`reduce of ${groupId} must keep fewer than ${group.units} units`);
    if (group.status === 'closing' && group.targetUnits <= keepUnits) return;
    this.urgency.set(groupId, urgency);
    this.core.recorder.record('group.status', { groupId, status: 'closing', reason, targetUnits: keepUnits });
    this.progress(group);
  }

  /** Advances every group that is opening or closing; called on each tick and after venue events. */
  progressAll(): void {
    // Live: a group closed on the way leaves the index, one opened on the way is reached, as in `groups`.
    for (const group of this.core.p.activeGroups) {
      if (group.status === 'opening' || group.status === 'closing') this.progress(group);
    }
  }

  progress(group: GroupRecord): void {
    // Nothing is sent into a dead link; the next step is decided once the venue is back.
    if (!this.core.venue.isConnected()) return;
    const opOrders = this.operationOrders(group);
    // Every live order of the group counts, not only this operation's: a close computed while an
    // open order still works would miss what that order is about to add (a short, say).
    const live = this.groupOrders(group).filter((o) => isLive(o.state));
    // HALTED stops new risk: an open goes no further; a close goes on where the venue matches.
    if (this.core.p.tradingState === 'HALTED' && group.status === 'opening') return;
    if (live.length > 0) {
      // The close will end residual; until its safe legs are done, nothing new opens anywhere.
      if (group.status === 'closing') this.reducingIfLegFailed(group, opOrders);
      return this.chase(group, live, opOrders);
    }
    for (const id of group.clientOrderIds) this.stopAskedAt.delete(id);
    if (group.status === 'opening') {
      this.progressOpen(group, opOrders);
      return;
    }
    if (group.status === 'closing') return this.progressClose(group, opOrders);
  }

  /** Sends the first order of a new group; the caller has journaled group.opened. */
  firstOpenOrder(group: GroupRecord): Refusal | null {
    return this.progressOpen(group, []) ?? null;
  }

  // ---- opening ----------------------------------------------------------------------------------

  private progressOpen(group: GroupRecord, opOrders: OrderRecord[]): Refusal | null {
    const missing = this.openNeeds(group);
    if (missing.length === 0) {
      this.setStatus(group, 'open', `opened ${group.units} unit(s)`);
      return null;
    }
    const failed = opOrders.filter((o) => o.state === 'rejected' || o.state === 'lost');
    const perLegFailed = failed.find((o) => o.intent.legs.length === 1);
    // A day order that expired ends the open: sent again after the close it would rest overnight
    // and fill at tomorrow's price, past what the gate measured today.
    const expired = opOrders.find((o) => o.state === 'expired');
    if (perLegFailed || expired || opOrders.length >= this.core.settings.execution.attemptsMax) {
      const why = perLegFailed
        ? `leg order ${perLegFailed.intent.clientOrderId} ${perLegFailed.state}: ${perLegFailed.lastReason ?? ''}`
        : expired
          ? `open order ${expired.intent.clientOrderId} expired at the end of the day`
          : 'not filled within the attempt limit';
      return this.abandonOpen(group, why);
    }
    const comboFailed = failed.some((o) => o.intent.legs.length > 1);
    const ownsNothing = group.legs.every((l) => this.owned(group, l.instrumentId) === 0);
    if (this.core.venue.capabilities.combos && !comboFailed && ownsNothing && group.legs.length > 1) {
      const legs = group.legs.map((l) => ({
        instrumentId: l.instrumentId,
        side: (l.qtyPerUnit > 0 ? 'BUY' : 'SELL') as Side,
        ratio: Math.abs(l.qtyPerUnit),
      }));
      const refused = this.sendOrder(group, 'open', legs, group.units, opOrders);
      return refused && this.openRefused(group, refused);
    }
    // Per leg: protection first. Shorts only once every long of the group is complete.
    const longs = missing.filter((n) => n.side === 'BUY');
    const batch = longs.length > 0 ? longs : missing;
    for (const need of batch) {
      const refused = this.sendOrder(
        group,
        'open',
        [{ instrumentId: need.instrumentId, side: need.side, ratio: 1 }],
        need.qty,
        opOrders,
      );
      if (refused) return this.openRefused(group, refused);
    }
    return null;
  }

  /**
   * The gate refused the next open order (REDUCING after someone traded a leg, the day's budget):
   * the open is abandoned and what it bought is unwound, rather than retried and refused on every
   * tick. Only the order rate is waited out.
   */
  private openRefused(group: GroupRecord, refused: Refusal): Refusal {
    if (refused.rule !== 'orderRate')
      this.abandonOpen(group, `the gate refused the next order (${refused.rule}): ${refused.message}`);
    return refused;
  }

  private openNeeds(group: GroupRecord): LegNeed[] {
    const needs: LegNeed[] = [];
    for (const leg of group.legs) {
      const target = leg.qtyPerUnit * group.units;
      const missing = qtyAdd(target, -this.owned(group, leg.instrumentId));
      if (missing === 0 || Math.sign(missing) !== Math.sign(target)) continue;
      needs.push(this.need(leg.instrumentId, missing));
    }
    return needs;
  }

  private abandonOpen(group: GroupRecord, why: string): Refusal | null {
    const ownsSomething = group.legs.some((l) => this.owned(group, l.instrumentId) !== 0);
    if (!ownsSomething) {
      this.setStatus(group, 'failed', `open failed: ${why}`);
      return null;
    }
    this.core.raise(
      'residual',
      `${group.id} opened only partly (${why}); unwinding the filled legs`,
      null,
      group.id,
    );
    this.close(group.id, `open failed: ${why}; unwinding`, 'urgent');
    return null;
  }

  // ---- closing ----------------------------------------------------------------------------------

  private progressClose(group: GroupRecord, opOrders: OrderRecord[]): void {
    const needs = this.closeNeeds(group);
    if (needs.length === 0) {
      if (group.targetUnits === 0) this.setStatus(group, 'closed', group.exitReason ?? group.statusReason);
      else this.setStatus(group, 'open', `reduced to ${group.targetUnits} unit(s)`, group.targetUnits);
      return;
    }
    if (opOrders.length >= this.core.settings.execution.attemptsMax)
      return this.residual(group, `not closed within ${opOrders.length} orders`);
    const failed = failedOrders(opOrders);
    const failedLegs = this.failedLegs(group, failed);
    // HALTED: a leg whose venue quantity no longer matches keel's waits for the operator; the
    // matched ones close, shorts first, while every short left stays covered.
    const waiting = this.unmatchedWhileHalted(needs);
    for (const id of waiting) failedLegs.add(id);
    const comboFailed = failed.some((o) => o.intent.legs.length > 1);
    const comboUnits = this.comboUnits(group, needs);
    if (
      this.core.venue.capabilities.combos &&
      !comboFailed &&
      failedLegs.size === 0 &&
      comboUnits > 0 &&
      needs.length > 1
    ) {
      const legs = needs.map((n) => ({
        instrumentId: n.instrumentId,
        side: n.side,
        ratio: n.qty / comboUnits,
      }));
      const refused = this.sendOrder(group, this.closeKind(group), legs, comboUnits, opOrders);
      if (refused) this.residual(group, `close refused by the gate: ${refused.message}`);
      return;
    }
    // Per leg, owned legs only: buy back shorts first; sell a long only when no short it covers
    // stays open. A leg that failed is not retried: the sequence stops at a covered state.
    const open = needs.filter((n) => !failedLegs.has(n.instrumentId));
    const buys = open.filter((n) => n.side === 'BUY');
    const batch = buys.length > 0 ? buys : this.safeSells(group, open);
    if (batch.length === 0)
      return this.residual(
        group,
        [
          describeFailures(failed),
          waiting.size > 0
            ? `trading is HALTED and the venue does not match keel on ${[...waiting].map((id) => this.describe(id)).join(', ')}`
            : '',
        ]
          .filter((x) => x !== '')
          .join('; ') || 'no leg can be closed without leaving a short uncovered',
      );
    for (const need of batch) {
      const refused = this.sendOrder(
        group,
        this.closeKind(group),
        [{ instrumentId: need.instrumentId, side: need.side, ratio: 1 }],
        need.qty,
        opOrders,
      );
      if (refused) return this.residual(group, `close of a leg refused by the gate: ${refused.message}`);
    }
  }

  /** Single-leg close orders that were rejected or lost, for legs the group still holds. */
  private failedLegs(group: GroupRecord, failed: OrderRecord[]): Set<InstrumentId> {
    return new Set(
      failed
        .filter((o) => o.intent.legs.length === 1)
        .flatMap((o) => o.intent.legs.map((l) => l.instrumentId))
        .filter((id) => this.owned(group, id) !== 0),
    );
  }

  private reducingIfLegFailed(group: GroupRecord, opOrders: OrderRecord[]): void {
    if (this.core.p.tradingState !== 'ACTIVE') return;
    const failed = failedOrders(opOrders);
    if (this.failedLegs(group, failed).size === 0) return;
    this.core.trip(
      'REDUCING',
      `closing ${group.id}: ${describeFailures(failed)}; its other legs close while they stay covered`,
    );
  }

  private unmatchedWhileHalted(needs: readonly LegNeed[]): Set<InstrumentId> {
    if (this.core.p.tradingState !== 'HALTED') return new Set();
    return new Set(needs.map((n) => n.instrumentId).filter((id) => !matchedAtVenue(this.core.p, id)));
  }

  /**
   * The longs that may be sold together now: selling all of them leaves every short of the group
   * covered. Checked cumulatively: two longs that each cover the same short are not both sold.
   */
  private safeSells(group: GroupRecord, needs: LegNeed[]): LegNeed[] {
    const batch: LegNeed[] = [];
    for (const need of needs)
      if (need.side === 'SELL' && this.coveredAfter(group, [...batch, need])) batch.push(need);
    return batch;
  }

  private coveredAfter(group: GroupRecord, sells: LegNeed[]): boolean {
    const holdings: OptionHolding[] = [];
    for (const leg of group.legs) {
      const i = this.core.p.requireInstrument(leg.instrumentId);
      if (i.kind !== 'option') continue;
      let qty = this.owned(group, leg.instrumentId);
      for (const s of sells) if (s.instrumentId === leg.instrumentId) qty = qtyAdd(qty, -s.qty);
      holdings.push({ instrument: i, qty });
    }
    return uncoveredShorts(holdings).length === 0;
  }

  private closeKind(group: GroupRecord): OrderIntentKind {
    return group.targetUnits === 0 ? 'close' : 'reduce';
  }

  /** What each leg must still take off to reach the target, from owned quantities only. */
  private closeNeeds(group: GroupRecord): LegNeed[] {
    const needs: LegNeed[] = [];
    for (const leg of group.legs) {
      const owned = this.owned(group, leg.instrumentId);
      const keep = leg.qtyPerUnit * group.targetUnits;
      const excess = qtyAdd(owned, -keep);
      if (excess === 0 || Math.sign(excess) !== Math.sign(owned)) continue;
      needs.push(this.need(leg.instrumentId, -excess));
    }
    return needs;
  }

  /** Whole structure units the needs form in the group's ratio, or 0 if they are out of ratio. */
  private comboUnits(group: GroupRecord, needs: LegNeed[]): number {
    if (needs.length !== group.legs.length) return 0;
    let units: number | null = null;
    for (const leg of group.legs) {
      const need = needs.find((n) => n.instrumentId === leg.instrumentId);
      if (!need) return 0;
      const u = need.qty / Math.abs(leg.qtyPerUnit);
      if (!Number.isInteger(u) || (units !== null && u !== units)) return 0;
      units = u;
    }
    return units ?? 0;
  }

  private residual(group: GroupRecord, why: string): void {
    const left = group.legs
      .map((l) => ({ l, owned: this.owned(group, l.instrumentId) }))
      .filter((x) => x.owned !== 0)
      .map((x) => `${x.owned > 0 ? '+' : ''}${x.owned} ${this.describe(x.l.instrumentId)}`)
      .join(', ');
    this.setStatus(group, 'residual', `${why}; legs left: ${left}`);
    this.core.raise(
      'residual',
      `${group.id} could not be closed: ${why}; legs left: ${left}`,
      null,
      group.id,
    );
    this.core.trip('HALTED', `residual after closing ${group.id}: ${left}`);
  }

  // ---- orders -----------------------------------------------------------------------------------

  private sendOrder(
    group: GroupRecord,
    intent: OrderIntentKind,
    legs: OrderLeg[],
    qty: number,
    opOrders: OrderRecord[],
  ): Refusal | null {
    const plan = this.planFor(group, intent, legs, opOrders, null);
    if (plan === null) {
      this.core.log(`${group.id}: no quotes to price ${intent}; waiting`);
      return null;
    }
    const isClose = intent === 'close' || intent === 'reduce';
    const order: OrderIntent = {
      clientOrderId: clientOrderIdFor(group, intent),
      groupId: group.id,
      strategyId: group.strategyId,
      source: isClose && group.source === 'strategy' ? 'strategy' : group.source,
      intent,
      legs,
      qty,
      type: plan.type,
      limitPrice: plan.type === 'LMT' ? plan.limit : null,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: isClose && legs.length === 1,
      parentClientOrderId: null,
    };
    const refused = this.orders.send(order);
    if (refused) {
      this.core.recorder.record('refusal', {
        source: group.source === 'operator' ? 'operator' : 'strategy',
        strategyId: group.strategyId,
        rule: refused.rule,
        message: refused.message,
        maxAllowedQty: refused.maxAllowedQty,
      });
    }
    return refused;
  }

  /**
   * The price of the next order on these legs. `working` is an order still working on them: the
   * plan is then for its replacement (one attempt further).
   */
  private planFor(
    group: GroupRecord,
    intent: OrderIntentKind,
    legs: readonly OrderLeg[],
    opOrders: OrderRecord[],
    working: OrderRecord | null,
  ): PricePlan | null {
    // A fixed entry limit is what the gate measured the budget at: sent as given, never chased.
    const fixed = intent === 'open' && group.legs.length === 1 ? (group.entry?.limitPrice ?? null) : null;
    if (fixed !== null) return { type: 'LMT', limit: fixed, atCap: true };
    const s = this.core.settings.execution;
    const touches = (o: OrderRecord) =>
      o.intent.legs.some((l) => legs.some((x) => x.instrumentId === l.instrumentId));
    const cancelled = opOrders.filter((o) => o.state === 'cancelled' && touches(o)).length;
    const same = opOrders.filter((o) => sameLegs(o.intent.legs, legs));
    const previous = working ?? same.filter((o) => o.state === 'cancelled').at(-1) ?? null;
    const urgent =
      this.urgency.get(group.id) === 'urgent' || (group.status === 'closing' && !this.urgency.has(group.id));
    const isClose = intent === 'close' || intent === 'reduce';
    return planPrice({
      market: this.core.venue.market,
      legs: legs.map((l) => ({ ...l, tick: this.core.p.requireInstrument(l.instrumentId).tick })),
      attempt: cancelled + (working === null ? 0 : 1),
      urgent,
      marketAllowed: isClose && urgent && s.marketWhenUrgent && this.core.venue.capabilities.marketOrders,
      firstLimit: same.find((o) => o.intent.limitPrice !== null)?.intent.limitPrice ?? null,
      previous: previous === null ? null : { limit: previous.intent.limitPrice },
      settings: s,
    });
  }

  /**
   * Stale working orders are cancelled and confirmed cancelled before any replacement. Open orders
   * of a group that is closing are cancelled at once (not before the venue has acknowledged them:
   * one it never heard of is resolved by reconciliation).
   */
  private chase(group: GroupRecord, live: OrderRecord[], opOrders: OrderRecord[]): void {
    const s = this.core.settings.execution;
    const now = this.core.now();
    for (const order of live) {
      if (order.state !== 'working' && order.state !== 'partially_filled') continue;
      if (!this.servesStatus(group, order)) {
        // Asked at once, then again only on the chase timer: a venue that refuses the cancel
        // (disconnected) answers at once, and asking on every answer would never end.
        const asked = this.stopAskedAt.get(order.intent.clientOrderId);
        if (asked !== undefined && now - asked < s.chaseStepMs) continue;
        this.stopAskedAt.set(order.intent.clientOrderId, now);
        this.orders.requestCancel(
          order,
          `${group.id} is ${group.status}: its ${order.intent.intent} orders stop`,
        );
        continue;
      }
      if (order.intent.intent === 'protect') continue; // rests at the venue until it triggers
      if (now - order.updatedAt < s.chaseStepMs) continue;
      if (opOrders.length >= s.attemptsMax) continue; // leave it working: no storm of replacements
      // At its cap already: a replacement would carry the same price, so it keeps working.
      const next = this.planFor(group, order.intent.intent, order.intent.legs, opOrders, order);
      if (next?.type === 'LMT' && next.limit === order.intent.limitPrice) continue;
      this.orders.requestCancel(order, 'chase: re-price toward the far side');
    }
  }

  private servesStatus(group: GroupRecord, order: OrderRecord): boolean {
    // A protective stop or target serves an open group; a close or reduce cancels it first.
    if (order.intent.intent === 'protect') return group.status === 'open';
    const wanted = group.status === 'opening' ? ['open'] : ['close', 'reduce'];
    return wanted.includes(order.intent.intent);
  }

  private groupOrders(group: GroupRecord): OrderRecord[] {
    return group.clientOrderIds.map((id) => this.core.p.orders.require(id));
  }

  private operationOrders(group: GroupRecord): OrderRecord[] {
    return this.groupOrders(group).filter(
      (o) => o.createdAt >= group.statusAt && o.intent.intent !== 'protect' && this.servesStatus(group, o),
    );
  }

  private setStatus(
    group: GroupRecord,
    status: GroupRecord['status'],
    reason: string,
    targetUnits: number | null = null,
  ): void {
    this.core.recorder.record('group.status', { groupId: group.id, status, reason, targetUnits });
    this.core.log(`${group.id} ${status}: ${reason}`);
  }

  private owned(group: GroupRecord, instrumentId: InstrumentId): number {
    return this.core.p.ownership.owned(instrumentId, group.id);
  }

  private need(instrumentId: InstrumentId, signedQty: number): LegNeed {
    return { instrumentId, side: signedQty > 0 ? 'BUY' : 'SELL', qty: Math.abs(signedQty) };
  }

  private describe(id: InstrumentId): string {
    const i = this.core.p.requireInstrument(id);
    return i.kind === 'option' ? `${i.strike}${i.right}` : i.symbol;
  }
}

/**
 * Orders the venue refused or lost. An order that never left keel because the link was down
 * (reason notSent, no venue order id) says nothing about the leg: it is sent again after reconnecting.
 */
function failedOrders(orders: OrderRecord[]): OrderRecord[] {
  return orders.filter((o) => (o.state === 'rejected' && !neverSent(o)) || o.state === 'lost');
}

function neverSent(o: OrderRecord): boolean {
  return o.venueOrderId === null && o.rejectReason === 'notSent';
}

function describeFailures(failed: OrderRecord[]): string {
  return failed
    .map(
      (o) =>
        `${o.intent.clientOrderId} ${o.state}${o.rejectCode === null ? '' : ` (${o.rejectCode} ${o.lastReason ?? ''})`}`,
    )
    .join('; ');
}

/** Same instruments, sides and ratios: a replacement of the same order, for pricing. */
function sameLegs(a: readonly OrderLeg[], b: readonly OrderLeg[]): boolean {
  return (
    a.length === b.length &&
    b.every((x) =>
      a.some((y) => y.instrumentId === x.instrumentId && y.side === x.side && y.ratio === x.ratio),
    )
  );
}
