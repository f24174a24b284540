// What report.html shows, computed from report.json alone (and the account's starting equity), so
// the page and the file cannot disagree: every figure here is a sum of report.json's own cents.
import { parseIsoWithOffset } from '../../domain';
import type { Report, ReportDiscrepancy, ReportGroup } from '../../engine/report';

/** One point of the equity curve: after a group closed (or the run's start and end). */
export type EquityPoint = {
  /** Epoch ms. */
  readonly t: number;
  /** The ISO time as report.json prints it (exchange time with its offset). */
  readonly at: string;
  readonly equity: number;
  /** Peak equity so far minus this: 0 at a new high. */
  readonly drawdown: number;
  readonly label: string;
};

export type StrategyRow = {
  readonly strategy: string;
  /** Closed trades (groups flat and booked). */
  readonly trades: number;
  readonly wins: number;
  /** wins / trades; null without a closed trade. */
  readonly winRate: number | null;
  readonly averagePnl: number | null;
  readonly realizedPnl: number;
  /** Largest fall of the strategy's own cumulative realized PnL from its peak (>= 0). */
  readonly maxDrawdown: number;
  readonly commissions: number;
  readonly open: number;
};

export type Incident = {
  readonly at: string;
  readonly kind: string;
  readonly detail: string;
  readonly status: string;
};

export type ReportModel = {
  readonly title: string;
  readonly seed: number;
  readonly startEquity: number | null;
  readonly equity: readonly EquityPoint[];
  readonly maxDrawdown: number;
  readonly strategies: readonly StrategyRow[];
  readonly closedTrades: readonly ReportGroup[];
  readonly openTrades: readonly ReportGroup[];
  readonly incidents: readonly Incident[];
  readonly report: Report;
};

const cents = (x: number) => Math.round(x * 100);
const dollars = (c: number) => c / 100;
/** Half a cent rounds away from zero, for a loss as for a gain. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

export function epochOf(iso: string): number {
  const parsed = parseIsoWithOffset(iso);
  if (parsed === null) throw new Error(`report.json time is not an ISO time with offset: ${iso}`);
  return parsed.epochMs;
}

/**
 * The equity curve at each group's close: the starting equity (0 when unknown: the curve is then
 * the cumulative realized PnL) plus realized PnL net of commissions. What open groups booked by
 * the end (a partial close) comes at the run's last instant, so the curve ends at
 * start + summary.realizedPnl to the cent.
 */
export function buildReportModel(report: Report, startEquity: number | null): ReportModel {
  const closedTrades = report.groups
    .filter((g) => g.closedAt !== null)
    .sort((a, b) => epochOf(a.closedAt ?? '') - epochOf(b.closedAt ?? '') || a.id.localeCompare(b.id));
  const openTrades = report.groups.filter((g) => g.closedAt === null);
  const times = allTimes(report);
  const first = times[0] ?? null;
  const last = times[times.length - 1] ?? null;
  const equity: EquityPoint[] = [];
  let level = cents(startEquity ?? 0);
  let peak = level;
  let maxDrawdown = 0;
  const push = (at: string, label: string) => {
    peak = Math.max(peak, level);
    maxDrawdown = Math.max(maxDrawdown, peak - level);
    equity.push({ t: epochOf(at), at, equity: dollars(level), drawdown: dollars(peak - level), label });
  };
  if (first !== null) push(first.at, 'start');
  for (const g of closedTrades) {
    level += cents(g.realizedPnl);
    push(g.closedAt ?? '', `${g.id} closed`);
  }
  // The curve runs to the last instant the report names, flat since the last close.
  const openBooked = openTrades.reduce((n, g) => n + cents(g.realizedPnl), 0);
  const lastPoint = equity[equity.length - 1];
  if (last !== null && (openBooked !== 0 || lastPoint === undefined || last.t > lastPoint.t)) {
    level += openBooked;
    push(last.at, openBooked !== 0 ? 'booked by open groups' : 'end');
  }
  return {
    title: report.scenario,
    seed: report.seed,
    startEquity,
    equity,
    maxDrawdown: dollars(maxDrawdown),
    strategies: strategyRows(report.groups, closedTrades),
    closedTrades,
    openTrades,
    incidents: incidents(report),
    report,
  };
}

function strategyRows(groups: readonly ReportGroup[], closed: readonly ReportGroup[]): StrategyRow[] {
  const names = [...new Set(groups.map((g) => g.strategy))].sort();
  return names.map((strategy) => {
    const mine = closed.filter((g) => g.strategy === strategy);
    const all = groups.filter((g) => g.strategy === strategy);
    const wins = mine.filter((g) => g.realizedPnl > 0).length;
    const realized = all.reduce((n, g) => n + cents(g.realizedPnl), 0);
    const closedRealized = mine.reduce((n, g) => n + cents(g.realizedPnl), 0);
    let level = 0;
    let peak = 0;
    let maxDrawdown = 0;
    for (const g of mine) {
      level += cents(g.realizedPnl);
      peak = Math.max(peak, level);
      maxDrawdown = Math.max(maxDrawdown, peak - level);
    }
    // What its open groups booked by the end comes last, as on the account's curve: the drawdown
    // is of the same realized PnL the row shows.
    level += realized - closedRealized;
    maxDrawdown = Math.max(maxDrawdown, peak - level);
    return {
      strategy,
      trades: mine.length,
      wins,
      winRate: mine.length === 0 ? null : wins / mine.length,
      averagePnl: mine.length === 0 ? null : roundHalfAway(closedRealized / mine.length) / 100,
      realizedPnl: dollars(realized),
      maxDrawdown: dollars(maxDrawdown),
      commissions: dollars(all.reduce((n, g) => n + cents(g.commissions), 0)),
      open: all.length - mine.length,
    };
  });
}

/** Discrepancies (foreign positions included: shown, never touched), halts and reductions. */
function incidents(report: Report): Incident[] {
  const list: Incident[] = [];
  const discrepancy = (d: ReportDiscrepancy): Incident => ({
    at: d.t,
    kind: d.id === undefined ? d.kind : `${d.id} ${d.kind}`,
    detail: d.detail,
    status: d.resolved ? `resolved${d.resolution ? `: ${d.resolution}` : ''}` : 'open',
  });
  list.push(...report.discrepancies.map(discrepancy));
  for (const s of report.tradingState)
    if (s.state !== 'ACTIVE')
      list.push({ at: s.t, kind: `trading ${s.state}`, detail: s.reason, status: '' });
  return list.sort((a, b) => epochOf(a.at) - epochOf(b.at));
}

/** Every instant report.json names, earliest first, with its text. */
function allTimes(report: Report): { t: number; at: string }[] {
  const texts: string[] = [];
  for (const g of report.groups) {
    texts.push(g.openedAt);
    if (g.closedAt !== null) texts.push(g.closedAt);
  }
  for (const s of report.tradingState) texts.push(s.t);
  for (const d of report.discrepancies) texts.push(d.t);
  for (const r of report.refusals) texts.push(r.t);
  for (const r of report.reconciliation?.rounds ?? []) texts.push(r.t);
  return texts.map((at) => ({ t: epochOf(at), at })).sort((a, b) => a.t - b.t);
}
