// What `keel report` reads: a run directory (its report.json, else its journal) or a journal file.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { buildReport, type Report } from '../../engine/report';
import { eventVersions } from '../../ledger/events';
import { isPostgresAddress, openJournalAt, type JournalStore } from '../../ledger/journal';
import { replayJournalPages } from '../journal-replay';
import type { RunReportInput } from './render';

export const reportHtmlFile = 'report.html';

export type LoadedRun =
  | { readonly ok: true; readonly input: RunReportInput; readonly dir: string }
  | { readonly ok: false; readonly error: string };

/** The account's equity at the start: report.json's summary.startEquity, when the run wrote it. */
export function startEquityOf(report: Report): number | null {
  const v = report.summary['startEquity'];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A run directory, a SQLite journal file, or a PostgreSQL journal (postgres://…?journal=NAME). */
export async function loadRunForReport(path: string): Promise<LoadedRun> {
  if (isPostgresAddress(path)) return fromJournal(path, '.');
  if (!existsSync(path))
    return { ok: false, error: `${path} does not exist: give a run directory or a journal file` };
  if (statSync(path).isDirectory()) {
    const reportPath = join(path, 'report.json');
    if (existsSync(reportPath)) return fromReportFile(reportPath, path);
    const journal = join(path, 'journal.sqlite');
    if (existsSync(journal)) return fromJournal(journal, path);
    return {
      ok: false,
      error: `${path} has neither report.json nor journal.sqlite: give the directory keel sim or keel run wrote (--out), or a journal file`,
    };
  }
  // report.json itself is what a run directory is read from; any other file must be a SQLite journal.
  if (path.toLowerCase().endsWith('.json')) return fromReportFile(path, dirname(path));
  if (!isSqliteFile(path))
    return {
      ok: false,
      error: `${path} is neither a keel journal (a SQLite file) nor a report.json: give a run directory, its journal.sqlite or report.json, or postgres://…?journal=NAME`,
    };
  return fromJournal(path, dirname(path));
}

/** A SQLite database starts with these 16 bytes; anything else is not a journal (and not corrupt). */
function isSqliteFile(path: string): boolean {
  const head = Buffer.alloc(16);
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function fromReportFile(reportPath: string, dir: string): LoadedRun {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  } catch (e) {
    return { ok: false, error: `${reportPath} is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const problem = reportShapeProblem(report);
  if (problem !== null) return { ok: false, error: `${reportPath}: ${problem}` };
  return {
    ok: true,
    dir,
    input: { report, startEquity: startEquityOf(report), seed: report.seed, source: reportPath },
  };
}

/** Enough of report.json's shape to draw it; anything else is a file keel did not write. */
function reportShapeProblem(r: Report): string | null {
  if (typeof r !== 'object' || r === null) return 'not a report (expected an object)';
  for (const key of ['groups', 'refusals', 'tradingState', 'discrepancies'] as const)
    if (!Array.isArray(r[key])) return `not a keel report: '${key}' should be a list`;
  if (typeof r.summary !== 'object' || r.summary === null) return "not a keel report: 'summary' is missing";
  return null;
}

async function fromJournal(address: string, dir: string): Promise<LoadedRun> {
  let journal: JournalStore;
  try {
    journal = await openJournalAt(address, {
      knownVersions: eventVersions,
      owner: 'keel report',
      nowMs: 0,
      readOnly: true,
    });
  } catch (e) {
    return {
      ok: false,
      error: `${address} is not a keel journal: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  try {
    const { projection } = await replayJournalPages(journal);
    const startEquity = await firstBudgetEquity(journal);
    const name = isPostgresAddress(address) ? 'journal' : basename(resolve(dir));
    const report = buildReport(projection, name, 0, startEquity === null ? {} : { startEquity });
    // A database's location is its URL without the password.
    return { ok: true, dir, input: { report, startEquity, seed: null, source: journal.location } };
  } catch (e) {
    return { ok: false, error: `${journal.location}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await journal.close();
  }
}

/** The account's equity when budgets were first set: the run's starting equity. */
async function firstBudgetEquity(journal: JournalStore): Promise<number | null> {
  for await (const page of journal.pages(1))
    for (const ev of page) {
      if (ev.type !== 'budget.configured') continue;
      const equity = (ev.data as { equity?: unknown }).equity;
      return typeof equity === 'number' ? equity : null;
    }
  return null;
}
