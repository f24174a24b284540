import { describe, expect, it } from 'vitest';
import { check } from './check';
import { found, openIronCondor, withForeign704 } from '../../../test/support/venue-log-builder';

describe('seq', () => {
  it('a clean log numbers its lines 1, 2, 3, ... in time order', () => {
    const b = withForeign704();
    openIronCondor(b);
    expect(found(check(b.build()))).toEqual([]);
  });

  it('a gap in seq is reported once, where it happens', () => {
    const b = withForeign704();
    b.raw({ type: 'engine', event: 'start', seq: 3 });
    openIronCondor(b); // continues 4, 5, ...
    const result = check(b.build());
    expect(found(result)).toEqual([['seq', 3]]);
    expect(result.violations[0]?.message).toBe('line seq 3 where 2 was expected');
  });

  it('a time earlier than the line before is reported', () => {
    const b = withForeign704().at('10:00');
    b.raw({ type: 'connection', event: 'down' });
    b.raw({ type: 'connection', event: 'up', t: '2026-02-13T09:59:59-05:00' });
    b.raw({ type: 'engine', event: 'start' });
    expect(found(check(b.build()))).toEqual([['seq', 3]]);
  });

  it('times are compared as instants: the same instant in another offset is not earlier', () => {
    const b = withForeign704().at('10:00');
    b.raw({ type: 'connection', event: 'down' });
    b.raw({ type: 'connection', event: 'up', t: '2026-02-13T15:00:00Z' });
    expect(found(check(b.build()))).toEqual([]);
  });

  it('a malformed time is reported', () => {
    const b = withForeign704();
    b.raw({ type: 'engine', event: 'start', t: '2026-02-13 10:00' });
    expect(found(check(b.build()))).toEqual([['seq', 2]]);
  });
});
