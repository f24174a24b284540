// The venue-vs-keel table `keel reconcile` prints: positions, orders, executions and the position
// history side by side, each venue record with the keel record it matched and by which key. Pure:
// built from keel's projection (after a reconciliation round) and the venue's snapshot.
import {
  describeInstrument,
  GroupId,
  isLive,
  microsToCents,
  netRealized,
  qtyAdd,
  type Instrument,
  type InstrumentId,
} from '../../domain';
import type { ReconcileCounts } from '../../ledger/events';
import type { Projection } from '../../ledger/projection';
import type { VenueSnapshot } from '../../venues/venue';

export type PositionRow = {
  instrument: string;
  venueQty: number;
  keelOwned: number;
  foreign: number;
  byGroup: { group: string; owned: number }[];
  venuePositionId: string | null;
  keelPositionIds: string[];
};

export type OrderRow = {
  clientOrderId: string | null;
  venueOrderId: string | null;
  group: string | null;
  intent: string | null;
  keelState: string | null;
  venueStatus: string | null;
  venueFilled: number | null;
  keelFilled: number | null;
  matchedBy: 'clientOrderId' | 'venueOrderId' | 'keel only' | 'venue only (foreign)';
};

export type HistoryRow = {
  venuePositionId: string;
  instrument: string;
  side: string;
  qty: number;
  avgOpen: number;
  avgClose: number;
  venueNetPnl: number;
  group: string | null;
  matchedBy: string | null;
  confidence: number | null;
  keelNetPnl: number | null;
};

export type ReconcileTable = {
  t: number;
  positions: PositionRow[];
  orders: OrderRow[];
  executions: { atVenue: number; inKeel: number; foreign: number };
  history: HistoryRow[];
  /** Matches weaker than a client order id made by this round. */
  matched: {
    record: string;
    venueRef: string;
    keelRef: string;
    by: string;
    confidence: number;
    detail: string;
  }[];
  counts: ReconcileCounts;
  discrepancies: { id: string; kind: string; detail: string; resolved: boolean; resolution: string | null }[];
};

export function reconcileTable(
  p: Projection,
  snap: VenueSnapshot,
  counts: ReconcileCounts,
  matchesBefore: number,
): ReconcileTable {
  return {
    t: snap.t,
    positions: positionRows(p, snap),
    orders: orderRows(p, snap),
    executions: {
      atVenue: snap.executions.length,
      inKeel: snap.executions.filter((x) => p.execIds.has(x.execId)).length,
      foreign: snap.executions.filter((x) => !p.execIds.has(x.execId)).length,
    },
    history: historyRows(p, snap),
    matched: p.reconciliation.matches.slice(matchesBefore).map(({ t: _t, ...m }) => m),
    counts,
    discrepancies: [...p.discrepancies.values()].map((d) => ({
      id: d.id,
      kind: d.kind,
      detail: d.detail,
      resolved: d.resolved,
      resolution: d.resolution,
    })),
  };
}

function name(p: Projection, id: InstrumentId): string {
  const i: Instrument | undefined = p.instruments.get(id);
  return i ? describeInstrument(i) : id;
}

function positionRows(p: Projection, snap: VenueSnapshot): PositionRow[] {
  const venue = new Map(snap.positions.map((v) => [v.instrumentId, v]));
  const ids = [...new Set<InstrumentId>([...venue.keys(), ...p.ownership.instruments()])].sort();
  return ids
    .map((id) => {
      const v = venue.get(id);
      const owned = p.ownership.ownedTotal(id);
      const venueQty = v?.qty ?? 0;
      const owners = [...p.ownership.owners(id)];
      return {
        instrument: name(p, id),
        venueQty,
        keelOwned: owned,
        foreign: qtyAdd(venueQty, -owned),
        byGroup: owners.map(([g, q]) => ({ group: g as string, owned: q })),
        venuePositionId: v?.venuePositionId ?? null,
        keelPositionIds: owners.flatMap(([g]) => {
          const pid = p.groups.get(g)?.venuePositionIds.get(id);
          return pid === undefined ? [] : [pid as string];
        }),
      };
    })
    .filter((r) => r.venueQty !== 0 || r.keelOwned !== 0);
}

function orderRows(p: Projection, snap: VenueSnapshot): OrderRow[] {
  const rows: OrderRow[] = [];
  const seen = new Set<string>();
  for (const v of snap.orders) {
    const byClient = v.clientOrderId === null ? undefined : p.orders.get(v.clientOrderId);
    const order = byClient ?? p.orders.byVenueOrderId(v.venueOrderId);
    const relevant = v.status === 'working' || (order !== undefined && isLive(order.state));
    if (!relevant) continue;
    if (order) seen.add(order.intent.clientOrderId);
    rows.push({
      clientOrderId: v.clientOrderId,
      venueOrderId: v.venueOrderId,
      group: order?.intent.groupId ?? null,
      intent: order?.intent.intent ?? null,
      keelState: order?.state ?? null,
      venueStatus: v.status,
      venueFilled: v.filledQty,
      keelFilled: order ? filled(order) : null,
      matchedBy: byClient ? 'clientOrderId' : order ? 'venueOrderId' : 'venue only (foreign)',
    });
  }
  for (const o of p.orders.live()) {
    if (seen.has(o.intent.clientOrderId)) continue;
    rows.push({
      clientOrderId: o.intent.clientOrderId,
      venueOrderId: o.venueOrderId,
      group: o.intent.groupId,
      intent: o.intent.intent,
      keelState: o.state,
      venueStatus: null,
      venueFilled: null,
      keelFilled: filled(o),
      matchedBy: 'keel only',
    });
  }
  return rows;
}

