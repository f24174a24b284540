import { describe, expect, it } from 'vitest';
import { check } from './check';
import {
  found,
  openIronCondor,
  VenueLogBuilder,
  withForeign704,
  xsp,
} from '../../../test/support/venue-log-builder';

describe('unknown-order', () => {
  it('a keel fill for a venue order with no order line', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.fill('V99', xsp.c691, { side: 'BUY', clientOrderId: 'ghost-1', commission: 0 });
    const fillSeq = b.lastSeq - 1;
    const result = check(b.build());
    // The report does not know the execution either, so its execution count is off too.
    expect(found(result)).toEqual([
      ['unknown-order', fillSeq],
      ['pnl-mismatch', null],
    ]);
    expect(result.violations[0]?.message).toMatch(
      /^fill E\d+ \(BUY 1 XSP 2026-02-13 691C \[841469839\]\) is for venue order V99, client id ghost-1 with no order line$/,
    );
    expect(result.violations[1]?.message).toBe('summary.executions 4 but the venue has 5 keel executions');
  });

  it('a fill logged before its order line', () => {
    const b = new VenueLogBuilder();
    b.fill('V2', xsp.c693, { side: 'BUY', clientOrderId: 'g1-2', commission: 0 });
    const o = b.order({ legs: [[xsp.c693, 'BUY']] });
    expect(o).toBe('V2');
    // The report did count the execution; only its order line is out of place.
    const result = check(b.build((r) => (r.summary.executions = 1)));
    expect(found(result)).toEqual([['unknown-order', 1]]);
    expect(result.violations[0]?.message).toContain('its order line only later at seq 3');
  });

  it('a keel order missing from report.orders', () => {
    const b = withForeign704().at('09:56');
    const o = b.order({ legs: [[xsp.c693, 'BUY']], inReportOrders: false });
    b.ack(o).fill(o, xsp.c693);
    const result = check(b.build());
    expect(found(result)).toEqual([['unknown-order', 2]]);
    expect(result.violations[0]?.message).toBe(`keel order ${o} (g1-1) is missing from report.orders`);
  });

  it("a keel order in no group's clientOrderIds", () => {
    const b = withForeign704().at('09:56');
    const o = b.order({ legs: [[xsp.c693, 'BUY']], inGroup: false });
    b.ack(o).fill(o, xsp.c693);
    const result = check(b.build());
    expect(found(result)).toEqual([['unknown-order', 2]]);
    expect(result.violations[0]?.message).toBe(`keel order ${o} (g1-1) is in no group's clientOrderIds`);
  });

  it('a keel order listed by two groups', () => {
    const b = withForeign704().at('09:56');
    const a = b.order({ legs: [[xsp.c693, 'BUY']], group: 'g1' });
    b.ack(a).fill(a, xsp.c693);
    const c = b.order({ legs: [[xsp.c691, 'BUY']], group: 'g2' });
    b.ack(c).fill(c, xsp.c691);
    const input = b.build((r) => r.groups[1]?.clientOrderIds.push('g1-1'));
    expect(found(check(input))).toEqual([['unknown-order', 2]]);
  });

  it('a keel order without a client order id', () => {
    const b = withForeign704().at('09:56');
    const o = b.order({ legs: [[xsp.c693, 'BUY']], clientOrderId: null });
    b.reject(o);
    expect(found(check(b.build()))).toEqual([['unknown-order', 2]]);
  });

  it("a fill claiming another client id than its order's", () => {
    const b = withForeign704().at('09:56');
    const o = b.order({ legs: [[xsp.c693, 'BUY']] });
    b.ack(o).fill(o, xsp.c693, { clientOrderId: 'g9-9' });
    const result = check(b.build());
    expect(found(result)).toEqual([['unknown-order', 4]]);
    expect(result.violations[0]?.message).toContain(`carries client id g9-9 but keel order ${o} is g1-1`);
  });
});
