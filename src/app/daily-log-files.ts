// The per-session daily logs a multi-day run wrote, as the closing line names them.

/** ", daily-log-2026-02-12.md … daily-log-2026-02-17.md (3 sessions)", or nothing for one session. */
export function dailyLogFiles(logs: readonly { readonly day: string }[]): string {
  const first = logs[0];
  const last = logs.at(-1);
  if (first === undefined || last === undefined) return '';
  if (logs.length === 1) return `, daily-log-${first.day}.md`;
  return `, daily-log-${first.day}.md … daily-log-${last.day}.md (${logs.length} sessions)`;
}
