import { describe, expect, it } from 'vitest';
import { check } from './check';
import {
  found,
  openIronCondor,
  option,
  VenueLogBuilder,
  withForeign704,
  xsp,
} from '../../../test/support/venue-log-builder';

describe('defined-risk', () => {
  it('one violation per uncovered episode: a new episode after cover returns is reported again', () => {
    const b = withForeign704().at('09:56');
    const short = b.order({ legs: [[xsp.c692, 'SELL']] });
    b.fill(short, xsp.c692);
    const firstSeq = b.lastSeq - 1;
    b.wait(1).raw({ type: 'connection', event: 'down' }).raw({ type: 'connection', event: 'up' });
    const more = b.order({ legs: [[xsp.c692, 'SELL']] });
    b.fill(more, xsp.c692); // still the same episode, now 2 uncovered
    const long = b.order({ legs: [[xsp.c693, 'BUY']], qty: 2 });
    b.fill(long, xsp.c693);
    const sellLong = b.order({ legs: [[xsp.c693, 'SELL']], intent: 'close' });
    b.fill(sellLong, xsp.c693);
    const secondSeq = b.lastSeq - 1;
    expect(found(check(b.build()))).toEqual([
      ['defined-risk', firstSeq],
      ['defined-risk', secondSeq],
    ]);
  });

  it('calls and puts are separate families, each reported', () => {
    const b = withForeign704().at('09:56');
    const strangle = b.order({
      legs: [
        [xsp.p672, 'SELL'],
        [xsp.c692, 'SELL'],
      ],
    });
    b.comboFill(strangle, [0.3, 0.25]);
    const result = check(b.build());
    expect(found(result)).toEqual([
      ['defined-risk', b.lastSeq - 2],
      ['defined-risk', b.lastSeq - 2],
    ]);
    const messages = result.violations.map((v) => v.message).sort();
    expect(messages[0]).toMatch(/^short call uncovered: 1 of XSP 2026-02-13 692C/);
    expect(messages[1]).toMatch(/^short put uncovered: 1 of XSP 2026-02-13 672P/);
  });

  it("a foreign long does not cover keel's short", () => {
    const b = withForeign704().at('09:56');
    const c703 = option(842236400, 703, 'C');
    const short = b.order({ legs: [[c703, 'SELL']] });
    b.fill(short, c703);
    expect(found(check(b.build()))).toEqual([['defined-risk', b.lastSeq - 1]]);
  });

  it('a long below a short call is not its wing (the rule is the credit-spread wing)', () => {
    const b = withForeign704().at('09:56');
    const o = b.order({
      legs: [
        [xsp.c691, 'BUY'],
        [xsp.c692, 'SELL'],
      ],
    });
    b.comboFill(o, [0.3, 0.25]);
    expect(found(check(b.build()))).toEqual([['defined-risk', b.lastSeq - 2]]);
  });

  it('settlements at different instants are different events', () => {
    const b = withForeign704();
    openIronCondor(b);
    b.at('16:00').settle(xsp.c693, 0).wait(1).settle(xsp.c692, 0);
    const nakedSeq = b.lastSeq - 3; // settle 693C, its position line, then 692C settles
    b.settle(xsp.p671, 0).settle(xsp.p672, 0);
    expect(found(check(b.build()))).toEqual([['defined-risk', nakedSeq]]);
  });

  it("expiry ends keel's short that an outside buy netted to zero at the venue (no settle line for it)", () => {
    const b = withForeign704();
    openIronCondor(b);
    const outside = b.at('15:21').order({ legs: [[xsp.p672, 'BUY']], origin: 'external' });
    b.ack(outside).fill(outside, xsp.p672);
    expect(b.venuePosition(xsp.p672)).toBe(0);
    b.at('16:00').settle(xsp.c704, 0).settle(xsp.p671, 0).settle(xsp.c692, 0).settle(xsp.c693, 0);
    expect(found(check(b.build(), { converged: true }))).toEqual([]);
  });

  it('expiry does not end a short of a later expiry that the venue nets to zero', () => {
    const b = withForeign704().at('09:56');
    const p672Next = option(841471100, 672, 'P', { expiry: '2026-02-14' });
    const p671 = option(841471101, 671, 'P', { expiry: '2026-02-14' });
    const spread = b.order({
      legs: [
        [p671, 'BUY'],
        [p672Next, 'SELL'],
      ],
    });
    b.comboFill(spread, [0.2, 0.3]);
    const outside = b.order({ legs: [[p672Next, 'BUY']], origin: 'external' });
    b.fill(outside, p672Next);
    const sellLong = b.order({ legs: [[p671, 'SELL']], intent: 'close' });
    b.fill(sellLong, p671);
    const nakedSeq = b.lastSeq - 1;
    b.at('16:00').settle(xsp.c704, 0);
    expect(found(check(b.build()))).toEqual([['defined-risk', nakedSeq]]);
  });

  it('a partial combo execution is covered unit for unit', () => {
    const b = new VenueLogBuilder().at('09:56');
    const o = b.order({
      legs: [
        [xsp.c692, 'SELL'],
        [xsp.c693, 'BUY'],
      ],
      qty: 3,
    });
    b.comboFill(o, [0.25, 0.19], { units: 1 }).wait(5).comboFill(o, [0.25, 0.19], { units: 2 });
    expect(found(check(b.build(), { converged: true }))).toEqual([]);
  });
});
