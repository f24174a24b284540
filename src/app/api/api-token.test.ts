// The API token's file: made 0600 with 64 hex digits, the same one read at the next start, closed to
// others if it was opened up, refused if it is not a token; the pointer the keel commands read is
// found by URL and never blocks serving when the home folder cannot take it.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiTokenFor, loadOrCreateApiToken, publishApiToken } from './api-token';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'keel-token-'));
  dirs.push(d);
  return d;
};
const home = process.env['KEEL_HOME'];
afterEach(() => {
  if (home === undefined) delete process.env['KEEL_HOME'];
  else process.env['KEEL_HOME'] = home;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the API token file', () => {
  it('is made once (0600, 64 hex digits) and read again at the next start', () => {
    const file = join(dir(), 'journal.sqlite.api-token');
    const first = loadOrCreateApiToken(file);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateApiToken(file)).toEqual({ token: first.token, created: false, tightened: false });
  });

  it('closes a token file others could read, and refuses one that holds no token', () => {
    const file = join(dir(), 'api-token');
    const { token } = loadOrCreateApiToken(file);
    chmodSync(file, 0o644);
    expect(loadOrCreateApiToken(file)).toEqual({ token, created: false, tightened: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'password123\n');
    expect(() => loadOrCreateApiToken(file)).toThrow(/is not a keel API token \(64 hex digits\): delete it/);
  });
});

describe('the pointer the keel commands read', () => {
  it('leads from the URL served to the token, and is gone when the engine stops', () => {
    process.env['KEEL_HOME'] = dir();
    const file = join(dir(), 'journal.sqlite.api-token');
    const { token } = loadOrCreateApiToken(file);
    const published = publishApiToken('http://127.0.0.1:8787', file);
    expect(published.ok).toBe(true);
    expect(apiTokenFor('http://127.0.0.1:8787')).toBe(token);
    expect(apiTokenFor('http://127.0.0.1:9999')).toBeNull();
    published.unpublish();
    expect(apiTokenFor('http://127.0.0.1:8787')).toBeNull();
  });

  it('a home folder keel cannot write does not stop the API being served', () => {
    const notAFolder = join(dir(), 'file');
    writeFileSync(notAFolder, '');
    process.env['KEEL_HOME'] = notAFolder;
    const published = publishApiToken('http://127.0.0.1:8787', join(dir(), 'api-token'));
    expect(published.ok).toBe(false);
  });
});
