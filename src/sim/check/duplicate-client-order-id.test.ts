import { describe, expect, it } from 'vitest';
import { check } from './check';
import { found, openIronCondor, withForeign704, xsp } from '../../../test/support/venue-log-builder';

describe('duplicate-client-order-id', () => {
  it('a second keel order under the same client order id is reported at that order', () => {
    const b = withForeign704();
    openIronCondor(b);
    const first = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close', clientOrderId: 'g1-close-672P' });
    b.reject(first, 'disconnected');
    const second = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close', clientOrderId: 'g1-close-672P' });
    const secondSeq = b.lastSeq;
    b.ack(second).fill(second, xsp.p672);
    const result = check(b.build());
    expect(found(result)).toEqual([['duplicate-client-order-id', secondSeq]]);
    expect(result.violations[0]?.message).toBe(
      `keel order ${second} reuses client order id g1-close-672P of order ${first} (seq ${secondSeq - 2})`,
    );
  });

  it('external orders carry no client id and are not keel orders', () => {
    const b = withForeign704();
    openIronCondor(b);
    for (let i = 0; i < 2; i++) {
      const hand = b.order({ legs: [[xsp.c691, 'BUY']], origin: 'external' });
      b.ack(hand).fill(hand, xsp.c691);
    }
    const result = check(b.build());
    expect(found(result)).toEqual([]);
    expect(result.stats.externalFills).toBe(2);
  });
});