function filled(o: {
  intent: { legs: readonly { instrumentId: InstrumentId; ratio: number }[] };
  filledByLeg: Map<InstrumentId, number>;
}): number {
  return Math.min(...o.intent.legs.map((l) => (o.filledByLeg.get(l.instrumentId) ?? 0) / l.ratio));
}

function historyRows(p: Projection, snap: VenueSnapshot): HistoryRow[] {
  const matches = new Map(
    p.reconciliation.matches.filter((m) => m.record === 'positionHistory').map((m) => [m.venueRef, m]),
  );
  return snap.positionHistory.map((h) => {
    const m = matches.get(h.venuePositionId);
    const groupId = m === undefined ? null : GroupId.parse(m.keelRef);
    const g = groupId?.ok ? p.groups.get(groupId.value) : undefined;
    return {
      venuePositionId: h.venuePositionId,
      instrument: name(p, h.instrumentId),
      side: h.side ?? '?',
      qty: h.qty,
      avgOpen: h.avgPrice,
      avgClose: h.avgClosePrice,
      venueNetPnl: microsToCents(h.netPnl),
      group: m?.keelRef ?? null,
      matchedBy: m?.by ?? null,
      confidence: m?.confidence ?? null,
      keelNetPnl: g === undefined ? null : microsToCents(netRealized(g.pnl)),
    };
  });
}

/** The table as text, for a terminal. */
export function formatReconcileTable(t: ReconcileTable, when: string): string {
  const out: string[] = [`venue vs keel at ${when}`, '', 'POSITIONS (venue net = keel owned + foreign):'];
  if (t.positions.length === 0) out.push('  none');
  for (const r of t.positions) {
    const groups = r.byGroup.map((g) => `${g.group} ${g.owned}`).join(', ') || '-';
    out.push(
      `  ${r.instrument.padEnd(28)} venue ${String(r.venueQty).padStart(8)}  keel ${String(r.keelOwned).padStart(8)}  foreign ${String(r.foreign).padStart(8)}  [${groups}]${r.venuePositionId ? `  position ${r.venuePositionId}` : ''}`,
    );
  }
  out.push('', 'ORDERS (working at the venue or live in keel):');
  if (t.orders.length === 0) out.push('  none');
  for (const o of t.orders)
    out.push(
      `  ${(o.clientOrderId ?? '(no client id)').padEnd(30)} ${String(o.venueOrderId ?? '-').padEnd(20)} keel ${String(o.keelState ?? '-').padEnd(16)} venue ${String(o.venueStatus ?? '-').padEnd(9)} by ${o.matchedBy}`,
    );
  out.push(
    '',
    `EXECUTIONS: ${t.executions.atVenue} at the venue, ${t.executions.inKeel} in keel's journal, ${t.executions.foreign} not keel's`,
    '',
    'POSITION HISTORY (closed at the venue):',
  );
  if (t.history.length === 0) out.push('  none');
  for (const h of t.history)
    out.push(
      `  ${h.venuePositionId} ${h.instrument} ${h.side} ${h.qty} ${h.avgOpen} -> ${h.avgClose} net ${h.venueNetPnl.toFixed(2)}  ${h.group === null ? "not keel's" : `= ${h.group} by ${h.matchedBy}${h.matchedBy === 'characteristics' ? ` (confidence ${h.confidence})` : ''}, keel net ${h.keelNetPnl?.toFixed(2) ?? '?'}`}`,
    );
  out.push('', 'MATCHED THIS ROUND (by a key weaker than the client order id):');
  if (t.matched.length === 0) out.push('  none');
  for (const m of t.matched)
    out.push(
      `  ${m.record} ${m.venueRef} -> ${m.keelRef} by ${m.by}${m.by === 'characteristics' ? ` (confidence ${m.confidence})` : ''}: ${m.detail}`,
    );
  const c = t.counts;
  out.push(
    '',
    `THIS ROUND: ${c.fillsRecovered} fill(s) recovered, ${c.fillsInferred} inferred, ${c.ordersAdopted} order(s) adopted, ${c.ordersLost} lost, ${c.ordersResolved} resolved, ${c.groupsClosed} group(s) closed, ${c.discrepanciesRaised} discrepancy(ies) raised, ${c.discrepanciesResolved} resolved`,
  );
  const open = t.discrepancies.filter((d) => !d.resolved);
  out.push('', `DISCREPANCIES (${open.length} open):`);
  if (open.length === 0) out.push('  none');
  for (const d of open) out.push(`  ${d.id} ${d.kind}: ${d.detail}`);
  return out.join('\n') + '\n';
}
