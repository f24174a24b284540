// report.html: one self-contained page (styles inline, charts inline SVG, no script, no link to
// anything) a trader opens from disk: the equity curve and its drawdown, each strategy's record,
// every closed trade, and what went wrong.
import { fixedOffsetZone, formatIso, type TimeZone } from '../../domain';
import type { Report, ReportGroup } from '../../engine/report';
import { escapeHtml } from './escape';
import { buildReportModel, type ReportModel } from './model';
import { lineChart } from './svg';
import { pageStyle } from './style';

export type RunReportInput = {
  readonly report: Report;
  /** The account's equity when the run started; null: the curve is cumulative realized PnL. */
  readonly startEquity: number | null;
  /** The scenario's seed; null when the figures come from a journal, which does not keep it. */
  readonly seed: number | null;
  /** Where the figures came from, shown under the title (e.g. "out/demo/report.json"). */
  readonly source: string;
};

const money = (v: number) =>
  `${v < 0 ? '−' : ''}$${Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** An axis label: whole dollars, or cents when the labels are closer than a dollar. */
const axisMoney = (v: number, step: number) => {
  const digits = step < 1 ? 2 : 0;
  const text = Math.abs(v).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${v < 0 && Number(text.replace(/,/g, '')) !== 0 ? '−' : ''}$${text}`;
};
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const e = escapeHtml;

export function renderRunReport(input: RunReportInput): string {
  const model = buildReportModel(input.report, input.startEquity);
  const zone = zoneOf(model);
  const r = input.report;
  const s = r.summary;
  const title = input.seed === null ? model.title : `${model.title} (seed ${input.seed})`;
  const equityTitle =
    model.startEquity === null ? 'Realized PnL (net), cumulative' : 'Equity (realized, net)';
  const xLabel = (t: number) => shortTime(t, zone, model);
  const xTicks = dayStarts(model, zone);
  const equityChart = lineChart({
    title: equityTitle,
    points: model.equity.map((p) => ({ x: p.t, y: p.equity })),
    step: true,
    fillToZero: false,
    color: '#1f6feb',
    xLabel,
    ...(xTicks === null ? {} : { xTicks }),
    yLabel: axisMoney,
  });
  const drawdownChart = lineChart({
    title: 'Drawdown from the peak',
    points: model.equity.map((p) => ({ x: p.t, y: -p.drawdown })),
    step: true,
    fillToZero: true,
    color: '#cf222e',
    xLabel,
    ...(xTicks === null ? {} : { xTicks }),
    yLabel: axisMoney,
  });
  const unrealized = s['unrealizedPnl'];
  const openGroups = s['openGroups'];
  const tiles: [string, string][] = [
    ['realized PnL (net)', money(s.realizedPnl)],
    ['commissions', money(s.commissions)],
    ['closed trades', String(model.closedTrades.length)],
    ['max drawdown', money(model.maxDrawdown)],
    ['executions', String(s.executions)],
    ['trading state at the end', String(s.finalTradingState)],
  ];
  if (model.startEquity !== null) tiles.unshift(['starting equity', money(model.startEquity)]);
  if (typeof openGroups === 'number' && openGroups > 0)
    tiles.push([
      'open at the end',
      `${openGroups} group(s), unrealized ${typeof unrealized === 'number' ? money(unrealized) : 'n/a'}`,
    ]);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>keel report: ${e(title)}</title>`,
    `<style>${pageStyle}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p class="sub">keel report from ${e(input.source)}. Times are exchange time with their offset.</p>`,
    `<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`).join('')}</div>`,
    '<h2>Equity</h2>',
    equityChart,
    drawdownChart,
    '<h2>By strategy</h2>',
    strategyTable(model),
    `<h2>Closed trades (${model.closedTrades.length})</h2>`,
    tradeTable(model.closedTrades, true),
    ...(model.openTrades.length > 0
      ? [`<h2>Open at the end (${model.openTrades.length})</h2>`, tradeTable(model.openTrades, false)]
      : []),
    `<h2>Incidents and discrepancies (${model.incidents.length})</h2>`,
    incidentTable(model),
    `<h2>Refusals (${r.refusals.length})</h2>`,
    refusalTable(r.refusals),
    '</body></html>',
    '',
  ].join('\n');
}

function strategyTable(model: ReportModel): string {
  if (model.strategies.length === 0) return '<p>No trades.</p>';
  const rows = model.strategies.map(
    (s) =>
      `<tr><td>${e(s.strategy)}</td><td class="n">${s.trades}</td><td class="n">${pct(s.winRate)}</td><td class="n">${s.averagePnl === null ? '—' : money(s.averagePnl)}</td><td class="n ${sign(s.realizedPnl)}">${money(s.realizedPnl)}</td><td class="n">${money(s.maxDrawdown)}</td><td class="n">${money(s.commissions)}</td><td class="n">${s.open}</td></tr>`,
  );
  return table(
    [
      'strategy',
      'closed trades',
      'win rate',
      'average PnL',
      'realized PnL (net)',
      'max drawdown',
      'commissions',
      'open',
    ],
    rows,
  );
}

