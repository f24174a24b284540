// Ctrl-C on a running `keel run`: it stops after the event in progress, writes its outputs, leaves
// the journal consistent and unlocked (a read of it works at once), and exits 130.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'keel-ctrl-c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keel run stopped by Ctrl-C', () => {
  it('stops cleanly: outputs written, journal readable, exit 130', async () => {
    const out = join(dir, 'out');
    const child = spawn(
      process.execPath,
      [
        'bin/keel.js',
        'run',
        'examples/iron-condor-0dte.yaml',
        '--realtime',
        '--speed',
        '600',
        '--out',
        out,
        '-q',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Wait until the session runs, then interrupt it mid-session.
    for (let waited = 0; !stderr.includes('keel run xsp-iron-condor-0dte'); waited += 50) {
      if (waited > 30_000) throw new Error(`keel run did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stdout).toMatch(
      /stopped by Ctrl-C at 2026-\d\d-\d\dT\d\d:\d\d:\d\d-05:00: the journal is consistent/,
    );
    for (const f of ['daily-log.md', 'report.json', 'venue-log.jsonl', 'journal.sqlite'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const status = spawnSync(
      process.execPath,
      ['bin/keel.js', 'status', '--journal', join(out, 'journal.sqlite')],
      {
        encoding: 'utf8',
      },
    );
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/trading/i);
  });
});
