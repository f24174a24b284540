// The venue's position history (futures venues): closed positions with their own ids, no order
// ids (BingX). Each record is matched to a group by the venue position id keel captured while the
// position was open, else by characteristics (side, quantity, open price and time) with a
// confidence. A matched group that keel still believes holds the position gets an inferred closing
// fill at the venue's average close price; its PnL must then equal the venue's net to the cent,
// or a pnl-mismatch is raised. Each record is matched once (reconcile.matched).
import {
  applyPnlFill,
  InvariantError,
  ExecId,
  microsToCents,
  microsToNumber,
  netRealized,
  roundToTick,
  subMicros,
  toMicros,
  ZERO_MICROS,
  addMicros,
  type Micros,
  type PnlState,
  type Side,
} from '../../domain';
import type { MatchKey } from '../../ledger/events';
import { isActiveGroup, type GroupRecord, type OrderRecord } from '../../ledger/projection';
import type { VenuePositionHistoryRecord } from '../../venues/venue';
import { matchClosedPosition, type GroupCandidate } from './match';
import { missingGraceMs } from './orders';
import { venueRecordOf, type Round, type VenueCloseFacts } from './round';

export function matchPositionHistory(r: Round): void {
  const p = r.core.p;
  if (r.snap.positionHistory.length === 0) return;
  const byPositionId = new Map<string, GroupRecord>();
  const singleLeg = new Map<string, GroupRecord[]>();
  for (const g of p.groups.values()) {
    for (const id of g.venuePositionIds.values()) byPositionId.set(id, g);
    const leg = g.legs[0];
    if (g.legs.length === 1 && leg !== undefined)
      singleLeg.set(leg.instrumentId, [...(singleLeg.get(leg.instrumentId) ?? []), g]);
  }
  const records = [...r.snap.positionHistory].sort(
    (a, b) => a.closedAt - b.closedAt || (a.venuePositionId < b.venuePositionId ? -1 : 1),
  );
  for (const rec of records) {
    if (p.reconciliation.wasMatched('positionHistory', rec.venuePositionId)) continue;
    const found = groupOf(r, rec, byPositionId, singleLeg.get(rec.instrumentId) ?? []);
    if (found === null) continue;
    const { group, by, confidence, detail } = found;
    const owned = p.ownership.owned(rec.instrumentId, group.id);
    // Live, the closing fill may still be on its way: give it the grace period first.
    if (owned !== 0 && !r.startUp && r.snap.t - rec.closedAt < missingGraceMs) continue;
    r.core.recorder.record('reconcile.matched', {
      record: 'positionHistory',
      venueRef: rec.venuePositionId,
      keelRef: group.id,
      by,
      confidence,
      detail,
    });
    if (by === 'characteristics')
      r.core.recorder.record('group.positionId', {
        groupId: group.id,
        instrumentId: rec.instrumentId,
        venuePositionId: rec.venuePositionId,
      });
    book(r, group, rec, owned, confidence);
  }
}

type Found = { group: GroupRecord; by: MatchKey; confidence: number; detail: string };

function groupOf(
  r: Round,
  rec: VenuePositionHistoryRecord,
  byId: Map<string, GroupRecord>,
  onInstrument: readonly GroupRecord[],
): Found | null {
  const known = byId.get(rec.venuePositionId);
  if (known)
    return {
      group: known,
      by: 'venuePositionId',
      confidence: 1,
      detail: `venue position ${rec.venuePositionId} (closed at ${rec.avgClosePrice}, net ${microsToCents(rec.netPnl)}) was captured for ${known.id} while open`,
    };
  const p = r.core.p;
  const lot = p.instruments.get(rec.instrumentId)?.lot ?? 0;
  const m = matchClosedPosition(candidates(r, rec, onInstrument), { ...rec, side: rec.side ?? null }, lot);
  if (m.kind === 'none') return null; // not keel's: someone else's closed position
  if (m.kind === 'ambiguous') {
    r.core.raise(
      'quantity-mismatch',
      `venue position ${rec.venuePositionId} (${rec.side ?? '?'} ${rec.qty} closed at ${rec.avgClosePrice}) fits groups ${m.ids.join(', ')}: not matched; resolve by hand`,
      rec.instrumentId,
      null,
      rec.venuePositionId,
    );
    return null;
  }
  return {
    group: p.requireGroup(m.id),
    by: 'characteristics',
    confidence: m.confidence,
    detail: `inferred: ${m.detail}`,
  };
}

