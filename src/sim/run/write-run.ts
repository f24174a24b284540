// Writes a run's three files, and a multi-day run's daily-log-<date>.md per session. Byte-identical for the same scenario and seed: no wall clock, no
// host names, keys in a fixed order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimRunResult } from './runner';

export const runFiles = {
  venueLog: 'venue-log.jsonl',
  report: 'report.json',
  dailyLog: 'daily-log.md',
} as const;

export function writeRun(dir: string, result: SimRunResult): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, runFiles.venueLog),
    result.venueLog.map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  writeFileSync(join(dir, runFiles.report), JSON.stringify(result.report, null, 2) + '\n');
  writeFileSync(join(dir, runFiles.dailyLog), result.dailyLog + '\n');
  for (const d of result.dailyLogs) writeFileSync(join(dir, `daily-log-${d.day}.md`), `${d.text}\n`);
}
