// daily-log.md: the session as a trader reads it — timeline, trades, executions and commissions,
// incidents and refusals. Built from the same projection as report.json, so they cannot disagree.
import {
  addDays,
  atDateTime,
  describeInstrument,
  fixedOffsetName,
  formatIso,
  localDate,
  microsToCents,
  netRealized,
  type EpochMs,
  type Micros,
  type TimeZone,
} from '../../domain';
import type { GroupRecord, Projection } from '../../ledger/projection';
import { budgetLines, budgetView } from './budget-view';
import type { Report } from './report-types';

/** The whole run, or (day "YYYY-MM-DD") one session of a multi-day run. */
export function buildDailyLog(
  p: Projection,
  report: Report,
  title: string,
  day: string | null = null,
): string {
  const onDay = (t: number) => day === null || localDate(t, p.timeZone) === day;
  const hhmm = (t: number) =>
    formatIso(t, p.timeZone)
      .slice(day === null ? 0 : 11, 19)
      .replace('T', ' ');
  const groups = [...p.groups.values()].filter((g) => onDay(g.openedAt));
  const out: string[] = [`# Daily log: ${title}${day === null ? '' : ` — ${day}`}`, ''];
  const [from, to] =
    day === null
      ? [p.firstStartAt ?? p.lastT, p.lastT]
      : [atDateTime(day, '00:00', p.timeZone), atDateTime(addDays(day, 1), '00:00', p.timeZone)];
  const offsets = offsetsIn(p.timeZone, from, to);
  out.push(
    offsets === p.timeZone.name ? `Times are ${offsets}.` : `Times are ${p.timeZone.name} time: ${offsets}.`,
    '',
  );
  const executions = groups.reduce((n, g) => n + g.executions, 0);
  // Sums of what each trade shows to the cent, so the table adds up as printed.
  const cents = (m: Micros) => Math.round(m / 10_000);
  const commissions = groups.reduce((n, g) => n + cents(g.pnl.commissions), 0) / 100;
  const realized = groups.reduce((n, g) => n + cents(netRealized(g.pnl)), 0) / 100;
  out.push('| metric | value |', '| :--- | ---: |');
  out.push(`| groups | ${groups.length} |`, `| executions | ${executions} |`);
  out.push(
    `| commissions | $${commissions.toFixed(2)} |`,
    `| realized PnL (net) | $${realized.toFixed(2)} |`,
  );
  out.push(
    `| refusals | ${p.refusals.filter((r) => onDay(r.t)).length} |`,
    `| open discrepancies | ${report.discrepancies.filter((d) => !d.resolved).length} |`,
  );
  out.push(`| final trading state | ${p.tradingState} |`, '');

  out.push('## Trades', '');
  if (groups.length === 0) out.push('No trades.', '');
  else {
    out.push(
      '| group | strategy | legs | entry (per unit) | opened | closed | held | status | exit reason | executions | PnL | commissions |',
      '| --- | --- | --- | ---: | --- | --- | ---: | --- | --- | ---: | ---: | ---: |',
    );
    for (const g of groups) {
      const legs = g.legs
        .map(
          (l) =>
            `${l.qtyPerUnit * g.units > 0 ? '+' : ''}${l.qtyPerUnit * g.units} ${describeInstrument(p.requireInstrument(l.instrumentId))}`,
        )
        .join(' / ');
      const exit = g.status === 'failed' ? g.statusReason : (g.exitReason ?? '');
      const held = g.closedAt === null ? '' : `${Math.round((g.closedAt - g.openedAt) / 60_000)} min`;
      out.push(
        `| ${g.id} | ${g.strategyId} | ${legs} | ${entryText(p, g)} | ${hhmm(g.openedAt)} | ${g.closedAt === null ? '' : hhmm(g.closedAt)} | ${held} | ${g.status} | ${exit} | ${g.executions} | ${microsToCents(netRealized(g.pnl)).toFixed(2)} | ${microsToCents(g.pnl.commissions).toFixed(2)} |`,
      );
    }
    out.push('');
  }

  const budget = budgetView(p);
  if (budget !== null) out.push('## Exposure budgets (end of session)', '', ...budgetLines(budget), '');

  out.push('## Timeline', '');
  const timeline: [number, string][] = [];
  for (const s2 of p.tradingHistory)
    timeline.push([s2.t, `trading **${s2.state}** (${s2.source}): ${s2.reason}`]);
  for (const n of p.notes) timeline.push([n.t, `${n.strategyId}: ${n.message}`]);
  for (const n of p.budget.notes) timeline.push([n.t, `budget: ${n.message}`]);
  for (const d of p.discrepancies.values()) timeline.push([d.t, `discrepancy *${d.kind}*: ${d.detail}`]);
  for (const r of p.refusals) timeline.push([r.t, `refused (${r.rule}): ${r.message}`]);
  for (const g of groups) {
    timeline.push([g.openedAt, `${g.id} opening: ${g.note ?? g.kind}`]);
    if (g.closedAt !== null) timeline.push([g.closedAt, `${g.id} ${g.status}: ${g.statusReason}`]);
  }
  timeline.sort((a, b) => a[0] - b[0]);
  for (const [t, line] of timeline) if (onDay(t)) out.push(`- ${hhmm(t)} ${line}`);
  if (timeline.length === 0) out.push('Nothing happened.');
  out.push('');

  out.push('## Incidents', '');
  const incidents = [...p.discrepancies.values()].filter((d) => d.kind !== 'foreign-position' && onDay(d.t));
  if (incidents.length === 0) out.push('None.');
  for (const d of incidents)
    out.push(`- ${hhmm(d.t)} **${d.kind}**${d.resolved ? ' (resolved)' : ''}: ${d.detail}`);
  out.push('');
  out.push(...reconciliationSection(p, hhmm));
  const foreign = [...p.discrepancies.values()].filter((d) => d.kind === 'foreign-position');
  if (foreign.length > 0) {
    out.push("## Foreign positions (not keel's; never touched)", '');
    for (const d of foreign) out.push(`- ${d.detail}`);
    out.push('');
  }
  return out.join('\n');
}

