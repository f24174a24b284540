// How faults plug into the simulated venue: the venue asks its fault plan about every order it
// receives and every fill it reports. The scenario's fault list (src/sim) implements this.
import type { OrderIntentKind, Side } from '../../domain';
import type { Instrument } from '../../domain';

export type IncomingOrder = {
  readonly origin: 'keel' | 'external';
  readonly combo: boolean;
  readonly legs: readonly { instrument: Instrument; side: Side; ratio: number }[];
  readonly t: number;
  /** keel's intent when the venue can tell it (reduce-only closes); null otherwise. */
  readonly intentHint: OrderIntentKind | null;
};

export type OrderFault =
  | { readonly kind: 'none' }
  | { readonly kind: 'reject'; readonly code: number; readonly message: string }
  | { readonly kind: 'partialFill'; readonly fraction: number; readonly restDelaySec: number | null }
  | { readonly kind: 'delayFill'; readonly delaySec: number };

export interface VenueFaultPlan {
  onOrder(order: IncomingOrder): OrderFault;
  /** True when the next fill report must be sent twice (same exec id). Consumed when true. */
  takeDuplicateFill(t: number): boolean;
}

export const noFaults: VenueFaultPlan = {
  onOrder: () => ({ kind: 'none' }),
  takeDuplicateFill: () => false,
};
