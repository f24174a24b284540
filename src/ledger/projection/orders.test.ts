// The live-order index: live() must list exactly the orders a full scan would, in the same order,
// through every transition the state machine allows (including a lost order coming back).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, ClientOrderId, isLive, type OrderEvent, type OrderIntent } from '../../domain';
import { newOrderRecord, OrderBook } from './orders';

const events: readonly OrderEvent[] = [
  'sent',
  'accepted',
  'rejected',
  'partialFill',
  'fill',
  'cancelRequested',
  'cancelRejected',
  'cancelled',
  'expired',
  'lost',
];

function intent(n: number): OrderIntent {
  return { clientOrderId: ClientOrderId.of(`k-${n}`) } as OrderIntent;
}

const scan = (book: OrderBook) => [...book.all()].filter((o) => isLive(o.state));
const ids = (orders: readonly { intent: OrderIntent }[]) => orders.map((o) => o.intent.clientOrderId);

describe('OrderBook.live', () => {
  it('drops an order that ends and lists a lost one found again in its first place', () => {
    const book = new OrderBook();
    const [a, b, c] = [0, 1, 2].map((n) => newOrderRecord(intent(n), n));
    for (const o of [a, b, c]) if (o) book.add(o);
    if (!a || !b || !c) throw new Error('three orders');
    book.transition(a, 'lost', 3);
    book.transition(b, 'fill', 4);
    expect(ids(book.live())).toEqual(['k-2']);
    book.transition(a, 'accepted', 5);
    expect(ids(book.live())).toEqual(['k-0', 'k-2']);
  });

  it('equals a scan of every order after any sequence of allowed transitions', () => {
    const step = fc.oneof(
      fc.constant({ kind: 'add' as const }),
      fc.record({
        kind: fc.constant('move' as const),
        order: fc.nat(),
        event: fc.constantFrom(...events),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const book = new OrderBook();
        const added = [];
        for (const [t, s] of steps.entries()) {
          if (s.kind === 'add' || added.length === 0) {
            const record = newOrderRecord(intent(added.length), t);
            book.add(record);
            added.push(record);
            continue;
          }
          const order = added[s.order % added.length];
          if (order && canTransition(order.state, s.event)) book.transition(order, s.event, t);
          expect(ids(book.live())).toEqual(ids(scan(book)));
        }
        expect(ids(book.live())).toEqual(ids(scan(book)));
      }),
      { numRuns: 300 },
    );
  });
});
