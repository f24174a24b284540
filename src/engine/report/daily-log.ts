// daily-log.md: the session as a trader reads it — timeline, trades, executions and commissions,
// incidents and refusals. Built from the same projection as report.json, so they cannot disagree.
import {
  addDays,
  addMicros,
  atDateTime,
  describeInstrument,
  fixedOffsetName,
  formatIso,
  localDate,
  microsToCents,
  roundToTick,
  subMicros,
  unrealizedPnl,
  ZERO_MICROS,
  type EpochMs,
  type GroupId,
  type InstrumentId,
  type LocalDate,
  type Micros,
  type TimeZone,
} from '../../domain';
import type { GroupStatus } from '../../ledger/events';
import type { GroupRecord, Projection, Refusal } from '../../ledger/projection';
import { budgetLines, budgetView } from './budget-view';
import type { Report } from './report-types';

/** A group's running totals, read at the start of a day to book only that day's part. */
export type GroupTotals = {
  readonly executions: number;
  readonly realized: Micros;
  readonly commissions: Micros;
  readonly status: GroupStatus;
  readonly venueClosed: boolean;
};

/**
 * One session of a multi-day run: its date, the instants it covers ([from, to): events between two
 * sessions belong to the earlier one), and every group's totals at its start.
 */
export type DayScope = {
  readonly day: LocalDate;
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly atStart: ReadonlyMap<GroupId, GroupTotals>;
};

/** Mid prices of the instruments keel owned, at the end of the day (or of the run). */
export type Marks = ReadonlyMap<InstrumentId, number>;

export function groupTotals(p: Projection): Map<GroupId, GroupTotals> {
  const totals = new Map<GroupId, GroupTotals>();
  for (const g of p.groups.values())
    totals.set(g.id, {
      executions: g.executions,
      realized: g.pnl.realized,
      commissions: g.pnl.commissions,
      status: g.status,
      venueClosed: g.venueClose !== null,
    });
  return totals;
}

const noTotals: GroupTotals = {
  executions: 0,
  realized: ZERO_MICROS,
  commissions: ZERO_MICROS,
  status: 'opening',
  venueClosed: false,
};

/**
 * The whole run (scope null), or one session of a multi-day run from the projection as of that
 * session's end: what it booked that day, what it held overnight, times dated when not that day.
 */
