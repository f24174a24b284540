// Issue acceptance: for random sequences of opens, partial fills, closes, duplicate fills and
// foreign trades, no close order ever exceeds owned-minus-pending, and ownership always equals the
// sum of keel's fills.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientOrderId,
  ExecId,
  GroupId,
  StrategyId,
  VenueOrderId,
  toMicros,
  type InstrumentId,
  type OrderIntent,
  type Side,
} from '../domain';
import { closableQty, workingCloseQty } from './close-sizing';
import { OrderManager } from './order-manager';
import { option, testCore } from '../../test/support/engine-fixtures';

const instruments = [option(1, 671, 'P'), option(2, 672, 'P'), option(3, 692, 'C'), option(4, 693, 'C')];
const strategy = StrategyId.of('ic-0dte');

type Step =
  | { kind: 'open'; group: number; leg: number; side: Side; qty: number }
  | { kind: 'fill'; order: number; fraction: number }
  | { kind: 'duplicate' }
  | { kind: 'close'; group: number; leg: number; qty: number }
  | { kind: 'cancel'; order: number }
  | { kind: 'foreign'; leg: number; qty: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('open' as const),
    group: fc.nat(3),
    leg: fc.nat(3),
    side: fc.constantFrom<Side>('BUY', 'SELL'),
    qty: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('fill' as const),
    order: fc.nat(40),
    fraction: fc.double({ min: 0.1, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
  fc.record({
    kind: fc.constant('close' as const),
    group: fc.nat(3),
    leg: fc.nat(3),
    qty: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(40) }),
  fc.record({
    kind: fc.constant('foreign' as const),
    leg: fc.nat(3),
    qty: fc.integer({ min: -30, max: 30 }),
  }),
);

describe('ownership under random order flow', () => {
  it('never lets a close exceed owned minus working closes, and ownership is the sum of keel fills', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const { core, venue } = testCore(instruments);
        const orders = new OrderManager(core);
        const p = core.p;
        const fillsByGroup = new Map<string, number>();
        let execNo = 0;
        let lastFill: Parameters<OrderManager['onFill']>[0] | null = null;
        let venueNet = new Map<InstrumentId, number>();
        const groupId = (g: number) => GroupId.of(`ic-0dte-20260213-${g + 1}`);
        const ensureGroup = (g: number) => {
          if (!p.groups.has(groupId(g))) {
            core.recorder.record('group.opened', {
              groupId: groupId(g),
              strategyId: strategy,
              kind: 'test',
              source: 'strategy',
              legs: instruments.map((i) => ({ instrumentId: i.id, qtyPerUnit: 1 })),
              units: 1,
              note: null,
              budget: null,
              entry: null,
            });
          }
          return p.requireGroup(groupId(g));
        };
        const send = (intent: OrderIntent) => {
          const refused = orders.send(intent);
          if (!refused)
            core.recorder.record('order.accepted', {
              clientOrderId: intent.clientOrderId,
              venueOrderId: VenueOrderId.of(`V${p.orders.size}`),
            });
          return refused;
        };
        for (const s of steps) {
          switch (s.kind) {
            case 'open': {
              const g = ensureGroup(s.group);
              const leg = instruments[s.leg];
              if (!leg) break;
              send(intentOf(g.id, `o${g.clientOrderIds.length + 1}`, 'open', leg.id, s.side, s.qty));
              break;
            }
            case 'close': {
              const g = ensureGroup(s.group);
              const leg = instruments[s.leg];
              if (!leg) break;
              const closable = closableQty(p, g, leg.id);
              const side: Side = closable?.side ?? 'SELL';
              const refused = send(
                intentOf(g.id, `c${g.clientOrderIds.length + 1}`, 'close', leg.id, side, s.qty),
              );
              if (!refused) {
                // accepted: it fit inside owned minus what was already closing
                expect(closable).not.toBeNull();
                expect(s.qty).toBeLessThanOrEqual(closable?.qty ?? 0);
              } else {
                expect(closable === null || s.qty > closable.qty).toBe(true);
                expect(refused.maxAllowedQty).toBe(closable === null ? 0 : closable.qty);
              }
              break;
            }
            case 'fill': {
              const live = p.orders.live();
              const o = live[s.order % Math.max(1, live.length)];
              if (!o) break;
              const leg = o.intent.legs[0];
              if (!leg) break;
              const remaining = o.intent.qty - (o.filledByLeg.get(leg.instrumentId) ?? 0);
              const qty = Math.max(1, Math.floor(remaining * s.fraction));
              const fill = {
                execId: ExecId.of(`E${++execNo}`),
                clientOrderId: o.intent.clientOrderId,
                venueOrderId: o.venueOrderId ?? VenueOrderId.of('V0'),
                instrumentId: leg.instrumentId,
                side: leg.side,
                qty,
                price: 1.05,
                commission: toMicros(0.65 * qty),
                comboExecId: null,
                venuePositionId: null,
                t: core.now(),
              };
              orders.onFill(fill);
              lastFill = fill;
              const signed = leg.side === 'BUY' ? qty : -qty;
              const key = `${o.intent.groupId}|${leg.instrumentId}`;
              fillsByGroup.set(key, (fillsByGroup.get(key) ?? 0) + signed);
              venueNet.set(leg.instrumentId, (venueNet.get(leg.instrumentId) ?? 0) + signed);
              break;
            }
            case 'duplicate':
              if (lastFill) orders.onFill(lastFill); // same exec id: must be ignored
              break;
            case 'cancel': {
              const live = p.orders.live();
              const o = live[s.order % Math.max(1, live.length)];
              if (o)
                core.recorder.record('order.cancelled', {
                  clientOrderId: o.intent.clientOrderId,
                  remainingQty: 0,
                  reason: 'test',
                });
              break;
            }
            case 'foreign': {
              const leg = instruments[s.leg];
              if (!leg) break;
              venueNet = new Map(venueNet);
              venueNet.set(leg.id, (venueNet.get(leg.id) ?? 0) + s.qty);
              core.recorder.record('venue.position', {
                instrumentId: leg.id,
                qty: venueNet.get(leg.id) ?? 0,
                avgPrice: 1,
              });
              break;
            }
          }
          // Invariants after every step.
          p.ownership.assertConsistent();
          for (const g of p.groups.values()) {
            for (const i of instruments) {
              const owned = p.ownership.owned(i.id, g.id);
              expect(owned).toBe(fillsByGroup.get(`${g.id}|${i.id}`) ?? 0);
              if (owned !== 0) {
                const closing = workingCloseQty(p, g, i.id, owned > 0 ? 'SELL' : 'BUY');
                expect(closing).toBeLessThanOrEqual(Math.abs(owned));
              }
            }
          }
          for (const i of instruments) {
            const net = venueNet.get(i.id);
            if (net !== undefined && p.ownership.venueNetQty(i.id) !== null)
              expect(p.ownership.foreign(i.id)).toBe(
                (p.ownership.venueNetQty(i.id) ?? 0) - p.ownership.ownedTotal(i.id),
              );
          }
        }
        expect(venue.sent.every((o) => o.qty > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

function intentOf(
  groupId: GroupId,
  suffix: string,
  intent: 'open' | 'close',
  instrumentId: InstrumentId,
  side: Side,
  qty: number,
): OrderIntent {
  return {
    clientOrderId: ClientOrderId.of(`${groupId}-${suffix}`),
    groupId,
    strategyId: strategy,
    source: 'strategy',
    intent,
    legs: [{ instrumentId, side, ratio: 1 }],
    qty,
    type: 'LMT',
    limitPrice: 1.05,
    stopPrice: null,
    tif: 'DAY',
    reduceOnly: intent === 'close',
    parentClientOrderId: null,
  };
}