const hourMs = 3_600_000;

/** "UTC-05:00", or across a change "UTC-05:00, then UTC-04:00 from 2026-03-08 03:00". */
function offsetsIn(zone: TimeZone, from: EpochMs, to: EpochMs): string {
  let offset = zone.offsetAt(from);
  let text = fixedOffsetName(offset);
  // Hour by hour (zones change on the hour or half hour), then to the millisecond.
  for (let t = from; t < to; t += hourMs) {
    const next = Math.min(t + hourMs, to);
    const nextOffset = zone.offsetAt(next);
    if (nextOffset === offset) continue;
    let lo = t;
    let hi = next;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zone.offsetAt(mid) === offset) lo = mid;
      else hi = mid;
    }
    text += `, then ${fixedOffsetName(nextOffset)} from ${formatIso(hi, zone).slice(0, 16).replace('T', ' ')}`;
    offset = nextOffset;
  }
  return text;
}

/** Credit (+) or debit (−) per unit at entry, per the multiplier: what the trader quotes. */
function entryText(p: Projection, g: GroupRecord): string {
  const first = g.legs[0];
  if (first === undefined || g.units === 0 || g.openCash === 0) return '';
  const multiplier = p.requireInstrument(first.instrumentId).multiplier * Math.abs(first.qtyPerUnit);
  const perUnit = (g.openCash as Micros) / 1e6 / g.units / multiplier;
  if (g.legs.length > 1) return `${perUnit >= 0 ? 'credit' : 'debit'} ${Math.abs(perUnit).toFixed(2)}`;
  return `${Math.abs(perUnit).toFixed(2)}`;
}

/** Restarts and what reconciliation found: matches weaker than a client order id, venue closes. */
function reconciliationSection(p: Projection, hhmm: (t: number) => string): string[] {
  const rec = p.reconciliation;
  const closes = [...p.groups.values()].filter((g) => g.venueClose !== null);
  const starts = rec.rounds.filter((r) => r.startUp);
  if (rec.matches.length === 0 && closes.length === 0 && starts.length <= 1) return [];
  const out = ['## Reconciliation', ''];
  for (const r of starts) {
    const c = r.counts;
    out.push(
      `- ${hhmm(r.t)} start-up: ${c.fillsRecovered} fill(s) recovered, ${c.fillsInferred} inferred, ${c.ordersAdopted} order(s) adopted, ${c.ordersLost} lost, ${c.groupsClosed} group(s) closed at the venue, ${c.discrepanciesRaised} discrepancy(ies) raised`,
    );
  }
  for (const m of rec.matches)
    out.push(
      `- ${hhmm(m.t)} ${m.record} ${m.venueRef} → ${m.keelRef} by ${m.by}${m.by === 'characteristics' ? ` (confidence ${m.confidence})` : ''}: ${m.detail}`,
    );
  for (const g of closes) {
    const c = g.venueClose;
    if (c === null) continue;
    const net = c.venueNetPnl === null ? '' : `, venue net ${microsToCents(c.venueNetPnl).toFixed(2)}`;
    out.push(`- ${g.id} closed at the venue at ${hhmm(c.closedAt)} (${c.evidence}${net}): ${c.detail}`);
  }
  out.push('');
  return out;
}
