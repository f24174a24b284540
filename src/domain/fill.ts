import type { ClientOrderId, ExecId, InstrumentId, VenueOrderId, VenuePositionId } from './ids';
import type { Micros } from './money';
import type { Side } from './order';

/** How keel learned of a fill: reported live, found in the venue's executions on reconcile, or inferred. */
export type FillProvenance = 'live' | 'reconciled' | 'settlement' | 'inferred';

/** One execution of one leg, as the venue reported it. */
export type Fill = {
  readonly execId: ExecId;
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId | null;
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly commission: Micros;
  /** Same for every leg of one combo execution, else null. */
  readonly comboExecId: string | null;
  readonly venuePositionId: VenuePositionId | null;
  readonly t: number;
  readonly provenance: FillProvenance;
};
