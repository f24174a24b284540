// What `keel report` reads: a run directory (its report.json, else its journal) or a journal file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { buildReport, type Report } from '../../engine/report';
import { eventVersions } from '../../ledger/events';
import { openJournal } from '../../ledger/journal';
import { replayJournal } from '../journal-replay';
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

export function loadRunForReport(path: string): LoadedRun {
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
  return fromJournal(path, dirname(path));
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

function fromJournal(file: string, dir: string): LoadedRun {
  let journal: ReturnType<typeof openJournal>;
  try {
    journal = openJournal(file, {
      knownVersions: eventVersions,
      owner: 'keel report',
      nowMs: 0,
      readOnly: true,
    });
  } catch (e) {
    return {
      ok: false,
      error: `${file} is not a keel journal: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  try {
    const { projection } = replayJournal(journal);
    let startEquity: number | null = null;
    for (const ev of journal.read()) {
      if (ev.type !== 'budget.configured') continue;
      const equity = (ev.data as { equity?: unknown }).equity;
      startEquity = typeof equity === 'number' ? equity : null;
      break;
    }
    const name = basename(resolve(dir));
    const report = buildReport(projection, name, 0, startEquity === null ? {} : { startEquity });
    return { ok: true, dir, input: { report, startEquity, seed: null, source: file } };
  } catch (e) {
    return { ok: false, error: `${file}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    journal.close();
  }
}
