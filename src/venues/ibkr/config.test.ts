// The `venue:` section of an ibkr config: a live port only with `live: true`, `live: true` only on a
// live port; each refusal names the field and the fix.
import { describe, expect, it } from 'vitest';
import { parseIbkrSettings } from './config';

function errorsOf(raw: unknown): string[] {
  const r = parseIbkrSettings(raw);
  return r.ok ? [] : r.errors;
}

describe('ibkr venue settings', () => {
  it('refuses a live port without live: true, and live: true on a paper port, each saying what to set', () => {
    expect(errorsOf({ port: 7496 })).toEqual([
      'venue: port 7496 is a live-trading port (TWS 7496, Gateway 4001): set live: true to trade a live account',
    ]);
    expect(errorsOf({ port: 7497, live: true })).toEqual([
      'venue: live: true but port 7497 is a paper-trading port: set the live port (TWS 7496, Gateway 4001), or remove live: true for paper',
    ]);
    expect(errorsOf({ port: 4001, live: true })).toEqual([]);
  });
});
