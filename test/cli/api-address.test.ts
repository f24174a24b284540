// keel run --api and the commands that talk to it take the same thing: a port or a URL. A bare
// port used to fail the talking commands with a URL-parse message (issue 19).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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

  it('keel run --api refuses what is neither, and a host off this machine, before running', () => {
    const bad = keel('run', 'examples/iron-condor-0dte.yaml', '--api', 'eighty', '-q', '--no-print');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/keel run: --api takes a port .* got 'eighty': neither a port nor a URL/);
    const open = keel('run', 'examples/iron-condor-0dte.yaml', '--api', 'http://0.0.0.0:8787', '-q');
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/serves it on this machine only/);
  });
});
