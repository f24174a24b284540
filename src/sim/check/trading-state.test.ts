import { describe, expect, it } from 'vitest';
import { check } from './check';
import {
  equity,
  found,
  openIronCondor,
  VenueLogBuilder,
  withForeign704,
  xsp,
} from '../../../test/support/venue-log-builder';

describe('order-while-halted / order-while-reducing', () => {
  it('while HALTED an open is reported; after an operator resume orders are fine again', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('10:08').tradingState('HALTED', 'unexpected position: XSP 673P');
    b.at('10:09');
    const open = b.order({ legs: [[xsp.c691, 'BUY']], intent: 'open', group: 'g2' });
    const haltedSeq = b.lastSeq;
    b.reject(open);
    b.at('10:30').tradingState('ACTIVE', 'operator resume: checked by hand');
    const again = b.order({ legs: [[xsp.c691, 'BUY']], intent: 'open', group: 'g3' });
    b.reject(again);
    const result = check(b.build());
    expect(found(result)).toEqual([['order-while-halted', haltedSeq]]);
    expect(result.violations[0]?.message).toContain(`keel open order ${open}`);
    expect(result.violations[0]?.message).toContain(
      'while HALTED (since 2026-02-13T10:08:00-05:00: unexpected position',
    );
  });

  it('while HALTED keel may close its own quantity where the venue still contains it, and only there', () => {
    const b = withForeign704();
    openIronCondor(b);
    // Someone buys back keel's short 672P by hand: the venue nets it to zero.
    const outside = b.order({ legs: [[xsp.p672, 'BUY']], origin: 'external' });
    b.ack(outside).fill(outside, xsp.p672);
    b.at('10:08').tradingState('HALTED', "venue quantity of 672P does not contain keel's owned -1");
    b.at('10:09');
    const matched = b.order({ legs: [[xsp.c692, 'BUY']], intent: 'close' });
    b.ack(matched).fill(matched, xsp.c692);
    const unmatched = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close' });
    const unmatchedSeq = b.lastSeq;
    b.reject(unmatched);
    const result = check(b.build());
    expect(found(result)).toEqual([['order-while-halted', unmatchedSeq]]);
    expect(result.violations[0]?.message).toContain('does not contain what keel owns');
  });

  it('REDUCING allows close, reduce and protect orders but not an open', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('10:08').tradingState('REDUCING', 'daily loss budget spent');
    b.wait(1);
    const reduce = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'reduce' });
    b.ack(reduce).fill(reduce, xsp.p672);
    const close = b.order({ legs: [[xsp.p671, 'SELL']], intent: 'close' });
    b.ack(close).fill(close, xsp.p671);
    const open = b.order({ legs: [[xsp.c691, 'BUY']], intent: 'open', group: 'g2' });
    const openSeq = b.lastSeq;
    b.reject(open);
    const result = check(b.build());
    expect(found(result)).toEqual([['order-while-reducing', openSeq]]);
  });

  it('REDUCING: an order the report lost is judged by reduceOnly', () => {
    const b = new VenueLogBuilder();
    const buy = b.order({ legs: [[equity(7, 'PLTR'), 'BUY']], qty: 10, group: 'pltr', strategy: 'operator' });
    b.ack(buy).fill(buy, equity(7, 'PLTR'), { price: 170 });
    b.wait(60).tradingState('REDUCING', 'operator flatten');
    b.wait(1);
    const sell = b.order({
      legs: [[equity(7, 'PLTR'), 'SELL']],
      qty: 10,
      group: 'pltr',
      reduceOnly: true,
      inReportOrders: false,
    });
    const sellSeq = b.lastSeq;
    b.reject(sell);
    // Missing from report.orders is unknown-order; reduceOnly keeps it allowed while REDUCING.
    expect(found(check(b.build()))).toEqual([['unknown-order', sellSeq]]);
  });

  it('an order stamped with the instant of the halt is judged by the more permissive state', () => {
    const b = withForeign704();
    b.at('10:08').tradingState('HALTED', 'circuit breaker');
    const o = b.order({ legs: [[xsp.c693, 'BUY']], intent: 'open' });
    b.reject(o);
    expect(found(check(b.build()))).toEqual([]);
    b.wait(0.001);
    const late = b.order({ legs: [[xsp.c693, 'BUY']], intent: 'open' });
    b.reject(late);
    expect(found(check(b.build()))).toEqual([['order-while-halted', b.lastSeq - 1]]);
  });
});
