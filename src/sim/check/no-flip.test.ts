import { describe, expect, it } from 'vitest';
import { check } from './check';
import { equity, found, VenueLogBuilder } from '../../../test/support/venue-log-builder';

const pltr = equity(7, 'PLTR');

function longPltr(b: VenueLogBuilder, group: string, qty: number): void {
  const buy = b.order({ legs: [[pltr, 'BUY']], qty, group, strategy: 'operator' });
  b.ack(buy).fill(buy, pltr, { price: 170, commission: 1 });
}

describe('no-flip', () => {
  it('a stale close that fills after the position is flat takes it past zero', () => {
    const b = new VenueLogBuilder().at('09:45');
    longPltr(b, 'pltr', 100);
    b.at('10:00');
    const first = b.order({ legs: [[pltr, 'SELL']], qty: 100, intent: 'close', group: 'pltr' });
    const retry = b.order({ legs: [[pltr, 'SELL']], qty: 100, intent: 'close', group: 'pltr' });
    b.ack(first)
      .ack(retry)
      .fill(first, pltr, { price: 171, commission: 1 })
      .fill(retry, pltr, { price: 171, commission: 1 });
    const result = check(b.build());
    expect(found(result)).toEqual([['no-flip', b.lastSeq - 1]]);
    expect(result.violations[0]?.message).toMatch(
      new RegExp(
        `^reducing fill E\\d+ of order ${retry} \\(pltr-${retry.slice(1)}\\): SELL 100 PLTR \\[7\\] takes group pltr from 0 to -100$`,
      ),
    );
  });

  it('a close fill larger than the position flips it in one line', () => {
    const b = new VenueLogBuilder().at('09:45');
    longPltr(b, 'pltr', 100);
    const close = b.order({ legs: [[pltr, 'SELL']], qty: 100, intent: 'close', group: 'pltr' });
    b.ack(close).fill(close, pltr, { qty: 150, price: 171, commission: 1 }); // the venue overfills
    const result = check(b.build());
    expect(found(result)).toEqual([['no-flip', b.lastSeq - 1]]);
    expect(result.violations[0]?.message).toContain('takes group pltr from +100 to -50');
  });

  it("per group: one group's closes may not cross its own zero even when keel's net stays long", () => {
    const b = new VenueLogBuilder().at('09:45');
    longPltr(b, 'a', 100);
    longPltr(b, 'b', 100);
    const close = b.order({ legs: [[pltr, 'SELL']], qty: 100, intent: 'close', group: 'a' });
    const stale = b.order({ legs: [[pltr, 'SELL']], qty: 100, intent: 'close', group: 'a' });
    b.fill(close, pltr, { price: 171, commission: 1 }).fill(stale, pltr, { price: 171, commission: 1 });
    expect(found(check(b.build()))).toEqual([['no-flip', b.lastSeq - 1]]);
  });

  it('per instrument when the report puts the order in no group', () => {
    const b = new VenueLogBuilder().at('09:45');
    const buy = b.order({ legs: [[pltr, 'BUY']], qty: 100, inGroup: false });
    b.fill(buy, pltr, { price: 170, commission: 1 });
    const sell = b.order({
      legs: [[pltr, 'SELL']],
      qty: 200,
      intent: 'close',
      inGroup: false,
      reduceOnly: true,
    });
    const sellSeq = b.lastSeq;
    b.fill(sell, pltr, { price: 171, commission: 1 });
    const result = check(b.build());
    expect(found(result)).toEqual([
      ['unknown-order', 1],
      ['unknown-order', sellSeq],
      ['foreign-untouched', sellSeq],
      ['no-flip', b.lastSeq - 1],
    ]);
    expect(result.violations[3]?.message).toContain("takes keel's quantity from +100 to -100");
  });

  it('both legs of a bracket filling (a broken OCO) flip the position', () => {
    const b = new VenueLogBuilder().at('09:45');
    const parent = b.order({ legs: [[pltr, 'BUY']], qty: 291, group: 'pltr', strategy: 'operator' });
    const child = {
      legs: [[pltr, 'SELL']] as const,
      qty: 291,
      intent: 'protect' as const,
      group: 'pltr',
      parentVenueOrderId: parent,
    };
    const takeProfit = b.order(child);
    const stopLoss = b.order(child);
    b.fill(parent, pltr, { price: 170.77, commission: 1 });
    b.at('10:30').fill(takeProfit, pltr, { price: 180, commission: 1 });
    b.at('10:31').fill(stopLoss, pltr, { price: 179, commission: 1 });
    expect(found(check(b.build()))).toEqual([['no-flip', b.lastSeq - 1]]);
  });

  it('open orders are not judged: adding to or reversing a position by an open is not a close', () => {
    const b = new VenueLogBuilder().at('09:45');
    longPltr(b, 'pltr', 100);
    const short = b.order({ legs: [[pltr, 'SELL']], qty: 300, group: 'pltr' });
    b.fill(short, pltr, { price: 171, commission: 1 });
    expect(found(check(b.build()))).toEqual([]);
  });
});
