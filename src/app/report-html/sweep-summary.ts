// summary.html for `keel sim --generate`: one row per seed (what it ran, the faults it injected,
// the verdict) and the command that reproduces any failing seed.
import { escapeHtml as e } from './escape';
import { pageStyle } from './style';
import { SweepTally, type CoverageCell } from '../../sim/sweep';

/** A tally of rows given whole (a short sweep, a test). */
function tallyOf(rows: readonly SweepSummaryRow[]): SweepTally {
  const tally = new SweepTally();
  for (const r of rows) tally.add({ ...r, venue: r.venue ?? '(not recorded)' });
  return tally;
}

export const sweepSummaryFile = 'summary.html';

/** A sweep row as the page needs it (src/sim/sweep's SweepRow satisfies it). */
export type SweepSummaryRow = {
  readonly seed: number;
  readonly strategies: readonly string[];
  readonly faultKinds: readonly string[];
  readonly days: number;
  /** The venue's capability profile ("options, combos"). */
  readonly venue?: string;
  readonly events: number;
  readonly crashes: number;
  readonly keelFills: number;
  readonly realizedPnl: number;
  readonly violations: readonly { readonly invariant: string; readonly message: string }[];
  readonly error: string | null;
};

/**
 * From a sweep's tally (constant memory: coverage counts, the first seeds and the failing ones),
 * or from rows (a short sweep, a test).
 */
export function renderSweepSummary(
  title: string,
  input: SweepTally | readonly SweepSummaryRow[],
  reproduce: (seed: number) => string,
): string {
  const tally = input instanceof SweepTally ? input : tallyOf(input);
  const listedSeeds = new Set(tally.listed.map((r) => r.seed));
  const rows = [...tally.listed, ...tally.failing.filter((r) => !listedSeeds.has(r.seed))].sort(
    (a, b) => a.seed - b.seed,
  );
  const coverage = (heading: string, what: string, cells: ReadonlyMap<string, CoverageCell>) =>
    `<h2>${e(heading)}</h2>\n<table><thead><tr><th>${e(what)}</th><th>runs with it</th><th>failing</th><th>events</th></tr></thead><tbody>\n` +
    [...cells.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([k, c]) =>
          `<tr><td>${e(k)}</td><td class="n">${c.runs}</td><td class="n ${c.failing > 0 ? 'fail' : ''}">${c.failing}</td><td class="n">${c.events}</td></tr>`,
      )
      .join('\n') +
    '\n</tbody></table>';
  const tiles: [string, string][] = [
    ['runs', String(tally.runs)],
    ['failing', String(tally.failingCount)],
    ['simulated events', String(tally.events)],
    ['engine crashes', String(tally.crashes)],
    ['keel fills', String(tally.keelFills)],
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
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>keel sweep: ${e(title)}</title>`,
    `<style>${pageStyle}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    '<p class="sub">Generated scenarios, each run under its faults and checked against every invariant.</p>',
    `<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`).join('')}</div>`,
    coverage('By strategy', 'strategy', tally.byStrategy),
    coverage('By fault kind', 'fault', tally.byFault),
    coverage('By venue profile', 'venue', tally.byVenue),
    '<h2>Seeds</h2>',
    tally.runs > rows.length
      ? `<p class="sub">The first ${tally.listed.length} of ${tally.runs} seeds, and every failing one kept (${tally.failing.length} of ${tally.failingCount}).</p>`
      : '',
    '<table><thead><tr><th>seed</th><th>strategies</th><th>sessions</th><th>faults</th><th>events</th><th>crashes</th><th>keel fills</th><th>realized PnL</th><th>verdict</th></tr></thead><tbody>',
    ...seedRows,
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}
