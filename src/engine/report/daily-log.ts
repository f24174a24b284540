// daily-log.md: the session as a trader reads it — timeline, trades, executions and commissions,
// incidents and refusals. Built from the same projection as report.json, so they cannot disagree.
import { describeInstrument, formatIso, microsToCents, netRealized } from '../../domain';
import type { Projection } from '../../ledger/projection';
import type { Report } from './report-types';

export function buildDailyLog(p: Projection, report: Report, title: string): string {
  const hhmm = (t: number) => formatIso(t, p.utcOffsetMin).slice(11, 19);
  const out: string[] = [`# Daily log: ${title}`, ''];
  const s = report.summary;
  out.push('| metric | value |', '| :--- | ---: |');
  out.push(`| groups | ${report.groups.length} |`, `| executions | ${s.executions} |`);
  out.push(
    `| commissions | $${s.commissions.toFixed(2)} |`,
    `| realized PnL (net) | $${s.realizedPnl.toFixed(2)} |`,
  );
  out.push(
    `| refusals | ${report.refusals.length} |`,
    `| open discrepancies | ${report.discrepancies.filter((d) => !d.resolved).length} |`,
  );
  out.push(`| final trading state | ${p.tradingState} |`, '');

  out.push('## Trades', '');
  if (p.groups.size === 0) out.push('No trades.', '');
  else {
    out.push(
      '| group | strategy | legs | opened | closed | status | exit reason | PnL | commissions |',
      '| --- | --- | --- | --- | --- | --- | --- | ---: | ---: |',
    );
    for (const g of p.groups.values()) {
      const legs = g.legs
        .map(
          (l) =>
            `${l.qtyPerUnit * g.units > 0 ? '+' : ''}${l.qtyPerUnit * g.units} ${describeInstrument(p.requireInstrument(l.instrumentId))}`,
        )
        .join(' / ');
      const exit = g.status === 'failed' ? g.statusReason : (g.exitReason ?? '');
      out.push(
        `| ${g.id} | ${g.strategyId} | ${legs} | ${hhmm(g.openedAt)} | ${g.closedAt === null ? '' : hhmm(g.closedAt)} | ${g.status} | ${exit} | ${microsToCents(netRealized(g.pnl)).toFixed(2)} | ${microsToCents(g.pnl.commissions).toFixed(2)} |`,
      );
    }
    out.push('');
  }

  out.push('## Timeline', '');
  const timeline: [number, string][] = [];
  for (const s2 of p.tradingHistory)
    timeline.push([s2.t, `trading **${s2.state}** (${s2.source}): ${s2.reason}`]);
  for (const n of p.notes) timeline.push([n.t, `${n.strategyId}: ${n.message}`]);
  for (const d of p.discrepancies.values()) timeline.push([d.t, `discrepancy *${d.kind}*: ${d.detail}`]);
  for (const r of p.refusals) timeline.push([r.t, `refused (${r.rule}): ${r.message}`]);
  for (const g of p.groups.values()) {
    timeline.push([g.openedAt, `${g.id} opening: ${g.note ?? g.kind}`]);
    if (g.closedAt !== null) timeline.push([g.closedAt, `${g.id} ${g.status}: ${g.statusReason}`]);
  }
  timeline.sort((a, b) => a[0] - b[0]);
  for (const [t, line] of timeline) out.push(`- ${hhmm(t)} ${line}`);
  if (timeline.length === 0) out.push('Nothing happened.');
  out.push('');

  out.push('## Incidents', '');
  const incidents = [...p.discrepancies.values()].filter((d) => d.kind !== 'foreign-position');
  if (incidents.length === 0) out.push('None.');
  for (const d of incidents)
    out.push(`- ${hhmm(d.t)} **${d.kind}**${d.resolved ? ' (resolved)' : ''}: ${d.detail}`);
  out.push('');
  const foreign = [...p.discrepancies.values()].filter((d) => d.kind === 'foreign-position');
  if (foreign.length > 0) {
    out.push("## Foreign positions (not keel's; never touched)", '');
    for (const d of foreign) out.push(`- ${d.detail}`);
    out.push('');
  }
  return out.join('\n');
}
