// Intent -> journal -> venue. An order is durable in the journal before it is sent, so a crash
// between the two leaves an intent that reconciliation resolves by client id: never sent twice.
// Venue events are checked against the order state machine before they are journaled.
import {
  canTransition,
  describeInstrument,
  isTerminal,
  type FillProvenance,
  type ClientOrderId,
  type OrderEvent,
  type OrderIntent,
} from '../domain';
import type { OrderRecord } from '../ledger/projection';
import type { VenueEvent, VenueFill } from '../venues/venue';
import type { EngineCore } from './engine-core';
import { noteParentId } from './reconcile/ids';
import { matchedAtVenue } from './matched-quantity';
import { checkOrder, checkVenueLimits, type OpenCheck } from './pre-trade-gate';
import type { Refusal } from './refusal';

const recentOrdersKept = 200;

export class OrderManager {
  private readonly recentOrderTimes: number[] = [];
  private readonly recentRejections: number[] = [];

  constructor(private readonly core: EngineCore) {}

  /** The one way an order leaves keel: gate, journal, send. */
  send(order: OrderIntent): Refusal | null {
    const now = this.core.now();
    const refused = this.gate(order);
    if (refused) return refused;
    this.core.recorder.record('order.intent', { order });
    this.core.venue.submit(order);
    this.core.recorder.record('order.sent', { clientOrderId: order.clientOrderId });
    this.recentOrderTimes.push(now);
    if (this.recentOrderTimes.length > recentOrdersKept) this.recentOrderTimes.shift();
    return null;
  }

  /** `open` carries the budget claim when a whole new structure is checked before it exists. */
  gate(order: OrderIntent, open: OpenCheck | null = null): Refusal | null {
    const venueLimits = checkVenueLimits(order, this.core.venue.capabilities);
    if (venueLimits) return venueLimits;
    return checkOrder({
      p: this.core.p,
      order,
      now: this.core.now(),
      limits: this.core.settings.gate,
      recentOrderTimes: this.recentOrderTimes,
      executionBudget: this.core.executionBudget(order.strategyId),
      risk: this.core.settings.risk,
      market: this.core.venue.market,
      open,
    });
  }

  requestCancel(order: OrderRecord, reason: string): void {
    if (!canTransition(order.state, 'cancelRequested') || order.state === 'cancel_pending') return;
    this.core.recorder.record('order.cancelRequested', { clientOrderId: order.intent.clientOrderId, reason });
    this.core.venue.cancel(order.intent.clientOrderId);
  }

  /**
   * Cancels keel's own working orders, never anyone else's (no global cancel). A halt passes
   * `keepClosing`: its closes of quantity the venue still matches go on reducing risk.
   */
  cancelAllMine(reason: string, keepClosing = false): { cancelled: number; protectiveKept: number } {
    let cancelled = 0;
    let protectiveKept = 0;
    for (const order of this.core.p.orders.live()) {
      if (order.state === 'intent' || order.state === 'cancel_pending') continue;
      // A resting stop-loss or take-profit only ever reduces risk: a halt must not strip a
      // position of its protection (flatten the group to take them off).
      if (order.intent.intent === 'protect') {
        protectiveKept++;
        continue;
      }
      const closing = order.intent.intent === 'close' || order.intent.intent === 'reduce';
      if (
        keepClosing &&
        closing &&
        order.intent.legs.every((l) => matchedAtVenue(this.core.p, l.instrumentId))
      )
        continue;
      this.requestCancel(order, reason);
      cancelled++;
    }
    return { cancelled, protectiveKept };
  }

