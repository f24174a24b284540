// keel size knows the trade's side: a long with its stop above the entry (or a short with it below)
// is a trade already wrong, refused naming the fix instead of sized by |entry - stop|; and
// keel --version answers.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

describe('keel size --side', () => {
  it('sizes a long by default and a short with --side sell', () => {
    const long = keel('size', '--entry', '170', '--stop', '163', '--equity', '105000');
    expect(long.status).toBe(0);
    expect(long.stdout).toMatch(/^shares {4}61 \(buy\)$/m);
    const short = keel('size', '--side', 'sell', '--entry', '170', '--stop', '175', '--equity', '105000');
    expect(short.status).toBe(0);
    expect(short.stdout).toMatch(/^shares {4}61 \(sell short\)$/m);
    expect(short.stdout).toMatch(/\$5\.00 at risk per share -> 420/);
  });

  it('refuses a long with its stop above the entry, and a short with it below, naming the fix', () => {
    const long = keel('size', '--entry', '170', '--stop', '175', '--equity', '105000');
    expect(long.status).toBe(2);
    expect(long.stdout).toBe('');
    expect(long.stderr).toMatch(/--stop is above the entry 170: a long's stop is below its entry/);
    expect(long.stderr).toMatch(/Fix: put the stop below 170, or size a short \(sell\)/);
    const short = keel('size', '--side', 'sell', '--entry', '170', '--stop', '163', '--equity', '105000');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/Fix: put the stop above 170, or size a long \(buy\)/);
    const unknown = keel('size', '--side', 'hold', '--entry', '170', '--stop', '163', '--equity', '105000');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--side takes buy or sell, got "hold"/);
  });
});

describe('keel --version', () => {
  it("prints the package's version", () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = keel('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
