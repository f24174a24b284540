// The Venue interface: what keel needs from a broker or exchange, shaped so Interactive Brokers,
// Alpaca and ccxt exchanges fit without special cases in the engine (shared/spec/venues.md).
// Orders go out with keel's ClientOrderId; everything the venue says comes back as VenueEvents
// pushed to the one subscriber (the engine host), never re-entrantly from inside submit().
// Whatever a venue says in its own codes (IB error 1100, Alpaca `expired`, a BingX reason string)
// the adapter maps to the typed reasons below: the engine never reads a venue's code.
import type {
  ClientOrderId,
  Fill,
  Instrument,
  InstrumentId,
  InstrumentTerms,
  Micros,
  OrderSpec,
  VenueOrderId,
  VenuePositionId,
  RejectReason,
  CancelReason,
} from '../domain';

export type { RejectReason, CancelReason } from '../domain';

/** What keel's client order ids must look like at this venue (Alpaca: at most 48 characters). */
export type ClientOrderIdRules = {
  readonly maxLength: number;
  /** The whole id must match (IB orderRef and ccxt clientOrderId take fewer characters than keel's ids could). */
  readonly allowed: RegExp;
};

export type VenueCapabilities = {
  /** Accepts multi-leg combo orders (IB BAG, Alpaca mleg). */
  readonly combos: boolean;
  /** Takes entry + stop + target as one native bracket (Alpaca order_class bracket). */
  readonly nativeBrackets: boolean;
  /** Keeps a position history with position ids (BingX-style futures venues). */
  readonly positionHistory: boolean;
  readonly reduceOnly: boolean;
  readonly marketOrders: boolean;
  readonly clientOrderId: ClientOrderIdRules;
  /** Legs one combo order may carry. */
  readonly comboLegsMax: number;
};

/** Why a cancel request did not take effect. */
export type CancelRejectReason = 'notSent' | 'unknownOrder' | 'notWorking' | 'refused';

/**
 * An execution as the venue reports it: keel's Fill before keel records how it learned of it.
 * `comboExecId` is shared by every leg of one combo execution, null for a single-leg order.
 */
export type VenueFill = Omit<Fill, 'provenance' | 'venueOrderId'> & { readonly venueOrderId: VenueOrderId };

export type VenueEvent =
  | {
      readonly type: 'accepted';
      readonly t: number;
      readonly clientOrderId: ClientOrderId;
      readonly venueOrderId: VenueOrderId;
      /** The venue's id of the order this one is attached to (bracket / OCO children). */
      readonly parentVenueOrderId?: VenueOrderId | null;
    }
  | {
      readonly type: 'rejected';
      readonly t: number;
      readonly clientOrderId: ClientOrderId;
      readonly venueOrderId: VenueOrderId | null;
      readonly reason: RejectReason;
      /** The venue's own code and text, kept for the operator and the journal. */
      readonly code: number;
      readonly message: string;
    }
  | { readonly type: 'fill'; readonly t: number; readonly fill: VenueFill }
  | {
      readonly type: 'cancelled';
      readonly t: number;
      readonly clientOrderId: ClientOrderId;
      readonly venueOrderId: VenueOrderId | null;
      readonly remainingQty: number;
      readonly reason: CancelReason;
      /** The venue's own words ("end of day", "OCO sibling filled"). */
      readonly detail: string;
    }
  | {
      readonly type: 'cancelRejected';
      readonly t: number;
      readonly clientOrderId: ClientOrderId;
      readonly reason: CancelRejectReason;
      readonly detail: string;
    }
  | {
      readonly type: 'position';
      readonly t: number;
      readonly instrumentId: InstrumentId;
      readonly qty: number;
      readonly avgPrice: number;
      /** Futures venues give the open position its own id (BingX): keel keeps it with the group. */
      readonly venuePositionId?: VenuePositionId | null;
    }
  | {
      readonly type: 'settlement';
      readonly t: number;
      readonly instrumentId: InstrumentId;
      readonly qty: number;
      readonly price: number;
    }
  | {
      readonly type: 'connection';
      readonly t: number;
      readonly up: boolean;
      /**
       * On `up`: whether the venue says what was said while down is lost (IB 1101) or kept
       * (IB 1102). keel reconciles on every reconnect either way.
       */
      readonly dataLost?: boolean;
    };

export type VenueListener = (event: VenueEvent) => void;

/** A value now (a local cache, the simulator) or later (a broker round trip). */
export type MaybePromise<T> = T | Promise<T>;

export type VenueOrderStatus = {
  readonly clientOrderId: ClientOrderId | null;
  readonly venueOrderId: VenueOrderId;
  readonly spec: OrderSpec | null;
  readonly status: 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  readonly filledQty: number;
  readonly remainingQty: number;
  /** Bracket / OCO children name their parent. */
  readonly parentVenueOrderId?: VenueOrderId | null;
  /** Average price of what filled, as the venue's order record says (null: nothing filled). */
  readonly avgFillPrice?: number | null;
};

