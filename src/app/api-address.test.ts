// --api as every command takes it: a bare port means this machine, a URL is taken as given, and
// anything else is refused saying what --api takes.
import { describe, expect, it } from 'vitest';
import { isLoopback, parseApiAddress } from './api-address';

describe('parseApiAddress', () => {
  it('a bare port is http://127.0.0.1:PORT', () => {
    expect(parseApiAddress('8787')).toEqual({
      ok: true,
      address: { url: 'http://127.0.0.1:8787', host: '127.0.0.1', port: 8787 },
    });
  });

  it('a URL is taken as given, a trailing slash dropped, its port defaulted by scheme', () => {
    expect(parseApiAddress('http://localhost:7070/')).toEqual({
      ok: true,
      address: { url: 'http://localhost:7070', host: 'localhost', port: 7070 },
    });
    expect(parseApiAddress('http://[::1]:7070')).toMatchObject({
      ok: true,
      address: { host: '::1', port: 7070 },
    });
    expect(parseApiAddress('https://127.0.0.1')).toMatchObject({ ok: true, address: { port: 443 } });
  });

  it('anything else is refused saying what --api takes', () => {
    for (const [text, why] of [
      ['0', /a port is 1-65535/],
      ['70000', /a port is 1-65535/],
      ['seven', /neither a port nor a URL/],
      ['ftp://127.0.0.1:21', /http:\/\/ or https:\/\//],
      ['http://127.0.0.1:7070/status', /without a path/],
    ] as const) {
      const r = parseApiAddress(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/^--api takes a port \(7070, meaning http:\/\/127\.0\.0\.1:7070\) or a URL/);
        expect(r.error).toMatch(why);
      }
    }
  });

  it('serves on this machine only', () => {
    expect(['127.0.0.1', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});
