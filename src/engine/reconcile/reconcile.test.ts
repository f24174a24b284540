// Reconciliation against hand-written venue snapshots: the order of trust (client order id, venue
// order id, venue position id, characteristics), inferred fills with provenance, lost and adopted
// orders, typed discrepancies resolved by evidence, and nothing deleted.
import { describe, expect, it } from 'vitest';
import {
  ClientOrderId,
  GroupId,
  microsToCents,
  netRealized,
  toMicros,
  VenueOrderId,
  VenuePositionId,
} from '../../domain';
import { missingChecksMax, missingGraceMs, reconcile, startUpTrip } from '.';
import {
  btc,
  execution,
  futuresAccount,
  openLong,
  protect,
  snapshot,
  strategy,
  typesSince,
  venueOrder,
} from '../../../test/support/futures-account';

const group = 'btc-perp-20260213-1';
const gid = GroupId.of(group);

/** A long 0.0846 @ 109206.8 with its stop and take-profit working at the venue, position P1 captured. */
function protectedLong() {
  const a = futuresAccount();
  openLong(a.core, {
    group,
    qty: 0.0846,
    price: 109206.8,
    commission: 4.62,
    venueOrderId: 'V1',
    positionId: 'P1',
  });
  const stop = protect(a.core, {
    group,
    n: 2,
    qty: 0.0846,
    type: 'STP',
    trigger: 108114.7,
    venueOrderId: 'V2',
  });
  const target = protect(a.core, {
    group,
    n: 3,
    qty: 0.0846,
    type: 'MIT',
    trigger: 109953.4,
    venueOrderId: 'V3',
  });
  return { ...a, stop, target };
}

const closedWhileDown = (t: number, withExecution: boolean) =>
  snapshot(t, {
    orders: [
      venueOrder({
        clientOrderId: `${group}-o1`,
        venueOrderId: 'V1',
        status: 'filled',
        filledQty: 0.0846,
        avgFillPrice: 109206.8,
      }),
      venueOrder({ clientOrderId: `${group}-p2`, venueOrderId: 'V2', status: 'cancelled' }),
      venueOrder({
        clientOrderId: `${group}-p3`,
        venueOrderId: 'V3',
        status: 'filled',
        filledQty: 0.0846,
        avgFillPrice: 109953.3,
      }),
    ],
    executions: withExecution
      ? [
          execution({
            execId: 'E2',
            venueOrderId: 'V3',
            side: 'SELL',
            qty: 0.0846,
            price: 109953.3,
            commission: 4.65,
            t: t - 600_000,
          }),
        ]
      : [],
    positionHistory: [
      {
        venuePositionId: VenuePositionId.of('P1'),
        instrumentId: btc.id,
        qty: 0.0846,
        side: 'LONG',
        avgPrice: 109206.8,
        avgClosePrice: 109953.3,
        realisedPnl: toMicros(63.15),
        netPnl: toMicros(53.88),
        openedAt: t - 3_600_000,
        closedAt: t - 600_000,
      },
    ],
  });

