import { describe, expect, it } from 'vitest';
import { check } from './check';
import { found, openIronCondor, withForeign704, xsp } from '../../../test/support/venue-log-builder';

describe('duplicate-exec-id', () => {
  it('a fill the venue reports twice with one exec id counts once and is no violation', () => {
    const b = withForeign704();
    openIronCondor(b);
    const close = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close' });
    b.ack(close).fill(close, xsp.p672);
    const execId = b.execIds.at(-1) ?? '';
    b.wait(1).duplicateFill(execId);
    const input = b.build();
    const result = check(input);
    expect(found(result)).toEqual([]);
    expect(result.stats.keelFills).toBe(5);
    expect(input.report.summary.executions).toBe(5);
  });

  it('one exec id carrying a different quantity is two executions under one name', () => {
    const b = withForeign704();
    openIronCondor(b);
    const close = b.order({ legs: [[xsp.p672, 'BUY']], intent: 'close' });
    b.ack(close).fill(close, xsp.p672);
    const execId = b.execIds.at(-1) ?? '';
    b.duplicateFill(execId, { qty: 2 });
    const result = check(b.build());
    expect(found(result)).toEqual([['duplicate-exec-id', b.lastSeq]]);
    expect(result.violations[0]?.message).toContain(`exec id ${execId} first reported at seq`);
    expect(result.violations[0]?.message).toContain('different qty');
  });
});
