// A scenario's futures-protected params are checked when the scenario loads, at the field.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '.';

describe('scenario strategies: futures-protected', () => {
  it('refuses bad params when the scenario is loaded, at the field', () => {
    const yaml = `
clock: { start: '2025-10-23T18:15:00+09:00', end: '2025-10-23T20:00:00+09:00' }
market: [{ symbol: BTC-USDT, kind: crypto, spot: 100000, path: flat }]
venue: { products: futures }
strategies:
  - { id: btc-perp, kind: futures-protected, params: { symbol: BTC-USDT, side: long, qty: 0.01, entryAt: '18:15', stopPct: 2 } }
`;
    const r = parseScenario(yaml, 'bad.yaml', 'yaml');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errors.join('\n')).toMatch(/strategies\[0\]\.params\.stopPct.*write 0\.01, not 1/);
  });
});
