// keel reconcile as a user runs it: a journal kept until 23:30 (the BTC long still open, its stop
// and take-profit at the venue) against the venue of the full night, where the take-profit closed
// the position at 00:35 while keel was down. The table shows how each venue record was matched;
// the journal file is never written; an operator resolution is journaled.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'keel-reconcile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

const incident = 'scenarios/incidents/2025-10-24-closed-position-lost-on-restart.yaml';
const journal = join(dir, 'until-2330.db');
const night = join(dir, 'night');

/** The same night, stopped at 23:30 (the path's interpolated price there kept), no crash. */
function until2330(): string {
  return readFileSync(incident, 'utf8')
    .replace("end: '2025-10-24T01:50:00+09:00'", "end: '2025-10-23T23:30:00+09:00'")
    .replace(
      /\[\s*'2025-10-24T00:35:00\+09:00', 109953\.4\s*\],\s*\[\s*'2025-10-24T01:50:00\+09:00', 109900\s*\],/,
      "['23:30', 109846.2545454545],",
    )
    .replace(/\nfaults:\n(?: {2}- .*\n)+/, '\n');
}

beforeAll(() => {
  const short = join(dir, 'until-2330.yaml');
  writeFileSync(short, until2330());
  expect(keel('sim', short, '--out', join(dir, 'short'), '--journal', journal, '-q').status).toBe(0);
  expect(keel('sim', incident, '--out', night, '-q').status).toBe(0);
});

describe('keel reconcile', () => {
  it('shows the position closed while keel was down, matched by the ids keel kept', () => {
    const size = statSync(journal).size;
    const r = keel('reconcile', '--journal', journal, '--scenario', night, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const table = JSON.parse(r.stdout) as {
      history: { group: string; matchedBy: string; venueNetPnl: number; keelNetPnl: number }[];
      matched: { record: string; by: string }[];
      counts: { fillsRecovered: number; groupsClosed: number };
      discrepancies: unknown[];
    };
    expect(table.history).toHaveLength(1);
    const [h] = table.history;
    expect(h?.matchedBy).toBe('venuePositionId');
    expect(h?.keelNetPnl).toBe(h?.venueNetPnl);
    expect(table.matched.map((m) => `${m.record} by ${m.by}`)).toEqual([
      'execution by venueOrderId',
      'positionHistory by venuePositionId',
    ]);
    expect(table.counts).toMatchObject({ fillsRecovered: 1, groupsClosed: 1 });
    expect(table.discrepancies).toEqual([]);
    expect(statSync(journal).size).toBe(size); // read-only
    const text = keel('reconcile', '--journal', journal, '--scenario', night);
    expect(text.stdout).toMatch(/POSITION HISTORY[\s\S]*= btc-perp-20251023-1 by venuePositionId/);
  });

  it('lets an operator resolve an open discrepancy, journaled with the reason', () => {
    const yaml = join(dir, 'foreign.yaml');
    writeFileSync(
      yaml,
      [
        "clock: { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T09:40:00-05:00' }",
        'market: [{ symbol: SPY, kind: equity, spot: 600, path: flat }]',
        'venue: { products: equities }',
        'external: { positions: [{ instrument: { symbol: SPY }, qty: 100, avgPrice: 590 }] }',
      ].join('\n') + '\n',
    );
    const db = join(dir, 'foreign.db');
    expect(keel('sim', yaml, '--out', join(dir, 'foreign'), '--journal', db, '-q').status).toBe(0);
    const before = JSON.parse(keel('status', '--journal', db, '--json').stdout) as {
      discrepancies: unknown[];
    };
    expect(before.discrepancies).toHaveLength(1);
    const r = keel(
      'reconcile',
      '--journal',
      db,
      '--resolve',
      'D1',
      '--reason',
      "the 100 SPY are the owner's own",
    );
    expect(r.stdout).toMatch(/^resolved D1 \(foreign-position\)/);
    const after = JSON.parse(keel('status', '--journal', db, '--json').stdout) as {
      discrepancies: unknown[];
    };
    expect(after.discrepancies).toEqual([]);
    expect(keel('reconcile', '--journal', db, '--resolve', 'D1', '--reason', 'again').stderr).toMatch(
      /already resolved/,
    );
  });

  it('refuses without a venue to compare with, and resolves a discrepancy only with a reason', () => {
    expect(keel('reconcile', '--journal', journal).stderr).toMatch(/give --scenario/);
    expect(keel('reconcile', '--journal', journal, '--resolve', 'D1').stderr).toMatch(/needs --reason/);
    expect(keel('reconcile', '--journal', journal, '--resolve', 'D99', '--reason', 'x').stderr).toMatch(
      /has no discrepancy D99/,
    );
  });
});