describe('reconcile: a position closed while keel was down', () => {
  it('recovers the close from a trade record that has only the venue order id, and books the venue close', () => {
    const { core, orders, clock } = protectedLong();
    clock.set(clock.now() + 7_200_000);
    const counts = reconcile(core, orders, closedWhileDown(clock.now(), true), { startUp: true });
    const p = core.p;
    const g = p.requireGroup(gid);
    expect(counts.fillsRecovered).toBe(1);
    expect(g.status).toBe('closed');
    expect(g.exitReason).toBe('take-profit 109953.4 filled at the venue while keel was down');
    expect(g.closedAt).toBe(clock.now() - 600_000); // the venue's time, not the restart's
    expect(microsToCents(netRealized(g.pnl))).toBe(53.88);
    expect(g.venueClose?.venuePositionId).toBe('P1');
    expect(p.orders.require(ClientOrderId.of(`${group}-p3`)).state).toBe('filled');
    expect(p.orders.require(ClientOrderId.of(`${group}-p2`)).state).toBe('cancelled');
    const byKey = p.reconciliation.matches.map((m) => `${m.record}:${m.by}`);
    expect(byKey).toEqual(['execution:venueOrderId', 'positionHistory:venuePositionId']);
    expect([...p.discrepancies.values()]).toEqual([]);
  });

  it('infers the closing fill from the position history when no execution is left, to the venue net to the cent', () => {
    const { core, orders, clock, store } = protectedLong();
    clock.set(clock.now() + 7_200_000);
    const before = store.events.length;
    const counts = reconcile(core, orders, closedWhileDown(clock.now(), false), { startUp: true });
    const g = core.p.requireGroup(gid);
    expect(counts.fillsInferred).toBe(1);
    expect(g.status).toBe('closed');
    expect(microsToCents(netRealized(g.pnl))).toBe(53.88);
    expect(g.venueClose?.evidence).toBe('positionHistory');
    const fill = store.events.slice(before).find((e) => e.type === 'order.fill')?.data as {
      fill: { provenance: string; price: number; execId: string };
    };
    expect(fill.fill).toMatchObject({ provenance: 'inferred', price: 109953.3, execId: 'inferred:P1' });
    // Booked on the take-profit, whose trigger the close price passed.
    expect(core.p.orders.require(ClientOrderId.of(`${group}-p3`)).state).toBe('filled');
  });

  it('changes nothing when the same snapshot is reconciled again', () => {
    const { core, orders, clock, store } = protectedLong();
    clock.set(clock.now() + 7_200_000);
    const snap = closedWhileDown(clock.now(), true);
    reconcile(core, orders, snap, { startUp: true });
    const after = store.events.length;
    const counts = reconcile(core, orders, snap);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect(typesSince(store, after)).toEqual([]);
  });

  it('matches a closed position by characteristics when its id was never captured, with a confidence', () => {
    const a = futuresAccount();
    openLong(a.core, { group, qty: 0.0846, price: 109206.8, venueOrderId: 'V1' });
    protect(a.core, { group, n: 2, qty: 0.0846, type: 'STP', trigger: 108114.7, venueOrderId: 'V2' });
    const opened = a.clock.now();
    a.clock.set(opened + 7_200_000);
    const snap = closedWhileDown(a.clock.now(), false);
    const rec = {
      ...snap.positionHistory[0],
      openedAt: opened + 4000,
      avgClosePrice: 108114.6,
    } as (typeof snap.positionHistory)[0];
    reconcile(
      a.core,
      a.orders,
      {
        ...snap,
        orders: snap.orders
          .slice(0, 2)
          .map((o) => (o.venueOrderId === 'V2' ? { ...o, status: 'filled' as const, filledQty: 0.0846 } : o)),
        positionHistory: [rec],
      },
      { startUp: true },
    );
    const m = a.core.p.reconciliation.matches.find((x) => x.record === 'positionHistory');
    expect(m?.by).toBe('characteristics');
    expect(m?.confidence).toBeGreaterThan(0.9);
    expect(m?.confidence).toBeLessThan(1);
    const g = a.core.p.requireGroup(gid);
    expect(g.venuePositionIds.get(btc.id)).toBe('P1');
    expect(g.status).toBe('closed');
    expect(g.exitReason).toContain('stop-loss');
  });

  it('raises a pnl-mismatch when the venue net differs from what keel booked, and keeps the trade', () => {
    const { core, orders, clock } = protectedLong();
    clock.set(clock.now() + 7_200_000);
    const snap = closedWhileDown(clock.now(), true);
    const off = {
      ...snap,
      positionHistory: [{ ...snap.positionHistory[0], netPnl: toMicros(50) }],
    } as typeof snap;
    reconcile(core, orders, off, { startUp: true });
    const d = [...core.p.discrepancies.values()];
    expect(d.map((x) => x.kind)).toEqual(['pnl-mismatch']);
    expect(d[0]?.subject).toBe('P1');
    expect(core.p.requireGroup(gid).status).toBe('closed');
  });
});

