// futures-protected parameters: the incident's parameters are valid; every mistake is refused with
// a message that names the field and says what to write.
import { describe, expect, it } from 'vitest';
import { StrategyId } from '../domain';
import { FuturesProtected } from './futures-protected';
import { parseFuturesProtectedParams } from './futures-protected-params';

const incident = {
  symbol: 'BTC-USDT',
  side: 'long',
  qty: 0.0846,
  entryAt: '18:15',
  stopPct: 0.01,
  targetPrice: 109953.4,
};

function errorsOf(params: unknown): string[] {
  const r = parseFuturesProtectedParams(params);
  return r.ok ? [] : r.errors;
}

describe('futures-protected params', () => {
  it('accepts the incident parameters, with defaults for the rest', () => {
    const r = parseFuturesProtectedParams(incident);
    expect(r).toEqual({
      ok: true,
      params: { ...incident, entrySlippagePct: 0.001, entryWindowMin: 30, executionsPerDay: 8 },
    });
  });

  it.each([
    [{ stopPct: 1 }, /^stopPct must be .*write 0\.01, not 1/],
    [{ side: 'buy' }, /^side must be "long" or "short"; got "buy"/],
    [{ qty: 0 }, /^qty must be greater than 0/],
    [{ entryAt: '6pm' }, /^entryAt must be a local time "HH:MM"/],
    [{ targetPct: 0.02 }, /^targetPct: give targetPrice or targetPct, not both/],
    [{ stopLoss: 0.01 }, /^unknown key\(s\) stopLoss: remove them/],
  ])('refuses %j naming the field and the fix', (change, message) => {
    const errors = errorsOf({ ...incident, ...change });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('says which required field is missing', () => {
    expect(errorsOf({ ...incident, stopPct: undefined })).toEqual([
      'stopPct is required: the stop distance as a fraction, e.g. 0.01 for 1%',
    ]);
  });

  it('throws a clear error when built with bad params outside a scenario', () => {
    expect(() => new FuturesProtected(StrategyId.of('btc-perp'), { ...incident, side: 'up' })).toThrow(
      /strategy 'btc-perp' \(futures-protected\) params:\n {2}- side must be "long" or "short"/,
    );
  });
});
