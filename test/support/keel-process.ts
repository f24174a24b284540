// `keel` as a user runs it, in its own process, while the test process serves the fakes it talks
// to (so never spawnSync: the fakes must keep answering). Every process still running when a test
// ends is killed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { authHeaders } from '../../src/app/api/api-token';

export type KeelProcess = {
  readonly out: () => string;
  readonly err: () => string;
  readonly exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
};

const running = new Set<KeelProcess>();
afterEach(() => {
  for (const r of running) {
    r.kill('SIGCONT');
    r.kill('SIGKILL');
  }
  running.clear();
});

export function keel(...args: string[]): KeelProcess {
  return keelWithEnv({}, ...args);
}

/** keel with more in its environment (a broker's keys, as a user would export them). */
export function keelWithEnv(env: Readonly<Record<string, string>>, ...args: string[]): KeelProcess {
  const child = spawn(process.execPath, ['bin/keel.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const run: KeelProcess = {
    out: () => stdout,
    err: () => stderr,
    exit: new Promise((resolve) => child.on('exit', (c) => resolve(c))),
    kill: (signal) => child.kill(signal),
  };
  running.add(run);
  void run.exit.then(() => running.delete(run));
  return run;
}

export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  for (let waited = 0; !(await ok()); waited += 100) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A run config for an IBKR paper account behind the fake TWS: operator orders only. */
export function paperIbkrConfig(dir: string, port: number, clientId: number, extra = ''): string {
  const file = join(dir, `paper-${port}-${clientId}.yaml`);
  writeFileSync(
    file,
    [
      'name: paper-ibkr',
      'session: { timeZone: America/New_York }',
      `venue: { kind: ibkr, host: 127.0.0.1, port: ${port}, clientId: ${clientId}${extra} }`,
      'account: { equity: 105000 }',
      'market:',
      '  - { symbol: PLTR, kind: equity, spot: 170.75, vol: 0.5 }',
      'strategies: [] # operator orders only',
      '',
    ].join('\n'),
  );
  return file;
}

export type ApiStatus = {
  groups: { legs: { instrument: string; owned: number }[] }[];
  foreign: { instrument: string; venueNet: number; owned: number; foreign: number }[];
  discrepancies: { kind: string }[];
  venue?: { kind: string; connected: boolean; marketData: string };
};

/** The API token the engine serving on `port` published for this user (as the keel CLI finds it). */
export function apiHeaders(port: number): Record<string, string> {
  return authHeaders(`http://127.0.0.1:${port}`);
}

export async function apiStatus(port: number): Promise<ApiStatus> {
  return (await (
    await fetch(`http://127.0.0.1:${port}/status`, { headers: apiHeaders(port) })
  ).json()) as ApiStatus;
}

/** POST a JSON body to a running engine's API, with its token. */
export async function apiPost(port: number, path: string, body: object): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...apiHeaders(port) },
    body: JSON.stringify(body),
  });
}

export async function apiOrder(
  port: number,
  order: { side: 'BUY' | 'SELL'; qty: number; symbol: string; limit: number },
): Promise<{ ok: boolean; lines: string[] }> {
  const res = await apiPost(port, '/order', order);
  return (await res.json()) as { ok: boolean; lines: string[] };
}
