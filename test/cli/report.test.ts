// report.html as a user gets it: keel sim writes it and prints its path; keel report draws it from
// a run directory or a journal; a sweep writes summary.html. Every page opens from disk alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report';
import { eventVersions } from '../../src/ledger/events';
import { openJournal, openJournalAt } from '../../src/ledger/journal';
import { postgresAvailable, postgresFixture } from '../support/postgres-fixture';

const dir = mkdtempSync(join(tmpdir(), 'keel-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keel = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/keel.js', ...args], { encoding: 'utf8' });

/** Tags that would fetch something, and any web address at all. */
function externalReferences(html: string): string[] {
  const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
  return [
    ...tags.filter((tag) => /\s(?:src|href|xlink:href|action|srcset)\s*=/i.test(tag)),
    ...tags.filter((tag) => /^<(?:script|link|iframe|img|object|embed)\b/i.test(tag)),
    ...[...html.matchAll(/@import|url\(|https?:\/\//gi)].map((m) => m[0]),
  ];
}

const money = (v: number) =>
  `${v < 0 ? '−' : ''}$${Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The closed trades' rows: each group's PnL and commissions as report.json has them. */
function expectTradesOf(report: Report, html: string): void {
  const closed = report.groups.filter((g) => g.closedAt !== null);
  expect(closed.length).toBeGreaterThan(0);
  for (const g of closed) {
    const row = new RegExp(`<tr data-group="${g.id}">.*</tr>`).exec(html)?.[0] ?? '';
    expect(row).toContain(money(g.realizedPnl));
    expect(row).toContain(money(g.commissions));
    expect(row).toContain(g.closedAt ?? '');
  }
  expect(html).toContain(
    `<div class="k">realized PnL (net)</div><div class="v">${money(report.summary.realizedPnl)}</div>`,
  );
  expect(html).toContain(
    `<div class="k">commissions</div><div class="v">${money(report.summary.commissions)}</div>`,
  );
}

describe('keel report', () => {
  const out = join(dir, 'demo');
  const journal = join(dir, 'demo.sqlite');

  it('keel sim writes report.html beside report.json and prints its path', () => {
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
    const html = join(out, 'report.html');
    expect(r.stdout).toContain(`report: ${html}`);
    const page = readFileSync(html, 'utf8');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expectTradesOf(report, page);
    expect(report.summary['startEquity']).toBe(1000000);
    expect(page).toContain('$1,000,000.00');
    // The foreign calls are an incident shown, never touched.
    expect(page).toMatch(/foreign-position/);
    expect(page.match(/<svg /g)?.length).toBe(2);
    expect(externalReferences(page)).toEqual([]);
  });

  it('draws the same page again from the run directory, and from its journal', () => {
    const again = join(dir, 'again');
    const r = keel('report', out, '--out', again);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`report: ${join(again, 'report.html')}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expectTradesOf(report, readFileSync(join(again, 'report.html'), 'utf8'));

    const fromJournal = join(dir, 'from-journal');
    const j = keel('report', journal, '--out', fromJournal);
    expect(j.status).toBe(0);
    const page = readFileSync(join(fromJournal, 'report.html'), 'utf8');
    expectTradesOf(report, page);
    expect(page).toContain('$1,000,000.00'); // the budgets' first equity
    expect(externalReferences(page)).toEqual([]);
  });

  it('draws it from a PostgreSQL journal too', async () => {
    const why = await postgresAvailable();
    if (why !== null) return console.warn(`skipped: ${why}`);
    const pg = await postgresFixture();
    try {
      const url = pg.url('report');
      const source = openJournal(journal, {
        knownVersions: eventVersions,
        owner: 'test',
        nowMs: 0,
        readOnly: true,
      });
      const target = await openJournalAt(url, { knownVersions: eventVersions, owner: 'test', nowMs: 0 });
      await target.lease?.acquire('keel report test', 60_000);
      target.appendBatch([...source.read()].map(({ type, v, t, data }) => ({ type, v, t, data })));
      await target.flush();
      await target.close();
      source.close();
      const into = join(dir, 'from-postgres');
      const r = keel('report', url, '--out', into);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      expectTradesOf(report, readFileSync(join(into, 'report.html'), 'utf8'));
    } finally {
      await pg.drop();
    }
  });

  it('refuses what is not a run, saying what to give', () => {
    const r = keel('report', join(dir, 'nowhere'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist: give a run directory or a journal file/);
    const empty = mkdtempSync(join(dir, 'empty-'));
    const e = keel('report', empty);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/neither report.json nor journal.sqlite/);
    // A file that is not a journal is not called corrupt (nor is its owner told to restore it).
    const r2 = keel('report', 'README.md', '--out', join(dir, 'not-a-journal'));
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(
      /README\.md is neither a keel journal \(a SQLite file\) nor a report\.json: give a run directory/,
    );
    expect(r2.stderr).not.toMatch(/corrupt|restore/);
  });

  it('takes report.json itself as well as its directory', () => {
    const into = join(dir, 'from-report-json');
    const r = keel('report', join(out, 'report.json'), '--out', into);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expectTradesOf(report, readFileSync(join(into, 'report.html'), 'utf8'));
  });

  it('keel sim --generate writes summary.html: seeds, fault kinds, verdicts', () => {
    const sweep = join(dir, 'sweep');
    const r = keel('sim', '--generate', '--seeds', '1..2', '--out', sweep);
    expect(r.status).toBe(0);
    const summary = join(sweep, 'summary.html');
    expect(r.stdout).toContain(`summary: ${summary}`);
    expect(existsSync(summary)).toBe(true);
    const page = readFileSync(summary, 'utf8');
    expect(page).toMatch(/<tr data-seed="1">.*crashEngine.*ok/);
    expect(page).toMatch(/<tr data-seed="2">.*ok/);
    expect(externalReferences(page)).toEqual([]);
  }, 60_000);
});
