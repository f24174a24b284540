// Protective orders: a group opened with a stop and a take-profit keeps both at the venue as
// reduce-only orders attached to its entry, sized to what it owns; the gate bounds them like a
// close; a venue that refuses them gets a managed exit; a group they took flat is closed.
import { describe, expect, it } from 'vitest';
import {
  ClientOrderId,
  ExecId,
  GroupId,
  toMicros,
  VenueOrderId,
  type OrderIntent,
  type OrderType,
} from '../domain';
import type { Urgency } from './strategy';
import { Protection, triggeredStopStaleMs } from './protection';
import { btc, futuresAccount, openLong, strategy } from '../../test/support/futures-account';

const group = 'btc-perp-20260213-1';
const gid = GroupId.of(group);

function protectedAccount(
  entry: { stopPrice: number | null; targetPrice: number | null } = {
    stopPrice: 108114.7,
    targetPrice: 109953.4,
  },
) {
  const a = futuresAccount();
  openLong(a.core, { group, qty: 0.0846, price: 109206.8, venueOrderId: 'V1', exits: entry });
  // The market where the entry filled, between the stop and the target.
  a.venue.quotes.set(btc.id, { bid: 109206.7, ask: 109206.9, mid: 109206.8, t: 0 });
  const closes: { groupId: string; reason: string; urgency: Urgency }[] = [];
  const protection = new Protection(a.core, a.orders, (groupId, reason, urgency) =>
    closes.push({ groupId, reason, urgency }),
  );
  return { ...a, protection, closes };
}

function protectOrder(n: number, type: OrderType, qty: number, trigger: number): OrderIntent {
  return {
    clientOrderId: ClientOrderId.of(`${group}-p${n}`),
    groupId: gid,
    strategyId: strategy,
    source: 'engine',
    intent: 'protect',
    legs: [{ instrumentId: btc.id, side: 'SELL', ratio: 1 }],
    qty,
    type,
    limitPrice: null,
    stopPrice: trigger,
    tif: 'GTC',
    reduceOnly: true,
    parentClientOrderId: null,
  };
}

/** A protected long whose stop (no target) the venue has accepted and works. */
function withWorkingStop() {
  const a = protectedAccount({ stopPrice: 108114.7, targetPrice: null });
  const g = a.core.p.requireGroup(gid);
  a.protection.progress(g);
  const stop = a.venue.sent[0]?.clientOrderId as ClientOrderId;
  a.core.recorder.record('order.accepted', { clientOrderId: stop, venueOrderId: VenueOrderId.of('V2') });
  return { ...a, g, stop };
}

