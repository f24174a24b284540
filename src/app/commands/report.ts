// keel report RUN_DIR_OR_JOURNAL: report.html beside the run's files, from its report.json (or
// from a journal replayed), and its path.
import { loadRunForReport, writeRunReportHtml } from '../report-html';

export async function reportCommand(path: string, opts: { out?: string }): Promise<number> {
  const loaded = await loadRunForReport(path);
  if (!loaded.ok) {
    process.stderr.write(`keel report: ${loaded.error}\n`);
    return 2;
  }
  const dir = opts.out ?? loaded.dir;
  const html = writeRunReportHtml(dir, loaded.input);
  const s = loaded.input.report.summary;
  process.stdout.write(
    `${loaded.input.report.groups.length} group(s) | realized PnL $${s.realizedPnl.toFixed(2)} | commissions $${s.commissions.toFixed(2)}\nreport: ${html}\n`,
  );
  return 0;
}
