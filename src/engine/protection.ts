// Protective orders (intent 'protect'). A group opened with a stop and/or a take-profit (its entry
// terms) keeps them at the venue as reduce-only orders attached to its entry order, so the venue
// treats them as one-cancels-other; they are sized to what the group owns and bounded by the gate
// like a close. They protect the position while keel is down (the 2025-10-24 position closed at
// its target while the bot was off). Where the venue refuses them, keel manages the exit itself:
// it watches the quote and closes. A group a protective order took flat is closed.
import { isLive, qtyAdd, type GroupId, type InstrumentId, type OrderIntent, type OrderType } from '../domain';
import { remainingLegQty, type GroupRecord, type OrderRecord } from '../ledger/projection';
import { clientOrderIdFor } from './client-order-ids';
import type { EngineCore } from './engine-core';
import type { OrderManager } from './order-manager';
import { closeFlatGroup } from './reconcile';
import type { Urgency } from './strategy';

/** Venue rejections of one kind of protective order before keel manages that exit itself. */
export const protectRejectsMax = 2;

/**
 * How long a stop may sit triggered without finishing: part-filled with its remainder unfilled,
 * or with the price through it and nothing filled. Then keel closes what the group owns itself,
 * chased toward the market like any urgent close (a triggered stop's remainder once sat four hours
 * while the price fell through it).
 */
export const triggeredStopStaleMs = 30_000;

type Kind = {
  readonly name: 'stop-loss' | 'take-profit';
  readonly type: OrderType;
  readonly urgency: Urgency;
};
const kinds: readonly Kind[] = [
  { name: 'stop-loss', type: 'STP', urgency: 'urgent' },
  { name: 'take-profit', type: 'MIT', urgency: 'normal' },
];

export type CloseGroup = (groupId: GroupId, reason: string, urgency: Urgency) => void;

export class Protection {
  private readonly refusalsNoted = new Set<string>();
  /** When the price was first seen through a working stop (in memory: a restart only waits longer). */
  private readonly breachedSince = new Map<string, number>();

  constructor(
    private readonly core: EngineCore,
    private readonly orders: OrderManager,
    private readonly close: CloseGroup,
  ) {}

  progressAll(): void {
    for (const g of this.core.p.activeGroups) if (g.status === 'open' && isProtected(g)) this.progress(g);
  }

  progress(group: GroupRecord): void {
    const p = this.core.p;
    // Also while HALTED: a protective order only reduces risk (the gate checks the venue matches).
    if (!isProtected(group) || group.status !== 'open') return;
    const leg = group.legs[0];
    if (leg === undefined) return;
    const owned = p.ownership.owned(leg.instrumentId, group.id);
    if (owned === 0) {
      if (group.executions > 0)
        closeFlatGroup(this.core, this.orders, group, { startUp: false, facts: null, lastFillAt: null });
      return;
    }
    const stale = this.staleStop(group, leg.instrumentId, owned);
    if (stale !== null) return this.close(group.id, stale, 'urgent');
    const breached = this.stopBreached(group, leg.instrumentId, owned);
    for (const kind of kinds) {
      // A stop already through the price fills on arrival: the take-profit waits for the venue's
      // answer to it, or it reaches the venue after the position is gone (generated seed 2997: a
      // SELL 23 PLTR for a group that owned none). Otherwise both go together, as one OCO where
      // the venue takes it that way (Alpaca).
      if (kind.type !== 'STP' && breached && this.stopUnanswered(group)) return;
      this.keep(group, leg.instrumentId, owned, kind);
    }
  }

  /** Whether the quote is through the group's stop price now (a stop sent now fills at once). */
  private stopBreached(group: GroupRecord, instrumentId: InstrumentId, owned: number): boolean {
    const stop = group.entry?.stopPrice ?? null;
    if (stop === null) return false;
    const mid = this.core.venue.market.quote(instrumentId)?.mid ?? null;
    return mid !== null && (owned > 0 ? mid <= stop : mid >= stop);
  }

  /** A stop-loss of the group the venue has not answered yet (sent, or about to be). */
  private stopUnanswered(group: GroupRecord): boolean {
    for (const o of this.protectOrders(group, 'STP'))
      if (o.state === 'intent' || o.state === 'submitted') return true;
    return false;
  }