function tradeTable(groups: readonly ReportGroup[], closed: boolean): string {
  if (groups.length === 0) return '<p>None.</p>';
  const rows = groups.map(
    (g) =>
      `<tr data-group="${e(g.id)}"><td>${e(g.id)}</td><td>${e(g.strategy)}</td><td class="legs">${g.legs.map((l) => e(legText(l))).join('<br>')}</td><td>${timeCell(g.openedAt)}</td>${closed ? `<td>${timeCell(g.closedAt ?? '')}</td>` : ''}<td>${e(g.status)}</td><td>${e(g.exitReason ?? '')}</td><td class="n ${sign(g.realizedPnl)}">${money(g.realizedPnl)}</td><td class="n">${money(g.commissions)}</td></tr>`,
  );
  return table(
    [
      'group',
      'strategy',
      'legs',
      'opened',
      ...(closed ? ['closed'] : []),
      'status',
      'exit reason',
      'realized PnL (net)',
      'commissions',
    ],
    rows,
  );
}

function legText(l: ReportGroup['legs'][number]): string {
  const i = l.instrument;
  const q = `${l.qty > 0 ? '+' : ''}${l.qty}`;
  const option =
    i.expiry !== undefined && i.strike !== undefined && i.right !== undefined
      ? ` ${i.expiry} ${i.strike}${i.right}`
      : '';
  return `${q} ${i.symbol}${option}`;
}

function incidentTable(model: ReportModel): string {
  if (model.incidents.length === 0) return '<p>None.</p>';
  return table(
    ['time', 'what', 'detail', 'status'],
    model.incidents.map(
      (i) =>
        `<tr><td>${timeCell(i.at)}</td><td>${e(i.kind)}</td><td>${e(i.detail)}</td><td>${e(i.status)}</td></tr>`,
    ),
  );
}

/** A strategy retrying against a full budget refuses many times for one reason: one row per rule. */
function refusalTable(refusals: ReportModel['report']['refusals']): string {
  if (refusals.length === 0) return '<p>None.</p>';
  const byRule = new Map<string, { first: (typeof refusals)[number]; count: number }>();
  for (const r of refusals) {
    const key = `${r.source}|${r.rule}`;
    const seen = byRule.get(key);
    if (seen === undefined) byRule.set(key, { first: r, count: 1 });
    else seen.count++;
  }
  return table(
    ['first', 'source', 'rule', 'times', 'first message', 'largest order that passes'],
    [...byRule.values()].map(
      ({ first, count }) =>
        `<tr><td>${timeCell(first.t)}</td><td>${e(first.source)}</td><td>${e(first.rule)}</td><td class="n">${count}</td><td>${e(first.message)}</td><td class="n">${first.maxAllowedQty === null ? '—' : first.maxAllowedQty}</td></tr>`,
    ),
  );
}

function table(head: readonly string[], rows: readonly string[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function sign(v: number): string {
  return v > 0 ? 'pos' : v < 0 ? 'neg' : '';
}

/** The offset report.json's first time carries: chart labels read in the exchange's time. */
function zoneOf(model: ReportModel): TimeZone {
  const first = model.equity[0]?.at;
  const m = first === undefined ? null : /([+-])(\d\d):(\d\d)$/.exec(first);
  if (m === null) return fixedOffsetZone(0);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return fixedOffsetZone(m[1] === '-' ? -minutes : minutes);
}

/** A time as a trader reads it ("2026-02-13 10:32:05 -05:00"), the exact ISO time kept in the tag. */
function timeCell(iso: string): string {
  // The page says its times carry their offset: printed, not only in the tooltip (a week can
  // cross a daylight-saving change).
  const offset = iso.slice(19).replace(/^\.\d+/, '');
  return `<time datetime="${e(iso)}" title="${e(iso)}">${e(iso.slice(0, 19).replace('T', ' '))}${offset === '' ? '' : ` <span class="off">${e(offset)}</span>`}</time>`;
}

/** A run over several days: a label at each day's start (midnight, exchange time); null within a day. */
function dayStarts(model: ReportModel, zone: TimeZone): number[] | null {
  const first = model.equity[0];
  const last = model.equity[model.equity.length - 1];
  if (first === undefined || last === undefined || first.at.slice(0, 10) === last.at.slice(0, 10))
    return null;
  const dayMs = 86_400_000;
  const starts: number[] = [first.t];
  const offset = zone.offsetAt(first.t) * 60_000;
  for (let t = Math.floor((first.t + offset) / dayMs) * dayMs + dayMs - offset; t < last.t; t += dayMs)
    starts.push(t);
  return starts;
}

/** "10:32" within a day; across days the date, "02-13" (labels are at each day's start). */
function shortTime(t: number, zone: TimeZone, model: ReportModel): string {
  const iso = formatIso(t, zone);
  const first = model.equity[0];
  const last = model.equity[model.equity.length - 1];
  const oneDay = first !== undefined && last !== undefined && first.at.slice(0, 10) === last.at.slice(0, 10);
  return oneDay ? iso.slice(11, 16) : iso.slice(5, 10);
}