export function buildDailyLog(
  p: Projection,
  report: Report,
  title: string,
  scope: DayScope | null = null,
  marks: Marks | null = null,
): string {
  const onDay = (t: number) => scope === null || (t >= scope.from && t < scope.to);
  // A time of another day carries its date (a stop filled the next morning is not "09:32").
  const when = (t: number) => {
    const iso = formatIso(t, p.timeZone).slice(0, 19).replace('T', ' ');
    return scope !== null && localDate(t, p.timeZone) === scope.day ? iso.slice(11) : iso;
  };
  const atStart = (g: GroupRecord) => scope?.atStart.get(g.id) ?? noTotals;
  // A group a day shows: opened that day, or held into it from an earlier one.
  const groups = [...p.groups.values()].filter(
    (g) => scope === null || (g.openedAt < scope.to && !isFinished(atStart(g).status)),
  );
  const booked = groups.map((g) => bookedOn(g, atStart(g)));
  const out: string[] = [`# Daily log: ${title}${scope === null ? '' : ` — ${scope.day}`}`, ''];
  const [from, to] =
    scope === null
      ? [p.firstStartAt ?? p.lastT, p.lastT]
      : [atDateTime(scope.day, '00:00', p.timeZone), atDateTime(addDays(scope.day, 1), '00:00', p.timeZone)];
  const offsets = offsetsIn(p.timeZone, from, to);
  out.push(
    offsets === p.timeZone.name ? `Times are ${offsets}.` : `Times are ${p.timeZone.name} time: ${offsets}.`,
    '',
  );
  // Sums of what each trade shows to the cent, so the table adds up as printed.
  const cents = (m: Micros) => Math.round(m / 10_000);
  const executions = booked.reduce((n, b) => n + b.executions, 0);
  const commissions = booked.reduce((n, b) => n + cents(b.commissions), 0) / 100;
  const realized = booked.reduce((n, b) => n + cents(b.net), 0) / 100;
  const opened = groups.filter((g) => onDay(g.openedAt)).length;
  // The report is the run's end; a day reads the projection as of its own end.
  const openDiscrepancies = (scope === null ? report.discrepancies : [...p.discrepancies.values()]).filter(
    (d) => !d.resolved,
  ).length;
  out.push('| metric | value |', '| :--- | ---: |');
  out.push(`| groups opened | ${opened} |`);
  if (scope !== null) out.push(`| groups held from earlier days | ${groups.length - opened} |`);
  out.push(`| executions | ${executions} |`);
  out.push(
    `| commissions | $${commissions.toFixed(2)} |`,
    `| realized PnL (net) | $${realized.toFixed(2)} |`,
  );
  out.push(
    `| refusals | ${p.refusals.filter((r) => onDay(r.t)).length} |`,
    `| open discrepancies | ${openDiscrepancies} |`,
  );
  const stateAt = scope === null ? 'final trading state' : 'trading state at the end of the day';
  out.push(`| ${stateAt} | ${p.tradingState} |`, '');

  out.push('## Trades', '');
  if (groups.length === 0) out.push('No trades.', '');
  else {
    // Realized at the fills, net of commissions: the exit reason's "mark PnL" was the mid when it fired.
    const figures =
      scope === null
        ? 'realized PnL (net) | commissions'
        : 'realized PnL (net) booked today | commissions today';
    out.push(
      `| group | strategy | legs | entry (per unit) | opened | closed | held | status | exit reason | executions | ${figures} |`,
      '| --- | --- | --- | ---: | --- | --- | ---: | --- | --- | ---: | ---: | ---: |',
    );
    groups.forEach((g, i) => {
      const b = booked[i] ?? bookedOn(g, atStart(g));
      const legs = g.legs
        .map(
          (l) =>
            `${l.qtyPerUnit * g.units > 0 ? '+' : ''}${l.qtyPerUnit * g.units} ${describeInstrument(p.requireInstrument(l.instrumentId))}`,
        )
        .join(' / ');
      const exit = g.status === 'failed' ? g.statusReason : (g.exitReason ?? '');
      const held = g.closedAt === null ? '' : heldText(g.closedAt - g.openedAt);
      out.push(
        `| ${g.id} | ${g.strategyId} | ${legs} | ${entryText(p, g)} | ${when(g.openedAt)} | ${g.closedAt === null ? '' : when(g.closedAt)} | ${held} | ${g.status} | ${exit} | ${b.executions} | ${microsToCents(b.net).toFixed(2)} | ${microsToCents(b.commissions).toFixed(2)} |`,
      );
    });
    out.push('');
  }
  out.push(...openPositionsSection(p, groups, marks, scope === null ? 'run' : 'day'));

  const budget = budgetView(p);
  const budgetTitle = scope === null ? 'end of the run' : 'end of the day';
  if (budget !== null) out.push(`## Exposure budgets (${budgetTitle})`, '', ...budgetLines(budget), '');

  out.push('## Timeline', '');
  const timeline: [number, string][] = [];
  for (const s2 of p.tradingHistory)
    timeline.push([s2.t, `trading **${s2.state}** (${s2.source}): ${s2.reason}`]);
  for (const n of p.notes) timeline.push([n.t, `${n.strategyId}: ${n.message}`]);
  for (const n of p.budget.notes) timeline.push([n.t, `budget: ${n.message}`]);
  for (const d of p.discrepancies.values()) timeline.push([d.t, `discrepancy *${d.kind}*: ${d.detail}`]);
  timeline.push(
    ...refusalLines(
      p.refusals.filter((r) => onDay(r.t)),
      when,
    ),
  );
  for (const g of groups) {
    timeline.push([g.openedAt, `${g.id} opening: ${g.note ?? g.kind}`]);
    if (g.closedAt !== null) timeline.push([g.closedAt, `${g.id} ${g.status}: ${g.statusReason}`]);
  }
  timeline.sort((a, b) => a[0] - b[0]);
  const today = timeline.filter(([t]) => onDay(t));
  for (const [t, line] of today) out.push(`- ${when(t)} ${line}`);
  if (today.length === 0) out.push('Nothing happened.');
  out.push('');

  out.push('## Incidents', '');
  const incidents = [...p.discrepancies.values()].filter((d) => d.kind !== 'foreign-position' && onDay(d.t));
  if (incidents.length === 0) out.push('None.');
  for (const d of incidents)
    out.push(`- ${when(d.t)} **${d.kind}**${d.resolved ? ' (resolved)' : ''}: ${d.detail}`);
  out.push('');
  out.push(...reconciliationSection(p, when, onDay, scope));
  const foreign = [...p.discrepancies.values()].filter((d) => d.kind === 'foreign-position');
  if (foreign.length > 0) {
    out.push("## Foreign positions (not keel's; never touched)", '');
    for (const d of foreign) out.push(`- ${d.detail}`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * A strategy's refusals by one rule in a row are one line, then counted: an entry retried every
 * minute against a full budget is one fact, not 255 lines. An operator's refusals stay one each.
 */
function refusalLines(refusals: readonly Refusal[], when: (t: number) => string): [number, string][] {
  const lines: [number, string][] = [];
  const runs = new Map<string | null, { first: Refusal; last: Refusal; count: number }>();
  const line = ({ first, last, count }: { first: Refusal; last: Refusal; count: number }) => {
    const repeats =
      count === 1
        ? ''
        : ` (repeated ${count - 1} more time(s) until ${when(last.t)}${last.message === first.message ? '' : `; the last: ${last.message}`})`;
    lines.push([first.t, `refused (${first.rule}): ${first.message}${repeats}`]);
  };
  for (const r of refusals) {
    if (r.source !== 'strategy') {
      line({ first: r, last: r, count: 1 });
      continue;
    }
    const run = runs.get(r.strategyId);
    if (run !== undefined && run.first.rule === r.rule) {
      run.last = r;
      run.count++;
      continue;
    }
    if (run !== undefined) line(run);
    runs.set(r.strategyId, { first: r, last: r, count: 1 });
  }
  for (const run of runs.values()) line(run);
  return lines;
}

function isFinished(status: GroupStatus): boolean {
  return status === 'closed' || status === 'failed';
}

/** What a group booked since `before`: executions, commissions, realized net of commissions. */
function bookedOn(
  g: GroupRecord,
  before: GroupTotals,
): { executions: number; commissions: Micros; net: Micros } {
  const commissions = subMicros(g.pnl.commissions, before.commissions);
  const realized = subMicros(g.pnl.realized, before.realized);
  return { executions: g.executions - before.executions, commissions, net: subMicros(realized, commissions) };
}

/** "45 min", "3 h 35 min", or held overnight "1 d 0 h 02 min". */
function heldText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / (24 * 60));
  const rest = minutes - days * 24 * 60;
  const hours = `${Math.floor(rest / 60)} h ${String(rest % 60).padStart(2, '0')} min`;
  return days === 0 ? hours : `${days} d ${hours}`;
}

/** What keel still owned at the end, per group and leg, with its mark and unrealized PnL. */
function openPositionsSection(
  p: Projection,
  groups: readonly GroupRecord[],
  marks: Marks | null,
  end: 'day' | 'run',
): string[] {
  const rows: string[] = [];
  let total = ZERO_MICROS;
  let unmarked = false;
  for (const g of groups) {
    const legs = g.legs.filter((l) => p.ownership.owned(l.instrumentId, g.id) !== 0);
    if (legs.length === 0) continue;
    const unrealized = groupUnrealized(p, g, marks);
    if (unrealized === null) unmarked = true;
    else total = addMicros(total, unrealized);
    for (const l of legs) {
      const i = p.requireInstrument(l.instrumentId);
      const mark = marks?.get(l.instrumentId);
      rows.push(
        `| ${g.id} | ${describeInstrument(i)} | ${p.ownership.owned(l.instrumentId, g.id)} | ${mark === undefined ? 'no mark' : String(roundToTick(mark, i.tick))} | ${l === legs[0] ? (unrealized === null ? 'n/a' : microsToCents(unrealized).toFixed(2)) : ''} |`,
      );
    }
  }
  const title = `## Open positions at the end of the ${end}`;
  if (rows.length === 0) return [title, '', 'None: everything keel opened is flat.', ''];
  const sum = unmarked ? 'n/a (a leg has no mark)' : `$${microsToCents(total).toFixed(2)}`;
  return [
    title,
    '',
    '| group | instrument | owned | mark (mid) | unrealized PnL |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
    `Unrealized PnL at the marks, before closing commissions: ${sum}.`,
    '',
  ];
}

/** A group's open lots at the marks; null when a leg it holds has no mark. */
export function groupUnrealized(p: Projection, g: GroupRecord, marks: Marks | null): Micros | null {
  return unrealizedPnl(g.pnl, (key) => {
    const price = marks?.get(key as InstrumentId);
    return price === undefined
      ? null
      : { price, multiplier: p.requireInstrument(key as InstrumentId).multiplier };
  });
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
function reconciliationSection(
  p: Projection,
  when: (t: number) => string,
  onDay: (t: number) => boolean,
  scope: DayScope | null,
): string[] {
  const rec = p.reconciliation;
  // A venue close belongs to the day reconciliation journaled it on.
  const closes = [...p.groups.values()].filter(
    (g) => g.venueClose !== null && !(scope?.atStart.get(g.id)?.venueClosed ?? false),
  );
  const starts = rec.rounds.filter((r) => r.startUp);
  const matches = rec.matches.filter((m) => onDay(m.t));
  if (rec.matches.length === 0 && closes.length === 0 && starts.length <= 1) return [];
  const out = ['## Reconciliation', ''];
  for (const r of starts.filter((s) => onDay(s.t))) {
    const c = r.counts;
    out.push(
      `- ${when(r.t)} start-up: ${c.fillsRecovered} fill(s) recovered, ${c.fillsInferred} inferred, ${c.ordersAdopted} order(s) adopted, ${c.ordersLost} lost, ${c.groupsClosed} group(s) closed at the venue, ${c.discrepanciesRaised} discrepancy(ies) raised`,
    );
  }
  for (const m of matches)
    out.push(
      `- ${when(m.t)} ${m.record} ${m.venueRef} → ${m.keelRef} by ${m.by}${m.by === 'characteristics' ? ` (confidence ${m.confidence})` : ''}: ${m.detail}`,
    );
  for (const g of closes) {
    const c = g.venueClose;
    if (c === null) continue;
    const net = c.venueNetPnl === null ? '' : `, venue net ${microsToCents(c.venueNetPnl).toFixed(2)}`;
    out.push(`- ${g.id} closed at the venue at ${when(c.closedAt)} (${c.evidence}${net}): ${c.detail}`);
  }
  if (out.length === 2) out.push('Nothing to reconcile this day.');
  out.push('');
  return out;
}
