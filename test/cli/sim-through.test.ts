// keel sim --through ibkr|alpaca as a user runs it: the run goes through the adapter and the fake
// broker, says so with the rate it ran at, and passes the checker; an unknown broker is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'keel-through-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

describe('keel sim --through', () => {
  it('runs the jan28 incident through ibkr: the wire named, events/s printed, 0 violations', () => {
    const r = keel(
      'sim',
      'scenarios/incidents/2026-01-28-naked-short-after-partial-close.yaml',
      '--out',
      join(dir, 'jan28'),
      '-q',
      '--through',
      'ibkr',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /through ibkr: .*fake TWS on 127\.0\.0\.1 \(server version 193\): \d+ simulated events\/s/,
    );
    expect(r.stdout).toMatch(/checker: 0 violations/);
  });

  it('runs the jan02 sizing incident through alpaca: the wire named, events/s printed, both refusals, 0 violations', () => {
    const r = keel(
      'sim',
      'scenarios/incidents/2026-01-02-position-sizing-overexposure.yaml',
      '--out',
      join(dir, 'jan02'),
      '-q',
      '--through',
      'alpaca',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /through alpaca: .*fake Alpaca on 127\.0\.0\.1 \(REST \+ trade_updates websocket\): \d+ simulated events\/s/,
    );
    expect(r.stdout).toMatch(/refusals 2/);
    expect(r.stdout).toMatch(/checker: 0 violations/);
  });

  it('refuses a broker it has no fake of, naming the ones it has', () => {
    const r = keel(
      'sim',
      'scenarios/demo/condor-foreign-calls.yaml',
      '--out',
      join(dir, 'x'),
      '--through',
      'nope',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--through takes one of ibkr, alpaca, ccxt, got 'nope'/);
  });

  it('says so in --help', () => {
    expect(keel('sim', '--help').stdout).toMatch(/--through <broker>/);
  });
});
