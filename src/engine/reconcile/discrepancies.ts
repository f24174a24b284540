// Discrepancies are never deleted: each stays open until evidence resolves it (the order shows up,
// the venue contains keel's position again) or an operator does, and either is journaled.
// Open ones that touch what keel owns keep keel out of ACTIVE.
import { ClientOrderId } from '../../domain';
import type { DiscrepancyKind, TradingState } from '../../ledger/events';
import { isActiveGroup, type Discrepancy, type Projection } from '../../ledger/projection';
import type { EngineCore } from '../engine-core';
import { positionSubject } from './positions';
import type { Round } from './round';

/** Kinds that mean keel's picture of what it owns may be wrong: nothing may trade. */
const haltingKinds: ReadonlySet<DiscrepancyKind> = new Set([
  'quantity-mismatch',
  'unknown-order',
  'fill-after-close',
  'residual',
  'uncovered-short',
]);

export function resolveDiscrepancy(
  core: EngineCore,
  id: string,
  by: 'evidence' | 'operator',
  why: string,
): void {
  const d = core.p.discrepancies.get(id);
  if (!d || d.resolved) return;
  core.recorder.record('discrepancy.resolved', { id, resolution: `${by}: ${why}` });
  core.log(`DISCREPANCY ${id} resolved by ${by}: ${why}`);
}

/** Open discrepancies this round's evidence settles. */
export function resolveByEvidence(r: Round): void {
  const p = r.core.p;
  for (const d of [...p.discrepancies.values()]) {
    if (d.resolved || (d.subject === null && d.kind !== 'foreign-position')) continue;
    const why = evidenceFor(r, d);
    if (why === null) continue;
    resolveDiscrepancy(r.core, d.id, 'evidence', why);
    r.counts.discrepanciesResolved++;
  }
}

function evidenceFor(r: Round, d: Discrepancy): string | null {
  const p = r.core.p;
  const subject = d.subject ?? '';
  switch (d.kind) {
    case 'missing-at-venue': {
      const v = orderId(subject) === null ? undefined : r.byClientId.get(orderId(subject) as ClientOrderId);
      return v ? `the venue lists ${subject} (${v.status})` : null;
    }
    case 'stale-pending': {
      const v = orderId(subject) === null ? undefined : r.byClientId.get(orderId(subject) as ClientOrderId);
      return v && v.status !== 'working' ? `${subject} is ${v.status} at the venue` : null;
    }
    case 'unknown-order': {
      const id = orderId(subject);
      return id !== null && p.orders.get(id) ? `${subject} is in keel's journal now (adopted)` : null;
    }
    case 'quantity-mismatch': {
      if (d.instrumentId === null || subject !== positionSubject(d.instrumentId)) return null;
      const owned = p.ownership.ownedTotal(d.instrumentId);
      const net = p.ownership.venueNetQty(d.instrumentId) ?? 0;
      const contains =
        owned === 0 || (Math.sign(net) === Math.sign(owned) && Math.abs(net) >= Math.abs(owned));
      return contains ? `the venue's ${net} contains keel's ${owned} again` : null;
    }
    case 'foreign-position': {
      // Shown while it is there; gone from the venue (closed, settled) is the evidence.
      if (d.instrumentId === null || p.ownership.venueNetQty(d.instrumentId) === null) return null;
      return p.ownership.foreign(d.instrumentId) === 0 ? 'no foreign quantity left at the venue' : null;
    }
    default:
      return null;
  }
}

function orderId(subject: string): ClientOrderId | null {
  const parsed = ClientOrderId.parse(subject);
  return parsed.ok ? parsed.value : null;
}

/** Whether a discrepancy is about an instrument or a group keel holds now. */
export function touchesOwned(p: Projection, d: Discrepancy): boolean {
  if (d.instrumentId !== null && p.ownership.ownedTotal(d.instrumentId) !== 0) return true;
  const g = d.groupId === null ? undefined : p.groups.get(d.groupId);
  return (
    g !== undefined && isActiveGroup(g) && g.legs.some((l) => p.ownership.owned(l.instrumentId, g.id) !== 0)
  );
}

/** REDUCING or HALTED (never ACTIVE) while open discrepancies touch owned positions. */
export function tripOnOwned(core: EngineCore, discrepancies: readonly Discrepancy[], when: string): void {
  for (const d of discrepancies) {
    if (d.resolved || !touchesOwned(core.p, d)) continue;
    const state: TradingState = haltingKinds.has(d.kind) ? 'HALTED' : 'REDUCING';
    core.trip(state, `${when}: open ${d.kind} ${d.id} touches an owned position: ${d.detail}`);
  }
}