/** Single-leg groups on the instrument without a position id for it and not booked closed yet. */
function candidates(
  r: Round,
  rec: VenuePositionHistoryRecord,
  onInstrument: readonly GroupRecord[],
): GroupCandidate[] {
  const out: GroupCandidate[] = [];
  for (const g of onInstrument) {
    const leg = g.legs[0];
    if (g.legs.length !== 1 || leg === undefined || leg.instrumentId !== rec.instrumentId) continue;
    if (g.venuePositionIds.has(rec.instrumentId) || g.venueClose !== null || g.executions === 0) continue;
    const qty = Math.abs(leg.qtyPerUnit * g.units);
    const openCash = microsToNumber(g.openCash); // cash of the opening fills, signed
    out.push({
      groupId: g.id,
      instrumentId: leg.instrumentId,
      side: leg.qtyPerUnit > 0 ? 'LONG' : 'SHORT',
      qty,
      avgPrice: qty > 0 && openCash !== 0 ? Math.abs(openCash) / qty / multiplierOf(r, g) : null,
      openedAt: g.openedAt,
    });
  }
  return out;
}

function multiplierOf(r: Round, g: GroupRecord): number {
  const leg = g.legs[0];
  return leg === undefined ? 1 : r.core.p.requireInstrument(leg.instrumentId).multiplier;
}

function book(
  r: Round,
  group: GroupRecord,
  rec: VenuePositionHistoryRecord,
  owned: number,
  confidence: number,
): void {
  const p = r.core.p;
  let evidence: VenueCloseFacts['evidence'] = 'executions';
  if (owned !== 0) {
    if (!inferClosingFill(r, group, rec, owned, confidence)) {
      r.core.raise(
        'quantity-mismatch',
        `venue position ${rec.venuePositionId} of ${group.id} closed at ${rec.avgClosePrice}, but keel still owns ${owned} and has no working order of the group it could have filled`,
        rec.instrumentId,
        group.id,
        rec.venuePositionId,
      );
      return;
    }
    evidence = 'positionHistory';
  }
  if (p.ownership.owned(rec.instrumentId, group.id) !== 0) return;
  const funding = rec.funding ?? ZERO_MICROS;
  if (group.legs.length === 1) checkPnl(r, group, rec, funding);
  const facts: VenueCloseFacts = {
    instrumentId: rec.instrumentId,
    closedAt: rec.closedAt,
    venuePositionId: rec.venuePositionId,
    venueNetPnl: rec.netPnl,
    funding,
    evidence,
    detail: `venue position ${rec.venuePositionId}: ${rec.qty} opened at ${rec.avgPrice}, closed at ${rec.avgClosePrice}, realised ${microsToCents(rec.realisedPnl)}, net ${microsToCents(rec.netPnl)}`,
  };
  if (!isActiveGroup(group) && group.venueClose === null)
    r.core.recorder.record('group.venueClose', { groupId: group.id, ...facts });
  else r.venueCloses.set(group.id, facts);
}

/** keel's net for the group (plus funding, which no fill carries) against the venue's net. */
function checkPnl(r: Round, group: GroupRecord, rec: VenuePositionHistoryRecord, funding: Micros): void {
  const keel = microsToCents(addMicros(netRealized(group.pnl), funding));
  const venue = microsToCents(rec.netPnl);
  if (keel === venue) return;
  r.core.raise(
    'pnl-mismatch',
    `${group.id}: the venue's position history gives net PnL ${venue.toFixed(2)} for position ${rec.venuePositionId}, keel's fills give ${keel.toFixed(2)}`,
    rec.instrumentId,
    group.id,
    rec.venuePositionId,
  );
}

