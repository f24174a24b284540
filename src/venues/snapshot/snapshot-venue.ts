// A venue as one snapshot left it: it answers reconciliation with that snapshot, describes the
// instruments it was given, and sends nothing. `keel reconcile` runs a round on a stopped engine's
// journal against the venue log this way; the start-up bench against a generated account.
import type { ClientOrderId, Instrument, InstrumentId, OrderSpec } from '../../domain';
import type { QuoteBook, Venue, VenueCapabilities, VenueSnapshot } from '../venue';

export class SnapshotVenue implements Venue {
  readonly name = 'snapshot';
  readonly capabilities: VenueCapabilities = {
    combos: true,
    nativeBrackets: false,
    positionHistory: true,
    reduceOnly: true,
    marketOrders: true,
    clientOrderId: { maxLength: 48, allowed: /^[A-Za-z0-9._:-]+$/ },
    comboLegsMax: 4,
  };
  readonly market: QuoteBook = { spot: () => null, quote: () => null };
  /** Cancels asked for: listed for the operator, never sent anywhere. */
  readonly cancels: ClientOrderId[] = [];

  constructor(
    private readonly snap: VenueSnapshot,
    private readonly instruments: ReadonlyMap<string, Instrument>,
  ) {}

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  subscribe(): () => void {
    return () => {}; // a snapshot says nothing more
  }
  resolveInstrument() {
    return { ok: false as const, reason: 'a venue snapshot resolves no instruments' };
  }
  instrument(id: InstrumentId): Instrument | null {
    return this.instruments.get(id) ?? null;
  }
  optionChain(): readonly Instrument[] {
    return [];
  }
  watch(): void {}
  submit(order: OrderSpec): void {
    throw new Error(`a venue snapshot sends no orders (asked to send ${order.clientOrderId})`);
  }
  cancel(id: ClientOrderId): void {
    this.cancels.push(id);
  }
  async snapshot(): Promise<VenueSnapshot> {
    return this.snap;
  }
  isConnected(): boolean {
    return true;
  }
}