describe('reconcile: orders', () => {
  it('declares an order sent but never seen at the venue lost only after bounded checks and the grace period', () => {
    const { core, orders, clock } = protectedLong();
    const checksBefore = (id: string) => core.p.orders.require(ClientOrderId.of(id)).state;
    const venue = (t: number) =>
      snapshot(t, {
        orders: [
          venueOrder({
            clientOrderId: `${group}-o1`,
            venueOrderId: 'V1',
            status: 'filled',
            filledQty: 0.0846,
          }),
        ],
        positions: [
          {
            instrumentId: btc.id,
            qty: 0.0846,
            avgPrice: 109206.8,
            venuePositionId: VenuePositionId.of('P1'),
          },
        ],
      });
    for (let i = 1; i < missingChecksMax; i++) {
      reconcile(core, orders, venue(clock.now()));
      expect(checksBefore(`${group}-p2`)).toBe('working');
    }
    clock.set(clock.now() + missingGraceMs);
    reconcile(core, orders, venue(clock.now()));
    expect(checksBefore(`${group}-p2`)).toBe('lost');
    const missing = [...core.p.discrepancies.values()].filter((d) => d.kind === 'missing-at-venue');
    expect(missing.map((d) => d.subject)).toEqual([`${group}-p2`, `${group}-p3`]);
    reconcile(core, orders, venue(clock.now())); // raised once, not every round
    expect([...core.p.discrepancies.values()].filter((d) => d.kind === 'missing-at-venue')).toHaveLength(2);
  });

  it("adopts a working order with keel's client order id that the journal lacks, into its group", () => {
    const { core, orders, clock } = protectedLong();
    const spec = {
      clientOrderId: ClientOrderId.of(`${group}-c9`),
      legs: [{ instrumentId: btc.id, side: 'SELL' as const, ratio: 1 }],
      qty: 0.0846,
      type: 'LMT' as const,
      limitPrice: 110000,
      stopPrice: null,
      tif: 'GTC' as const,
      reduceOnly: true,
      parentClientOrderId: null,
    };
    const counts = reconcile(
      core,
      orders,
      snapshot(clock.now(), {
        orders: [
          {
            ...venueOrder({
              clientOrderId: `${group}-c9`,
              venueOrderId: 'V9',
              status: 'working',
              remainingQty: 0.0846,
            }),
            spec,
          },
        ],
      }),
    );
    expect(counts.ordersAdopted).toBe(1);
    const adopted = core.p.orders.require(ClientOrderId.of(`${group}-c9`));
    expect(adopted).toMatchObject({ state: 'working', venueOrderId: 'V9' });
    expect(adopted.intent).toMatchObject({ groupId: gid, intent: 'close', source: 'engine' });
    expect(core.p.requireGroup(gid).clientOrderIds).toContain(`${group}-c9`);
  });

  it("flags an order with keel's id format whose group keel does not know as unknown-order, never adopts it", () => {
    const { core, orders, clock } = protectedLong();
    reconcile(
      core,
      orders,
      snapshot(clock.now(), {
        orders: [
          venueOrder({
            clientOrderId: 'btc-perp-20260212-7-o1',
            venueOrderId: 'V77',
            status: 'working',
            remainingQty: 1,
          }),
        ],
      }),
    );
    const d = [...core.p.discrepancies.values()].filter((x) => x.kind === 'unknown-order');
    expect(d.map((x) => x.subject)).toEqual(['btc-perp-20260212-7-o1']);
    expect(core.p.orders.get(ClientOrderId.of('btc-perp-20260212-7-o1'))).toBeUndefined();
  });

  it('infers a fill the venue reports and keel has no execution for: at once at start-up, after bounded checks live', () => {
    const run = (startUp: boolean) => {
      const { core, orders, clock } = protectedLong();
      const snap = snapshot(clock.now(), {
        orders: [
          venueOrder({
            clientOrderId: `${group}-p2`,
            venueOrderId: 'V2',
            status: 'filled',
            filledQty: 0.0846,
            avgFillPrice: 108100.04,
          }),
        ],
        positionHistory: [],
      });
      const first = reconcile(core, orders, snap, { startUp });
      return { core, orders, snap, first };
    };
    const atStart = run(true);
    expect(atStart.first.fillsInferred).toBe(1);
    const stop = atStart.core.p.orders.require(ClientOrderId.of(`${group}-p2`));
    expect(stop.state).toBe('filled');
    expect(atStart.core.p.reconciliation.matches[0]?.detail).toContain('inferred fill SELL 0.0846 @ 108100');
    const live = run(false);
    expect(live.first.fillsInferred).toBe(0);
    for (let i = 1; i < missingChecksMax; i++) reconcile(live.core, live.orders, live.snap);
    expect(live.core.p.orders.require(ClientOrderId.of(`${group}-p2`)).state).toBe('filled');
  });

  it('matches an execution with no ids to the one working order it fits, as an inferred fill', () => {
    const { core, orders, clock } = protectedLong();
    const x = execution({
      execId: 'X1',
      venueOrderId: 'V-unknown',
      side: 'SELL',
      qty: 0.0846,
      price: 108100,
      t: clock.now(),
    });
    reconcile(core, orders, snapshot(clock.now(), { executions: [x] }), { startUp: true });
    const m = core.p.reconciliation.matches.find((r) => r.record === 'execution');
    // A sell at 108100 is past the stop's trigger and nowhere near the take-profit's.
    expect(m).toMatchObject({ by: 'characteristics', keelRef: `${group}-p2`, confidence: 0.9 });
    expect(core.p.orders.require(ClientOrderId.of(`${group}-p2`)).state).toBe('filled');
  });

  it('matches nothing when an execution without ids fits two orders: never a guess', () => {
    const { core, orders, clock } = protectedLong();
    protect(core, { group, n: 4, qty: 0.0846, type: 'STP', trigger: 108100, venueOrderId: 'V4' });
    const x = execution({
      execId: 'X1',
      venueOrderId: 'V-unknown',
      side: 'SELL',
      qty: 0.0846,
      price: 108000,
      t: clock.now(),
    });
    const counts = reconcile(core, orders, snapshot(clock.now(), { executions: [x] }), { startUp: true });
    expect(counts.fillsInferred + counts.fillsRecovered).toBe(0);
    expect(core.p.execIds.has('X1')).toBe(false);
  });

  it('raises a stale-pending order keel believes ended but the venue still works, and cancels it', () => {
    const { core, orders, clock, venue } = protectedLong();
    core.recorder.record('order.cancelRequested', {
      clientOrderId: ClientOrderId.of(`${group}-p2`),
      reason: 'test',
    });
    core.recorder.record('order.cancelled', {
      clientOrderId: ClientOrderId.of(`${group}-p2`),
      remainingQty: 0.0846,
      reason: 'test',
    });
    const working = venueOrder({
      clientOrderId: `${group}-p2`,
      venueOrderId: 'V2',
      status: 'working',
      remainingQty: 0.0846,
    });
    reconcile(core, orders, snapshot(clock.now(), { orders: [working] }));
    const d = [...core.p.discrepancies.values()].filter((x) => x.kind === 'stale-pending');
    expect(d).toHaveLength(1);
    expect(venue.cancels).toEqual([`${group}-p2`]);
    reconcile(core, orders, snapshot(clock.now(), { orders: [{ ...working, status: 'cancelled' }] }));
    expect(core.p.discrepancies.get(d[0]?.id ?? '')?.resolution).toMatch(/^evidence: /);
  });
});

