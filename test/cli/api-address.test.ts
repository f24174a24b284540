// keel run --api and the commands that talk to it take the same thing: a port or a URL. A bare
// port used to fail the talking commands with a URL-parse message (issue 19). Beyond this machine
// only with --api-expose, and then still behind the token.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, keel as keelProcess, until } from '../support/keel-process';

const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

describe('--api PORT or URL', () => {
  it('keel status --api PORT talks to http://127.0.0.1:PORT', () => {
    // Port 9 (discard) has no engine: the message names the URL the port stands for.
    const r = keel('status', '--api', '9');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^keel status: no engine answers at http:\/\/127\.0\.0\.1:9 /);
  });

  it('an operator verb takes a port as well as a URL, and refuses anything else saying why', () => {
    const byPort = keel('halt', '--reason', 'test', '--api', '9');
    expect(byPort.status).toBe(2);
    expect(byPort.stderr).toMatch(/^keel halt: no engine answers at http:\/\/127\.0\.0\.1:9 /);
    const bad = keel('halt', '--reason', 'test', '--api', 'localhost');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^keel halt: --api takes a port \(7070, meaning http:\/\/127\.0\.0\.1:7070\) or a URL/,
    );
  });

  it('keel run --api on a port another program holds says so and what to do, not a stack trace', async () => {
    const { createServer } = await import('node:net');
    const other = createServer();
    const port = await freePort();
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'keel-inuse-'));
    try {
      const r = keel('run', 'examples/iron-condor-0dte.yaml', '--api', String(port), '--out', dir, '-q');
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `keel run: --api: 127.0.0.1:${port} is in use (another keel run --api, or another program, listens there): give another port`,
      );
      expect(r.stderr).not.toMatch(/node:net|at Server/);
    } finally {
      await new Promise((r) => other.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keel run --api refuses what is neither, and a host off this machine, before running', () => {
    const bad = keel('run', 'examples/iron-condor-0dte.yaml', '--api', 'eighty', '-q', '--no-print');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/keel run: --api takes a port .* got 'eighty': neither a port nor a URL/);
    const open = keel('run', 'examples/iron-condor-0dte.yaml', '--api', 'http://127.0.0.3:8787', '-q');
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/serves it on this machine only/);
  });
});

describe('keel run --api beyond this machine', () => {
  it('--api-expose serves it there with a warning; the token and that Host are still required', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'keel-expose-'));
    try {
      const run = keelProcess(
        'run',
        'examples/iron-condor-0dte.yaml',
        '--api',
        `http://127.0.0.2:${port}`,
        '--api-expose',
        '--speed',
        '60',
        '--out',
        dir,
        '-q',
      );
      await until('the API', () => run.err().includes('dashboard:'));
      expect(run.err()).toMatch(/WARNING: the operator API is served on 127\.0\.0\.2, beyond this machine/);
      const url = `http://127.0.0.2:${port}`;
      expect((await fetch(`${url}/status`)).status).toBe(401);
      const token = readFileSync(join(dir, 'journal.sqlite.api-token'), 'utf8').trim();
      expect((await fetch(`${url}/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      run.kill('SIGINT');
      expect(await run.exit).toBe(130);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