describe('protective orders', () => {
  it('sends a reduce-only stop and take-profit for what the group owns, attached to its entry', () => {
    const { protection, venue, core } = protectedAccount();
    protection.progress(core.p.requireGroup(gid));
    expect(
      venue.sent.map((o) => [
        o.type,
        o.legs[0]?.side,
        o.qty,
        o.stopPrice,
        o.reduceOnly,
        o.parentClientOrderId,
      ]),
    ).toEqual([
      ['STP', 'SELL', 0.0846, 108114.7, true, `${group}-o1`],
      ['MIT', 'SELL', 0.0846, 109953.4, true, `${group}-o1`],
    ]);
    expect(core.p.orders.require(ClientOrderId.of(`${group}-p2`)).intent).toMatchObject({
      source: 'engine',
      intent: 'protect',
    });
    protection.progress(core.p.requireGroup(gid)); // covered: nothing more
    expect(venue.sent).toHaveLength(2);
  });

  it('with the price already through the stop, sends the stop alone and the take-profit only once the stop works', () => {
    const { protection, venue, core } = protectedAccount();
    venue.quotes.set(btc.id, { bid: 108000, ask: 108000.2, mid: 108000.1, t: 0 }); // below the 108114.7 stop
    protection.progress(core.p.requireGroup(gid));
    // A stop through the price fills on arrival: a target sent beside it would arrive for a
    // position already gone (generated seed 2997).
    expect(venue.sent.map((o) => o.type)).toEqual(['STP']);
    protection.progress(core.p.requireGroup(gid)); // still unanswered: still the stop alone
    expect(venue.sent.map((o) => o.type)).toEqual(['STP']);
    const stop = venue.sent[0]?.clientOrderId as ClientOrderId;
    core.recorder.record('order.accepted', { clientOrderId: stop, venueOrderId: VenueOrderId.of('V2') });
    protection.progress(core.p.requireGroup(gid)); // working, the position still there: the target goes
    expect(venue.sent.map((o) => o.type)).toEqual(['STP', 'MIT']);
  });

  it('is bounded by the gate like a close: what the group owns, a stop and a target not adding up', () => {
    const { orders } = protectedAccount();
    expect(orders.gate(protectOrder(9, 'STP', 0.0847, 108000))).toMatchObject({ rule: 'exceedsOwned' });
    const buy = {
      ...protectOrder(9, 'MIT', 0.0846, 110000),
      legs: [{ instrumentId: btc.id, side: 'BUY' as const, ratio: 1 }],
    };
    expect(orders.gate(buy)).toMatchObject({ rule: 'wrongSideForClose' });
    expect(orders.send(protectOrder(2, 'STP', 0.0846, 108000))).toBeNull();
    expect(orders.gate(protectOrder(9, 'STP', 0.0001, 108000))).toMatchObject({ rule: 'exceedsOwned' });
    expect(orders.gate(protectOrder(9, 'MIT', 0.0846, 110000))).toBeNull();
  });

  it('manages the exit itself when the venue refuses the stop order', () => {
    const { protection, core, venue, closes } = protectedAccount({
      stopPrice: 108114.7,
      targetPrice: null,
    });
    for (let i = 0; i < 2; i++) {
      protection.progress(core.p.requireGroup(gid));
      const id = venue.sent.at(-1)?.clientOrderId as ClientOrderId;
      core.recorder.record('order.rejected', {
        clientOrderId: id,
        code: 201,
        message: 'stop orders not supported',
      });
    }
    venue.quotes.set(btc.id, { bid: 108200, ask: 108200.2, mid: 108200.1, t: 0 });
    protection.progress(core.p.requireGroup(gid));
    expect(closes).toEqual([]);
    expect(venue.sent).toHaveLength(2); // no third attempt at the venue
    venue.quotes.set(btc.id, { bid: 108100, ask: 108100.2, mid: 108100.1, t: 0 });
    protection.progress(core.p.requireGroup(gid));
    expect(closes).toEqual([
      {
        groupId: gid,
        reason: 'stop-loss 108114.7 reached at 108100.1 (managed by keel: the venue refused the STP order)',
        urgency: 'urgent',
      },
    ]);
  });

  it('closes the group once its stop took it flat, after the attached take-profit is gone', () => {
    const { protection, core, venue } = protectedAccount();
    const g = core.p.requireGroup(gid);
    protection.progress(g);
    const [stop, target] = venue.sent.map((o) => o.clientOrderId);
    core.recorder.record('order.accepted', {
      clientOrderId: stop as ClientOrderId,
      venueOrderId: VenueOrderId.of('V2'),
    });
    core.recorder.record('order.accepted', {
      clientOrderId: target as ClientOrderId,
      venueOrderId: VenueOrderId.of('V3'),
    });
    core.recorder.record('order.fill', {
      fill: {
        execId: ExecId.of('E9'),
        clientOrderId: stop as ClientOrderId,
        venueOrderId: VenueOrderId.of('V2'),
        instrumentId: btc.id,
        side: 'SELL',
        qty: 0.0846,
        price: 108100,
        commission: toMicros(4.57),
        comboExecId: null,
        venuePositionId: null,
        t: core.now(),
        provenance: 'live',
      },
    });
    protection.progress(g);
    expect(g.status).toBe('open'); // the take-profit still works: cancel it first
    expect(venue.cancels).toEqual([target]);
    core.recorder.record('order.cancelled', {
      clientOrderId: target as ClientOrderId,
      remainingQty: 0.0846,
      reason: 'OCO',
    });
    protection.progress(g);
    expect(g.status).toBe('closed');
    expect(g.exitReason).toBe('stop-loss 108114.7 filled at the venue');
  });

  it('closes the rest itself when a triggered stop part-fills and its remainder goes stale', () => {
    const { protection, core, closes, clock, g, stop } = withWorkingStop();
    core.recorder.record('order.fill', {
      fill: {
        execId: ExecId.of('E9'),
        clientOrderId: stop,
        venueOrderId: VenueOrderId.of('V2'),
        instrumentId: btc.id,
        side: 'SELL',
        qty: 0.04,
        price: 108100,
        commission: toMicros(2.16),
        comboExecId: null,
        venuePositionId: null,
        t: core.now(),
        provenance: 'live',
      },
    });
    clock.set(core.now() + triggeredStopStaleMs - 1000);
    protection.progress(g);
    expect(closes).toEqual([]);
    clock.set(core.now() + 1000);
    protection.progress(g);
    expect(closes).toEqual([
      {
        groupId: gid,
        reason: 'stop-loss 108114.7 part-filled, its remainder unfilled for 30s: keel closes the 0.0446 left',
        urgency: 'urgent',
      },
    ]);
  });

  it('closes itself when the price stays through a working stop that does not fill', () => {
    const { protection, core, venue, closes, clock, g } = withWorkingStop();
    venue.quotes.set(btc.id, { bid: 108000, ask: 108000.2, mid: 108000.1, t: 0 });
    protection.progress(g);
    clock.set(core.now() + triggeredStopStaleMs / 2);
    venue.quotes.set(btc.id, { bid: 108200, ask: 108200.2, mid: 108200.1, t: 0 }); // back above: reset
    protection.progress(g);
    venue.quotes.set(btc.id, { bid: 108000, ask: 108000.2, mid: 108000.1, t: 0 });
    protection.progress(g);
    clock.set(core.now() + triggeredStopStaleMs - 1000);
    protection.progress(g);
    expect(closes).toEqual([]);
    clock.set(core.now() + 1000);
    protection.progress(g);
    expect(closes.map((c) => [c.reason, c.urgency])).toEqual([
      [
        'stop-loss 108114.7 passed (mid 108000.1) 30s ago without filling: keel closes the 0.0846 left',
        'urgent',
      ],
    ]);
  });
});