/**
 * An execution from the venue's trade history. Trade records may lack keel's client order id
 * (ccxt trades carry only the venue order id) and the position id (BingX): matching falls back
 * to the next key in the order of trust.
 */
export type VenueExecution = Omit<VenueFill, 'clientOrderId'> & {
  readonly clientOrderId: ClientOrderId | null;
};

export type VenuePosition = {
  readonly instrumentId: InstrumentId;
  readonly qty: number;
  readonly avgPrice: number;
  readonly venuePositionId: VenuePositionId | null;
};

export type VenueSettlement = {
  readonly instrumentId: InstrumentId;
  readonly qty: number;
  readonly price: number;
  readonly t: number;
};

/** A closed position as the venue's position history keeps it: no order ids (BingX). */
export type VenuePositionHistoryRecord = {
  readonly venuePositionId: VenuePositionId;
  readonly instrumentId: InstrumentId;
  /** Absolute quantity; `side` says which way (absent: unknown, matched on both). */
  readonly qty: number;
  readonly side?: 'LONG' | 'SHORT';
  /** Commission and funding over the position's life, when the venue reports them apart. */
  readonly commission?: Micros;
  readonly funding?: Micros;
  readonly avgPrice: number;
  readonly avgClosePrice: number;
  readonly realisedPnl: Micros;
  readonly netPnl: Micros;
  readonly openedAt: number;
  readonly closedAt: number;
};

/** What reconciliation asks for: executions since keel's last checkpoint (null: all kept). */
export type SnapshotRequest = { readonly executionsSince: number | null };

/** Everything reconciliation reads in one consistent view. */
export type VenueSnapshot = {
  readonly t: number;
  readonly orders: readonly VenueOrderStatus[];
  readonly positions: readonly VenuePosition[];
  readonly executions: readonly VenueExecution[];
  readonly settlements: readonly VenueSettlement[];
  readonly positionHistory: readonly VenuePositionHistoryRecord[];
};

export type Quote = {
  readonly bid: number;
  readonly ask: number;
  readonly mid: number;
  readonly t: number;
  /** A broker's delayed quote (IB without a subscription, 15 minutes or more late): shown as such. */
  readonly delayed?: boolean;
};

/**
 * The latest prices the venue has pushed: a local book, read synchronously. A network adapter
 * fills it from its quote stream for the instruments keel watches; null until a price arrived.
 */
export interface QuoteBook {
  spot(symbol: string): number | null;
  quote(instrumentId: InstrumentId): Quote | null;
}

/** What a strategy reads: the quote book, and option chains as far as they are resolved. */
export interface MarketData extends QuoteBook {
  /** Option instruments listed for an underlying and expiry, by strike ([] while still resolving). */
  optionChain(symbol: string, expiry: string): readonly Instrument[];
}

export type ResolveResult = { ok: true; instrument: Instrument } | { ok: false; reason: string };

export interface Venue {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  readonly market: QuoteBook;
  /** Opens the session (socket, stream, login); resolves once the venue accepts requests. */
  connect(): Promise<void>;
  /** Ends the session; no events are pushed after it resolves. */
  close(): Promise<void>;
  /** The one listener of everything the venue says; returns the unsubscribe. */
  subscribe(listener: VenueListener): () => void;
  /** Instrument lookups may need a broker round trip; the engine caches them per session. */
  resolveInstrument(terms: InstrumentTerms): MaybePromise<ResolveResult>;
  instrument(id: InstrumentId): MaybePromise<Instrument | null>;
  /** Options listed for an underlying and local expiry date, by strike. */
  optionChain(symbol: string, expiry: string): MaybePromise<readonly Instrument[]>;
  /** Keep quotes of these instruments flowing into the quote book (idempotent). */
  watch(instrumentIds: readonly InstrumentId[]): void;
  /**
   * Sends an order; its fate arrives as events. Never throws for a venue-side refusal. While the
   * link is down the answer is `rejected` with reason `notSent` and no venue order id, delivered
   * later, never inside the call.
   */
  submit(order: OrderSpec): void;
  /** While the link is down the answer is `cancelRejected` with reason `notSent`, delivered later. */
  cancel(clientOrderId: ClientOrderId): void;
  /**
   * Open orders, positions, executions (at or after `executionsSince`), settlements and position
   * history, for reconciliation. A view it cannot get whole (the link is down) is a rejection,
   * never an empty or stale snapshot.
   */
  snapshot(request?: SnapshotRequest): Promise<VenueSnapshot>;
  isConnected(): boolean;
  /**
   * A venue whose order ids are a sequence keel allocates and must never reuse, even after the
   * broker resets its own (TWS): at every start the engine hands back the last id its journal
   * holds, and journals each id the venue reports taken before that order goes out (the report is
   * synchronous, inside `submit`). Venues that name orders themselves leave it out.
   */
  readonly orderSequence?: OrderSequence;
}

export interface OrderSequence {
  /** Ids start above `last`; `onTaken` (replacing any earlier listener) hears every id taken. */
  resume(last: number | null, onTaken: (id: number) => void): void;
}
