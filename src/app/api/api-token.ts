// The operator API's credential: a random token made at an engine's first start, kept beside its
// journal (mode 0600), reused at every start so a bookmarked dashboard keeps working. While the
// engine serves, a pointer to it is left in the user's keel folder (~/.keel/api, mode 0700) under
// the address served, so `keel halt --api 8787` finds the token with no flag; KEEL_API_TOKEN
// overrides. The token is never written to logs, the journal or a report.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const tokenBytes = 32;
const tokenPattern = /^[0-9a-f]{64}$/;

/** Where a journal's API token lives: beside a journal file, or in the run's folder for a database. */
export function apiTokenFile(journal: string, out: string): string {
  return /^postgres(?:ql)?:\/\//.test(journal)
    ? join(out, 'api-token')
    : `${journal.replace(/^sqlite:/, '')}.api-token`;
}

/** The token in `file`, made (0600) if there is none; a file others may read is closed to them. */
export function loadOrCreateApiToken(file: string): { token: string; created: boolean; tightened: boolean } {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!tokenPattern.test(token))
      throw new Error(`${file} is not a keel API token (64 hex digits): delete it and keel makes a new one`);
    const open = (statSync(file).mode & 0o077) !== 0;
    if (open) chmodSync(file, 0o600);
    return { token, created: false, tightened: open };
  }
  const token = randomBytes(tokenBytes).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true, tightened: false };
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where the keel commands look for a serving engine's token (KEEL_HOME, else ~/.keel). */
export function pointerHome(): string {
  return pointerDir();
}

function pointerDir(): string {
  return join(process.env['KEEL_HOME'] ?? join(homedir(), '.keel'), 'api');
}

function pointerFile(url: string): string {
  return join(pointerDir(), `${url.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
}

/** Says where the token of the engine serving `url` is; removed when it stops. */
export function publishApiToken(url: string, tokenFile: string): { ok: boolean; unpublish: () => void } {
  const file = pointerFile(url);
  try {
    mkdirSync(pointerDir(), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify({ url, tokenFile, pid: process.pid })}\n`, { mode: 0o600 });
  } catch {
    // A home folder keel may not write: the commands then need KEEL_API_TOKEN; serving goes on.
    return { ok: false, unpublish: () => undefined };
  }
  return { ok: true, unpublish: () => rmSync(file, { force: true }) };
}

/** The token for a command to `url`: KEEL_API_TOKEN, else the serving engine's, else null. */
export function apiTokenFor(url: string): string | null {
  const fromEnv = process.env['KEEL_API_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.trim();
  try {
    const pointer = JSON.parse(readFileSync(pointerFile(url), 'utf8')) as { tokenFile?: unknown };
    if (typeof pointer.tokenFile !== 'string') return null;
    const token = readFileSync(pointer.tokenFile, 'utf8').trim();
    return tokenPattern.test(token) ? token : null;
  } catch {
    return null;
  }
}

export function authHeaders(url: string): Record<string, string> {
  const token = apiTokenFor(url);
  return token === null ? {} : { authorization: `Bearer ${token}` };
}