describe('reconcile: positions', () => {
  it('halts when the venue no longer contains what keel owns, and resolves it on evidence', () => {
    const { core, orders, clock } = protectedLong();
    reconcile(core, orders, snapshot(clock.now(), { positions: [] }));
    expect(core.p.tradingState).toBe('HALTED');
    const d = [...core.p.discrepancies.values()].find((x) => x.kind === 'quantity-mismatch');
    expect(d?.subject).toBe(`position:${btc.id}`);
    reconcile(
      core,
      orders,
      snapshot(clock.now(), {
        positions: [
          {
            instrumentId: btc.id,
            qty: 0.0846,
            avgPrice: 109206.8,
            venuePositionId: VenuePositionId.of('P1'),
          },
        ],
      }),
    );
    expect(core.p.discrepancies.get(d?.id ?? '')?.resolved).toBe(true);
    expect(core.p.tradingState).toBe('HALTED'); // resuming is an operator's act
  });

  it('captures the position id of an open position for the group that owns it', () => {
    const a = futuresAccount();
    openLong(a.core, { group, qty: 0.0846, price: 109206.8, venueOrderId: 'V1' });
    reconcile(
      a.core,
      a.orders,
      snapshot(a.clock.now(), {
        positions: [
          {
            instrumentId: btc.id,
            qty: 0.0846,
            avgPrice: 109206.8,
            venuePositionId: VenuePositionId.of('P7'),
          },
        ],
      }),
    );
    expect(a.core.p.requireGroup(gid).venuePositionIds.get(btc.id)).toBe('P7');
  });

  it('starts keel REDUCING when an open discrepancy touches an owned position, never ACTIVE', () => {
    const { core } = protectedLong();
    core.raise('stale-pending', 'a stop keel could not confirm', btc.id, gid, `${group}-p2`);
    expect(core.p.tradingState).toBe('ACTIVE');
    startUpTrip(core);
    expect(core.p.tradingState).toBe('REDUCING');
    expect(core.p.tradingHistory.at(-1)?.reason).toContain('stale-pending');
  });

  it('keeps every order and group: nothing is deleted by a round', () => {
    const { core, orders, clock } = protectedLong();
    const ordersBefore = core.p.orders.size;
    reconcile(core, orders, snapshot(clock.now() + 3_600_000), { startUp: true });
    expect(core.p.orders.size).toBe(ordersBefore);
    expect(core.p.groups.has(gid)).toBe(true);
    expect(VenueOrderId.of('V1')).toBe(core.p.orders.require(ClientOrderId.of(`${group}-o1`)).venueOrderId);
    expect(strategy).toBe('btc-perp');
  });
});