  /** Why the group's triggered stop is stale, or null while it is not. */
  private staleStop(group: GroupRecord, instrumentId: InstrumentId, owned: number): string | null {
    const now = this.core.now();
    const mid = this.core.venue.market.quote(instrumentId)?.mid ?? null;
    for (const o of this.protectOrders(group, 'STP')) {
      const id = o.intent.clientOrderId;
      const stop = o.intent.stopPrice;
      if ((o.state !== 'working' && o.state !== 'partially_filled') || stop === null) {
        this.breachedSince.delete(id);
        continue;
      }
      const waitedS = (since: number) => Math.round((now - since) / 1000);
      if (o.state === 'partially_filled' && now - o.updatedAt >= triggeredStopStaleMs)
        return `stop-loss ${stop} part-filled, its remainder unfilled for ${waitedS(o.updatedAt)}s: keel closes the ${Math.abs(owned)} left`;
      const through = mid !== null && (owned > 0 ? mid <= stop : mid >= stop);
      if (!through) {
        this.breachedSince.delete(id);
        continue;
      }
      const since = this.breachedSince.get(id) ?? now;
      this.breachedSince.set(id, since);
      if (now - since >= triggeredStopStaleMs)
        return `stop-loss ${stop} passed (mid ${mid}) ${waitedS(since)}s ago without filling: keel closes the ${Math.abs(owned)} left`;
    }
    return null;
  }

  /** Keeps one kind of protective order covering exactly what the group owns. */
  private keep(group: GroupRecord, instrumentId: InstrumentId, owned: number, kind: Kind): void {
    const price = kind.type === 'STP' ? group.entry?.stopPrice : group.entry?.targetPrice;
    if (price === null || price === undefined) return;
    // One pass over the group's orders: this runs on every tick for every protected group.
    const mine = this.protectOrders(group, kind.type);
    let rejected = 0;
    let waiting = false;
    let covered = 0;
    const live: OrderRecord[] = [];
    for (const o of mine) {
      if (o.state === 'rejected') rejected++;
      if (!isLive(o.state)) continue;
      live.push(o);
      if (o.state === 'intent' || o.state === 'cancel_pending') waiting = true;
      covered += remainingLegQty(o, instrumentId);
    }
    if (rejected >= protectRejectsMax) return this.manage(group, instrumentId, owned, kind, price);
    if (waiting) return; // wait for the venue
    const need = Math.abs(owned);
    if (covered > need) {
      // The group owns less than it did (a partial close): re-size once the old ones are gone.
      for (const o of live)
        this.orders.requestCancel(o, `${kind.name} re-sized to the ${need} ${group.id} owns`);
      return;
    }
    if (covered >= need) return;
    this.send(group, instrumentId, owned, kind, price, qtyAdd(need, -covered));
  }

  private send(
    group: GroupRecord,
    instrumentId: InstrumentId,
    owned: number,
    kind: Kind,
    price: number,
    qty: number,
  ): void {
    const entry = group.clientOrderIds
      .map((id) => this.core.p.orders.require(id))
      .find((o) => o.intent.intent === 'open');
    const order: OrderIntent = {
      clientOrderId: clientOrderIdFor(group, 'protect'),
      groupId: group.id,
      strategyId: group.strategyId,
      source: 'engine',
      intent: 'protect',
      legs: [{ instrumentId, side: owned > 0 ? 'SELL' : 'BUY', ratio: 1 }],
      qty,
      type: kind.type,
      limitPrice: null,
      stopPrice: price,
      tif: 'GTC',
      reduceOnly: true,
      // Attached to the entry: the venue treats the stop and the target as one-cancels-other.
      parentClientOrderId: entry?.intent.clientOrderId ?? null,
    };
    const refused = this.orders.send(order);
    if (!refused) return;
    const key = `${group.id}|${kind.type}|${this.core.p.tradingHistory.length}`;
    if (this.refusalsNoted.has(key)) return; // said once, not every tick
    this.refusalsNoted.add(key);
    this.core.recorder.record('refusal', {
      source: group.source === 'operator' ? 'operator' : 'strategy',
      strategyId: group.strategyId,
      rule: refused.rule,
      message: `${kind.name} for ${group.id}: ${refused.message}`,
      maxAllowedQty: refused.maxAllowedQty,
    });
  }

  /** The venue will not hold this exit: keel watches the quote and closes the group itself. */
  private manage(
    group: GroupRecord,
    instrumentId: InstrumentId,
    owned: number,
    kind: Kind,
    price: number,
  ): void {
    const mid = this.core.venue.market.quote(instrumentId)?.mid ?? null;
    if (mid === null) return;
    const long = owned > 0;
    const stop = kind.type === 'STP';
    const reached = stop === long ? mid <= price : mid >= price;
    if (!reached) return;
    this.close(
      group.id,
      `${kind.name} ${price} reached at ${mid} (managed by keel: the venue refused the ${kind.type} order)`,
      kind.urgency,
    );
  }

  private protectOrders(group: GroupRecord, type: OrderType): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const id of group.clientOrderIds) {
      const o = this.core.p.orders.require(id);
      if (o.intent.intent === 'protect' && o.intent.type === type) out.push(o);
    }
    return out;
  }
}

/** A single-leg group opened with a stop or a target. */
export function isProtected(g: GroupRecord): boolean {
  const entry = g.entry;
  return g.legs.length === 1 && entry !== null && (entry.stopPrice !== null || entry.targetPrice !== null);
}
