// report.html for a run and summary.html for a sweep: self-contained pages a trader opens from disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRunReport, type RunReportInput } from './render';
import { reportHtmlFile } from './load';

export { escapeHtml } from './escape';
export { buildReportModel, type ReportModel, type StrategyRow, type EquityPoint } from './model';
export { renderRunReport, type RunReportInput } from './render';
export { loadRunForReport, reportHtmlFile, startEquityOf, type LoadedRun } from './load';
export { renderSweepSummary, sweepSummaryFile, type SweepSummaryRow } from './sweep-summary';

/** Writes DIR/report.html and returns its path. */
export function writeRunReportHtml(dir: string, input: RunReportInput): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, reportHtmlFile);
  writeFileSync(path, renderRunReport(input));
  return path;
}
