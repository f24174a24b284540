// keel sim --generate on worker threads: the same table as one thread, a stopped sweep resumed
// where it stopped, the coverage by strategy and fault kind, and bad options refused by name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keel, until } from '../support/keel-process';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

/** The table and totals, without what depends on the machine (rates, worker count, paths). */
const table = (out: string) =>
  out
    .split('\n')
    .filter((l) => !/events\/s|worker\(s\)|summary:|resuming:/.test(l))
    .map((l) => l.replace(/, \d[\d,]* events\/s over [\d.]+ s/, ''))
    .join('\n');

const rows = (out: string) => out.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d+\s+\d+\s+\S/.test(l));

describe('keel sim --generate --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-sweep-'));

  it('prints the same rows, totals and coverage with 2 workers as with 1', () => {
    const one = run('sim', '--generate', '--seeds', '1..8', '--workers', '1', '--out', join(dir, 'one'));
    const two = run('sim', '--generate', '--seeds', '1..8', '--workers', '2', '--out', join(dir, 'two'));
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(rows(one.stdout)).toHaveLength(8);
    expect(table(two.stdout)).toBe(table(one.stdout));
    // Coverage: by strategy, by fault kind (crashes at a time and at journal appends apart), by venue.
    expect(one.stdout).toMatch(/strategy\s+runs\s+events\s+failing/);
    expect(one.stdout).toMatch(/iron-condor-0dte\s+\d+/);
    expect(one.stdout).toMatch(/crashEngine \(at\)\s+\d+/);
    expect(one.stdout).toMatch(/options, combos\s+\d+/);
    const summary = readFileSync(join(dir, 'two', 'summary.html'), 'utf8');
    expect(summary).toContain('By strategy');
    expect(summary).toContain('By venue profile');
  }, 180_000);

  it('runs 200 generated seeds clean on every core, all three strategies and every fault kind among them', () => {
    const r = run('sim', '--generate', '--seeds', '1..200', '--out', join(dir, 'ci-200'), '--quiet');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^200 runs, \d+ simulated events, 0 failing/m);
    for (const strategy of ['iron-condor-0dte', 'equity-bracket', 'futures-protected'])
      expect(r.stdout).toMatch(new RegExp(`^  ${strategy}\\s+\\d+`, 'm'));
    for (const fault of [
      'reject',
      'partialFill',
      'delayFill',
      'crashEngine \\(at\\)',
      'crashEngine \\(afterAppends\\)',
      'disconnect',
      'duplicateFill',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${fault}\\s+\\d+`, 'm'));
    for (const venue of ['options, combos', 'options', 'equities', 'futures, position history', 'futures'])
      expect(r.stdout).toMatch(new RegExp(`^  ${venue}\\s+\\d+`, 'm'));
  }, 600_000);

  it('stops on Ctrl-C after the seeds running, and --resume runs only the rest, to the same totals', async () => {
    const full = run('sim', '--generate', '--seeds', '1..24', '--workers', '2', '--out', join(dir, 'full'));
    expect(full.status, full.stderr).toBe(0);
    const out = join(dir, 'stopped');
    const first = keel('sim', '--generate', '--seeds', '1..24', '--workers', '1', '--out', out);
    await until('the first seed', () => rows(first.out()).length >= 1, 60_000);
    first.kill('SIGINT');
    const code = await first.exit;
    expect(existsSync(join(out, 'sweep-state.json'))).toBe(true);
    const before = rows(first.out());
    expect(code).toBe(130);
    expect(before.length).toBeLessThan(24);
    expect(first.out()).toContain('--resume');
    const rest = run('sim', '--generate', '--seeds', '1..24', '--workers', '2', '--out', out, '--resume');
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(/resuming: seeds 1\.\.\d+ done/);
    // Every seed ran exactly once across the two runs, with the rows of the uninterrupted sweep.
    expect([...before, ...rows(rest.stdout)]).toEqual(rows(full.stdout));
    const totals = (s: string) => /\d+ runs, \d+ simulated events, \d+ failing/.exec(s)?.[0];
    expect(totals(rest.stdout)).toBe(totals(full.stdout));
  }, 240_000);

  it('refuses a bad --workers, and --resume without a saved sweep, naming the fix', () => {
    const bad = run('sim', '--generate', '--seeds', '1..2', '--workers', 'two');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--workers must be a whole number >= 1');
    const none = run('sim', '--generate', '--seeds', '1..2', '--out', join(dir, 'never'), '--resume');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('start the sweep without --resume');
  });
});