  onVenueEvent(event: VenueEvent): void {
    switch (event.type) {
      case 'accepted':
        this.onOrderEvent(event.clientOrderId, 'accepted', () =>
          this.core.recorder.record('order.accepted', {
            clientOrderId: event.clientOrderId,
            venueOrderId: event.venueOrderId,
          }),
        );
        return noteParentId(this.core, event.clientOrderId, event.parentVenueOrderId ?? null);
      case 'rejected':
        this.noteRejection(event.t, `${event.clientOrderId}: ${event.code} ${event.message}`);
        return this.onOrderEvent(event.clientOrderId, 'rejected', () =>
          this.core.recorder.record('order.rejected', {
            clientOrderId: event.clientOrderId,
            code: event.code,
            message: event.message,
            reason: event.reason,
          }),
        );
      case 'cancelled': {
        const expired = event.reason === 'expired';
        return this.onOrderEvent(event.clientOrderId, expired ? 'expired' : 'cancelled', () =>
          expired
            ? this.core.recorder.record('order.expired', { clientOrderId: event.clientOrderId })
            : this.core.recorder.record('order.cancelled', {
                clientOrderId: event.clientOrderId,
                remainingQty: event.remainingQty,
                reason: event.detail,
              }),
        );
      }
      case 'cancelRejected':
        return this.onOrderEvent(event.clientOrderId, 'cancelRejected', () =>
          this.core.recorder.record('order.cancelRejected', {
            clientOrderId: event.clientOrderId,
            reason: `${event.reason}: ${event.detail}`,
          }),
        );
      case 'fill':
        return this.onFill(event.fill);
      case 'position':
      case 'settlement':
      case 'connection':
        return; // handled by the engine
    }
  }

  private onOrderEvent(id: ClientOrderId, event: OrderEvent, record: () => void): void {
    const order = this.core.p.orders.get(id);
    if (!order) {
      this.core.raise(
        'unknown-order',
        `venue reported '${event}' for client order id ${id}, which keel never sent`,
      );
      return;
    }
    if (!canTransition(order.state, event)) {
      this.core.log(`ignored venue '${event}' for ${id} in state ${order.state}`);
      return;
    }
    record();
  }

  /** Applies one execution; `provenance` says how keel learned of it (live, or on reconcile). */
  onFill(fill: VenueFill, provenance: FillProvenance = 'live'): void {
    const p = this.core.p;
    if (p.execIds.has(fill.execId)) {
      // The venue reported the same execution twice: journaled, so the count outlives a restart.
      this.core.recorder.record('fill.duplicate', { execId: fill.execId, clientOrderId: fill.clientOrderId });
      return;
    }
    const order = p.orders.get(fill.clientOrderId);
    if (!order) {
      this.core.raise(
        'unknown-order',
        `fill ${fill.execId} for unknown client order id ${fill.clientOrderId}`,
        fill.instrumentId,
      );
      return;
    }
    const wasClosed = isTerminal(order.state);
    const stateBefore = order.state;
    this.core.recorder.record('order.fill', { fill: { ...fill, provenance } });
    const group = p.requireGroup(order.intent.groupId);
    if (
      fill.venuePositionId !== null &&
      group.venuePositionIds.get(fill.instrumentId) !== fill.venuePositionId
    ) {
      this.core.recorder.record('group.positionId', {
        groupId: group.id,
        instrumentId: fill.instrumentId,
        venuePositionId: fill.venuePositionId,
      });
    }
    if (wasClosed) {
      const i = p.requireInstrument(fill.instrumentId);
      const detail = `fill ${fill.execId} (${fill.side} ${fill.qty} ${describeInstrument(i)}) arrived for ${order.intent.clientOrderId}, which keel believed ${stateBefore}`;
      this.core.raise('fill-after-close', detail, fill.instrumentId, group.id);
      this.core.trip('HALTED', `a fill arrived on an order keel believed ${stateBefore}`);
    }
    const budget = this.core.executionBudget(group.strategyId);
    if (p.executionsToday(group.strategyId, fill.t) > budget) {
      this.core.trip('HALTED', `${group.strategyId} passed its daily execution budget of ${budget}`);
    }
  }

  private noteRejection(t: number, what: string): void {
    const { rejectionsMax, rejectionsWindowMs } = this.core.settings.breaker;
    this.recentRejections.push(t);
    while (this.recentRejections.length > 0 && (this.recentRejections[0] ?? t) < t - rejectionsWindowMs)
      this.recentRejections.shift();
    if (this.recentRejections.length >= rejectionsMax) {
      this.core.trip(
        'HALTED',
        `${this.recentRejections.length} rejections within ${rejectionsWindowMs / 1000}s (last: ${what})`,
      );
    }
  }
}
