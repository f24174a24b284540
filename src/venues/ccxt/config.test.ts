// The `venue:` section of a ccxt config: keys only from the environment, a live account only with
// `live: true`, the test-only apiBaseUrl only on this machine, and never a key in what is printed.
import { describe, expect, it } from 'vitest';
import { describeCcxtConfig, isLoopbackUrl, parseCcxtSettings } from './config';

const env = { BINGX_API_KEY: 'key-of-the-account', BINGX_API_SECRET: 'secret-of-the-account' };

function errorsOf(raw: unknown, e: Record<string, string | undefined> = env): string[] {
  const r = parseCcxtSettings(raw, e);
  return r.ok ? [] : r.errors;
}

describe('ccxt settings', () => {
  it('demo trading with the keys from the environment', () => {
    const r = parseCcxtSettings({ exchange: 'bingx', sandbox: true }, env);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      exchange: 'bingx',
      marketType: 'swap',
      marginMode: 'cross',
      positionMode: 'oneWay',
      sandbox: true,
      live: false,
      apiBaseUrl: null,
      apiKey: env.BINGX_API_KEY,
      secret: env.BINGX_API_SECRET,
    });
    const said = describeCcxtConfig(r.config);
    expect(said).toBe('bingx swap (cross margin, one-way mode) at demo trading (sandbox)');
    expect(said).not.toContain(env.BINGX_API_KEY);
  });

  it('refuses the live account unless the config says live: true', () => {
    expect(errorsOf({ exchange: 'bingx' })).toEqual([
      'venue: this is a live bingx account (real money): set sandbox: true for demo trading, or live: true to trade it',
    ]);
    const live = parseCcxtSettings({ exchange: 'bingx', live: true }, env);
    expect(live.ok && live.config.live).toBe(true);
    if (live.ok) expect(describeCcxtConfig(live.config)).toMatch(/at its live urls \(real money\)$/);
    expect(errorsOf({ live: true, sandbox: true })).toEqual([
      'venue: live: true but sandbox: true is demo trading: say one or the other',
    ]);
    expect(errorsOf({ live: true, apiBaseUrl: 'http://127.0.0.1:9/openApi' })).toEqual([
      'venue: live: true but apiBaseUrl points at a fake exchange on this machine: remove apiBaseUrl to trade the live account, or remove live: true to test against the fake',
    ]);
  });

  it('names both environment variables when a key is missing, with every other fix at once', () => {
    const missing =
      'venue: set BINGX_API_KEY and BINGX_API_SECRET in the environment (keys are never read from a config file)';
    expect(errorsOf({ sandbox: true }, {})).toEqual([missing]);
    expect(errorsOf({ sandbox: true }, { BINGX_API_KEY: 'k', BINGX_API_SECRET: '  ' })).toEqual([missing]);
    expect(errorsOf({}, {})).toEqual([
      'venue: this is a live bingx account (real money): set sandbox: true for demo trading, or live: true to trade it',
      missing,
    ]);
  });

  it('takes apiBaseUrl only for a fake exchange on this machine', () => {
    for (const url of ['http://127.0.0.1:4567/openApi', 'http://localhost:1/openApi', 'http://[::1]:80/x'])
      expect(isLoopbackUrl(url), url).toBe(true);
    for (const url of ['https://127.0.0.3/openApi', 'http://127.0.0.2/', 'ftp://127.0.0.1/', 'nonsense'])
      expect(isLoopbackUrl(url), url).toBe(false);
    expect(errorsOf({ apiBaseUrl: 'https://127.0.0.3/openApi' })).toEqual([
      'venue: apiBaseUrl https://127.0.0.3/openApi is not a loopback http(s) url: it is only for testing against a fake exchange on this machine (127.0.0.1)',
    ]);
    expect(errorsOf({ apiBaseUrl: 'http://127.0.0.1:4567/openApi', sandbox: true })).toEqual([
      'venue: sandbox and apiBaseUrl exclude each other',
    ]);
    const fake = parseCcxtSettings({ apiBaseUrl: 'http://127.0.0.1:4567/openApi' }, env);
    expect(fake.ok && describeCcxtConfig(fake.config)).toBe(
      'bingx swap (cross margin, one-way mode) at http://127.0.0.1:4567/openApi (a test exchange on this machine)',
    );
  });

  it('refuses an unknown key naming the ones it takes, and never reads a key from the file', () => {
    expect(errorsOf({ sandbox: true, apiKey: 'in-the-file' })[0]).toMatch(
      /^venue: .*apiKey.*; a ccxt venue takes exchange, marginMode, positionMode, sandbox, live, apiBaseUrl \(keys from the environment/,
    );
    expect(errorsOf({ sandbox: true, exchange: 'binance' })[0]).toMatch(/^venue\.exchange: /);
  });
});
