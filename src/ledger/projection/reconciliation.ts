// What reconciliation has established, folded from the journal: the checkpoint executions are
// fetched from, the rounds and the matches weaker than a client order id (with their confidence),
// and the open discrepancies by kind and subject, so a round never raises the same one twice.
import type { DiscrepancyKind, EventOf, ReconcileCounts } from '../events';

export type ReconcileMatch = EventOf<'reconcile.matched'>['data'] & { readonly t: number };
export type ReconcileRound = {
  readonly t: number;
  readonly startUp: boolean;
  readonly counts: ReconcileCounts;
};

export class ReconcileBook {
  /** Venue time from which the next round fetches executions; null before the first round. */
  checkpoint: number | null = null;
  readonly rounds: ReconcileRound[] = [];
  readonly matches: ReconcileMatch[] = [];
  private readonly matchedVenueRefs = new Set<string>();
  private readonly openByKey = new Map<string, string>();

  completed(e: EventOf<'reconcile.completed'>): void {
    this.checkpoint = e.data.checkpoint;
    this.rounds.push({ t: e.t, startUp: e.data.startUp, counts: e.data.counts });
  }

  matched(e: EventOf<'reconcile.matched'>): void {
    this.matches.push({ ...e.data, t: e.t });
    this.matchedVenueRefs.add(`${e.data.record}|${e.data.venueRef}`);
  }

  /** Whether a venue record (by its own id) was already matched in an earlier round. */
  wasMatched(record: ReconcileMatch['record'], venueRef: string): boolean {
    return this.matchedVenueRefs.has(`${record}|${venueRef}`);
  }

  raised(kind: DiscrepancyKind, subject: string | null, id: string): void {
    if (subject !== null) this.openByKey.set(`${kind}|${subject}`, id);
  }

  resolved(kind: DiscrepancyKind, subject: string | null): void {
    if (subject !== null) this.openByKey.delete(`${kind}|${subject}`);
  }

  /** The open discrepancy of this kind about this subject, if any. */
  openFor(kind: DiscrepancyKind, subject: string): string | null {
    return this.openByKey.get(`${kind}|${subject}`) ?? null;
  }
}
