// The CLI as a user runs it: bad scenarios are refused with the field named; status reads a journal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

describe('keel CLI', () => {
  it('refuses an invalid scenario naming the field and writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'name: x\nseed: 1\nclock: { start: "2026-02-13T09:30:00-05:00", end: "2026-02-13T16:00:00-05:00" }\nmarket: [{ symbol: XSP, kind: index, spot: 683 }]\nfaults: [{ match: {}, reject: { code: "x", message: m } }]\n',
    );
    const r = keel('sim', bad, '--out', join(dir, 'bad-out'), '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/faults\[0\]\.reject\.code: expected integer/);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  });

  it('runs a scenario with a journal file, then status shows owned, foreign and orders from it', () => {
    const journal = join(dir, 'journal.db');
    const out = join(dir, 'demo');
    const r = keel(
      'sim',
      'scenarios/demo/condor-foreign-calls.yaml',
      '--out',
      out,
      '--journal',
      journal,
      '-q',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checker: 0 violations/);
    const status = JSON.parse(
      execFileSync(process.execPath, ['bin/keel.js', 'status', '--journal', journal, '--json'], {
        encoding: 'utf8',
      }),
    ) as {
      foreign: { instrument: string; foreign: number }[];
      groups: unknown[];
      tradingState: string;
    };
    expect(status.tradingState).toBe('ACTIVE');
    expect(status.groups).toEqual([]); // every condor was closed by the end of the day
    const check = keel('check', out);
    expect(check.status).toBe(0);
  });

  it('refuses a corrupted journal with a message naming the file', () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, Buffer.alloc(8192, 7));
    const r = keel('status', '--journal', corrupt);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(corrupt);
  });
});
