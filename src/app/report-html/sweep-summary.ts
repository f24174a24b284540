// summary.html for `keel sim --generate`: one row per seed (what it ran, the faults it injected,
// the verdict) and the command that reproduces any failing seed.
import { escapeHtml as e } from './escape';
import { pageStyle } from './style';

export const sweepSummaryFile = 'summary.html';

/** A sweep row as the page needs it (src/sim/sweep's SweepRow satisfies it). */
export type SweepSummaryRow = {
  readonly seed: number;
  readonly strategies: readonly string[];
  readonly faultKinds: readonly string[];
  readonly days: number;
  readonly events: number;
  readonly crashes: number;
  readonly keelFills: number;
  readonly realizedPnl: number;
  readonly violations: readonly { readonly invariant: string; readonly message: string }[];
  readonly error: string | null;
};

export function renderSweepSummary(
  title: string,
  rows: readonly SweepSummaryRow[],
  reproduce: (seed: number) => string,
): string {
  const failing = rows.filter((r) => r.error !== null || r.violations.length > 0);
  const byFault = new Map<string, { runs: number; failing: number }>();
  for (const r of rows)
    for (const kind of r.faultKinds.length === 0 ? ['(none)'] : r.faultKinds) {
      const f = byFault.get(kind) ?? { runs: 0, failing: 0 };
      f.runs++;
      if (r.error !== null || r.violations.length > 0) f.failing++;
      byFault.set(kind, f);
    }
  const events = rows.reduce((n, r) => n + r.events, 0);
  const tiles: [string, string][] = [
    ['runs', String(rows.length)],
    ['failing', String(failing.length)],
    ['simulated events', String(events)],
    ['engine crashes', String(rows.reduce((n, r) => n + r.crashes, 0))],
    ['keel fills', String(rows.reduce((n, r) => n + r.keelFills, 0))],
  ];
  const seedRows = rows.map((r) => {
    const ok = r.error === null && r.violations.length === 0;
    const verdict = ok
      ? '<span class="ok">ok</span>'
      : `<span class="fail">${r.error !== null ? 'error' : `${r.violations.length} violation(s)`}</span>`;
    const why =
      r.error ??
      r.violations
        .map((v) => `${v.invariant}: ${v.message}`)
        .slice(0, 3)
        .join('; ');
    return `<tr data-seed="${r.seed}"><td class="n">${r.seed}</td><td>${e(r.strategies.join(', '))}</td><td class="n">${r.days}</td><td>${e(r.faultKinds.join(', '))}</td><td class="n">${r.events}</td><td class="n">${r.crashes}</td><td class="n">${r.keelFills}</td><td class="n">${r.realizedPnl.toFixed(2)}</td><td>${verdict}${ok ? '' : `<br><code>${e(reproduce(r.seed))}</code><br>${e(why)}`}</td></tr>`;
  });
  const faultRows = [...byFault.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([kind, f]) =>
        `<tr><td>${e(kind)}</td><td class="n">${f.runs}</td><td class="n ${f.failing > 0 ? 'fail' : ''}">${f.failing}</td></tr>`,
    );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>keel sweep: ${e(title)}</title>`,
    `<style>${pageStyle}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    '<p class="sub">Generated scenarios, each run under its faults and checked against every invariant.</p>',
    `<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`).join('')}</div>`,
    '<h2>By fault kind</h2>',
    `<table><thead><tr><th>fault</th><th>runs with it</th><th>failing</th></tr></thead><tbody>\n${faultRows.join('\n')}\n</tbody></table>`,
    '<h2>Seeds</h2>',
    '<table><thead><tr><th>seed</th><th>strategies</th><th>sessions</th><th>faults</th><th>events</th><th>crashes</th><th>keel fills</th><th>realized PnL</th><th>verdict</th></tr></thead><tbody>',
    ...seedRows,
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}
