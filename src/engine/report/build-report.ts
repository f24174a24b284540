// report.json from the projection: what the engine believes (shared/spec/simulation.md).
import { formatIso, instrumentRecord, microsToCents, netRealized, type Micros } from '../../domain';
import type { GroupRecord, Projection } from '../../ledger/projection';
import { budgetView } from './budget-view';
import type { Report, ReportGroup, ReportGroupStatus } from './report-types';

export function buildReport(
  p: Projection,
  scenario: string,
  seed: number,
  extra: Record<string, unknown> = {},
): Report {
  const iso = (t: number) => formatIso(t, p.timeZone);
  const groups = [...p.groups.values()].map((g) => reportGroup(p, g, iso));
  const orders = [...p.orders.all()].map((o) => ({
    clientOrderId: o.intent.clientOrderId,
    group: o.intent.groupId,
    source: o.intent.source,
    intent: o.intent.intent,
    state: o.state,
    venueOrderId: o.venueOrderId,
    filledQty: Math.min(...o.intent.legs.map((l) => (o.filledByLeg.get(l.instrumentId) ?? 0) / l.ratio)),
  }));
  // Totals are sums of what each group reports to the cent, so the report adds up as printed.
  const commissions = sumCents(groups.map((g) => g.commissions));
  const realized = sumCents(groups.map((g) => g.realizedPnl));
  const executions = [...p.groups.values()].reduce((n, g) => n + g.executions, 0);
  return {
    scenario,
    seed,
    groups,
    orders,
    refusals: p.refusals.map((r) => ({
      t: iso(r.t),
      source: r.source,
      rule: r.rule,
      message: r.message,
      maxAllowedQty: r.maxAllowedQty,
    })),
    tradingState: p.tradingHistory.map((s) => ({ t: iso(s.t), state: s.state, reason: s.reason })),
    discrepancies: [...p.discrepancies.values()].map((d) => {
      const i = d.instrumentId === null ? undefined : p.instruments.get(d.instrumentId);
      return {
        t: iso(d.t),
        kind: d.kind,
        instrument: i ? instrumentRecord(i) : null,
        detail: d.detail,
        resolved: d.resolved,
        id: d.id,
        group: d.groupId,
        resolution: d.resolution,
      };
    }),
    reconciliation: {
      rounds: p.reconciliation.rounds.map((r) => ({
        t: iso(r.t),
        startUp: r.startUp,
        counts: { ...r.counts },
      })),
      matches: p.reconciliation.matches.map(({ t, ...m }) => ({ t: iso(t), ...m })),
    },
    summary: {
      executions,
      commissions,
      realizedPnl: realized,
      groups: groups.length,
      finalTradingState: p.tradingState,
      ...extra,
    },
    budget: budgetView(p),
  };
}

function reportStatus(g: GroupRecord): ReportGroupStatus {
  switch (g.status) {
    case 'opening':
    case 'open':
    case 'closing':
      return 'open';
    case 'closed':
    case 'failed':
      return 'closed';
    case 'residual':
      return 'residual';
  }
}

function reportGroup(p: Projection, g: GroupRecord, iso: (t: number) => string): ReportGroup {
  const legs = g.legs.map((l) => ({
    instrument: instrumentRecord(p.requireInstrument(l.instrumentId)),
    qty: l.qtyPerUnit * g.units,
  }));
  const group: ReportGroup = {
    id: g.id,
    strategy: g.strategyId,
    status: reportStatus(g),
    openedAt: iso(g.openedAt),
    closedAt: g.closedAt === null ? null : iso(g.closedAt),
    legs,
    clientOrderIds: [...g.clientOrderIds],
    realizedPnl: microsToCents(netRealized(g.pnl)),
    commissions: microsToCents(g.pnl.commissions as Micros),
    exitReason: g.status === 'failed' ? g.statusReason : g.exitReason,
  };
  if (g.venuePositionIds.size > 0) group.venuePositionIds = [...new Set(g.venuePositionIds.values())];
  if (g.venueClose !== null) {
    const c = g.venueClose;
    group.venueClose = {
      closedAt: iso(c.closedAt),
      venuePositionId: c.venuePositionId,
      venueNetPnl: c.venueNetPnl === null ? null : microsToCents(c.venueNetPnl),
      funding: microsToCents(c.funding),
      evidence: c.evidence,
      detail: c.detail,
    };
  }
  if (g.status === 'residual') {
    group.residualLegs = g.residualLegs.map((l) => ({
      instrument: instrumentRecord(p.requireInstrument(l.instrumentId)),
      qty: l.qty,
    }));
  }
  return group;
}

function sumCents(values: readonly number[]): number {
  return values.reduce((n, v) => n + Math.round(v * 100), 0) / 100;
}