/**
 * keel missed the close (no execution since the checkpoint): a closing fill at the venue's average
 * close price, booked on the group's working order that could have made it, with the commission
 * (and any funding the venue does not report apart) that makes the group's net equal the venue's.
 */
function inferClosingFill(
  r: Round,
  group: GroupRecord,
  rec: VenuePositionHistoryRecord,
  owned: number,
  confidence: number,
): boolean {
  const p = r.core.p;
  const side: Side = owned > 0 ? 'SELL' : 'BUY';
  const order = closingOrderOf(r, group, rec, side);
  if (order === null || order.venueOrderId === null) return false;
  const instrument = p.requireInstrument(rec.instrumentId);
  const qty = Math.abs(owned);
  const price = roundToTick(rec.avgClosePrice, instrument.tick);
  const funding = rec.funding ?? ZERO_MICROS;
  const grossNet = netAfter(group.pnl, {
    side,
    qty,
    price,
    multiplier: instrument.multiplier,
    key: rec.instrumentId,
  });
  const fee = subMicros(addMicros(grossNet, funding), rec.netPnl);
  const commission = (fee > 0 ? fee : ZERO_MICROS) as Micros;
  r.core.recorder.record('reconcile.matched', {
    record: 'execution',
    venueRef: rec.venuePositionId,
    keelRef: order.intent.clientOrderId,
    by: 'venuePositionId',
    confidence,
    detail: `inferred closing fill ${side} ${qty} @ ${price} (the venue's average close) on ${order.intent.clientOrderId}; commission and funding ${microsToCents(commission).toFixed(2)} from the venue's net PnL ${microsToCents(rec.netPnl).toFixed(2)}`,
  });
  r.orders.onFill(
    {
      execId: ExecId.of(`inferred:${rec.venuePositionId}`),
      clientOrderId: order.intent.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrumentId: rec.instrumentId,
      side,
      qty,
      price,
      commission,
      comboExecId: null,
      venuePositionId: rec.venuePositionId,
      t: rec.closedAt,
    },
    'inferred',
  );
  r.counts.fillsInferred++;
  r.lastFillAt.set(group.id, rec.closedAt);
  if (!(p.ownership.owned(rec.instrumentId, group.id) === 0))
    throw new InvariantError(`inferred close must flatten ${group.id}`);
  return true;
}

/**
 * The group's live order that made the close: the one the venue's order records show filled, else
 * the stop or take-profit whose trigger is nearest the venue's average close price.
 */
function closingOrderOf(
  r: Round,
  group: GroupRecord,
  rec: VenuePositionHistoryRecord,
  side: Side,
): OrderRecord | null {
  const live = group.clientOrderIds
    .map((id) => r.core.p.orders.require(id))
    .filter(
      (o) =>
        o.intent.intent !== 'open' &&
        o.state !== 'intent' &&
        o.state !== 'filled' &&
        o.intent.legs.some((l) => l.instrumentId === rec.instrumentId && l.side === side),
    );
  const filledAtVenue = live.find((o) => (venueRecordOf(r, o)?.filledQty ?? 0) > 0);
  if (filledAtVenue) return filledAtVenue;
  const distance = (o: OrderRecord) =>
    o.intent.stopPrice === null ? Infinity : Math.abs(o.intent.stopPrice - rec.avgClosePrice);
  return [...live].sort((a, b) => distance(a) - distance(b))[0] ?? null;
}

function netAfter(
  pnl: PnlState,
  f: { side: Side; qty: number; price: number; multiplier: number; key: string },
): Micros {
  const copy: PnlState = {
    byInstrument: new Map([...pnl.byInstrument].map(([k, lot]) => [k, { ...lot }])),
    realized: pnl.realized,
    commissions: pnl.commissions,
  };
  applyPnlFill(copy, {
    instrumentKey: f.key,
    side: f.side,
    qty: f.qty,
    price: f.price,
    multiplier: f.multiplier,
    commission: toMicros(0),
  });
  return netRealized(copy);
}
