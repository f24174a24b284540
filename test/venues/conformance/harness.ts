// What a venue under test gives the conformance suite (suite.ts): the Venue client itself, the
// instruments it lists for the suite, and the controls the suite needs to make the venue's side
// happen on cue: time passing, prices moving, the counterparty misbehaving on the next order, the
// link dropping, the session ending, the client restarting. The simulated venue drives these from
// its event queue and fault plan; a broker adapter drives them through its loopback fake.
import type { InstrumentId, InstrumentTerms } from '../../../src/domain';
import type { Venue } from '../../../src/venues/venue';

/** What the venue lists for the suite; null where it has no such product (those cases skip). */
export type HarnessProducts = {
  /** A stock or ETF: the single-leg cases trade it when the venue has one. */
  readonly equity: InstrumentTerms | null;
  /**
   * An underlying and expiry whose chain lists at least `comboLegsMax + 1` calls, for the combo
   * cases (a combo over the leg limit needs that many distinct legs).
   */
  readonly optionChain: { readonly symbol: string; readonly expiry: string } | null;
  /** A dated future or a perpetual: the single-leg cases trade it when there is no equity. */
  readonly future: InstrumentTerms | null;
};

/** What the venue does to the next order keel sends (one order; the control is then spent). */
export type NextOrderFault =
  /** Refused by the venue with its own code and text. */
  | { readonly kind: 'reject'; readonly code: number; readonly message: string }
  /**
   * Fills `fraction` of the order (rounded down to the lot, at least one lot) when it is marketable;
   * the rest after `restAfterMs` whatever the price (null: when it is marketable again).
   */
  | { readonly kind: 'partialFill'; readonly fraction: number; readonly restAfterMs: number | null }
  /** Its first execution is reported twice, with the same exec id. */
  | { readonly kind: 'duplicateFill' }
  /** Accepted, then filled only after `delayMs` (a stale pending order), whatever the price. */
  | { readonly kind: 'delayFill'; readonly delayMs: number };

export type NextOrderFaultKind = NextOrderFault['kind'];

/** Controls a harness may lack; the cases that need one skip, naming it. */
export type HarnessControl = NextOrderFaultKind | 'disconnect' | 'sessionEnd' | 'restart';

export interface VenueHarness {
  /** The client under test; after `restart()` the new one. Not yet connected or subscribed. */
  readonly venue: Venue;
  readonly products: HarnessProducts;
  /** Open positions carry the venue's own position id (BingX), distinct from any order id. */
  readonly positionIds: boolean;
  /** The controls this harness implements. */
  readonly controls: ReadonlySet<HarnessControl>;
  /** Lets `ms` of venue time pass and everything due in it arrive at the client. */
  advance(ms: number): Promise<void>;
  /** Sets an instrument's quote; resting orders meet it on the next `advance`. */
  setQuote(instrumentId: InstrumentId, quote: { readonly bid: number; readonly ask: number }): Promise<void>;
  /** Arms a fault for the next order that reaches the venue. */
  nextOrder(fault: NextOrderFault): void;
  /** The link drops now and comes back once `downMs` of venue time has passed. */
  disconnect(downMs: number): Promise<void>;
  /** The trading session ends now: DAY orders expire. */
  endSession(): Promise<void>;
  /**
   * Closes the current client and gives a fresh one to the same venue state (a process restart
   * while orders work). The new client is not yet connected or subscribed.
   */
  restart(): Promise<Venue>;
  /** Closes the client and whatever the harness runs (a loopback fake). */
  close(): Promise<void>;
}

export type MakeHarness = () => Promise<VenueHarness>;
