// The order state machine is one table of (state, event) -> state. Anything not listed is refused
// (an InvariantError in tests, a discrepancy live). Rows that look surprising say why.
import { InvariantError } from './assert';

export type OrderState =
  | 'intent'
  | 'submitted'
  | 'working'
  | 'partially_filled'
  | 'filled'
  | 'cancel_pending'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'lost';

export type OrderEvent =
  | 'sent'
  | 'accepted'
  | 'rejected'
  | 'partialFill'
  | 'fill'
  | 'cancelRequested'
  | 'cancelRejected'
  | 'cancelled'
  | 'expired'
  | 'lost';

export const terminalStates: ReadonlySet<OrderState> = new Set([
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'lost',
]);

type Row = Partial<Record<OrderEvent, OrderState>>;

export const orderTransitions: Readonly<Record<OrderState, Row>> = {
  intent: {
    sent: 'submitted',
    rejected: 'rejected', // the venue was unreachable: the order never left keel
    lost: 'lost', // after a crash the venue has never heard of it: resolved, never re-sent
    accepted: 'working', // after a crash the venue has it: adopted by client id
    partialFill: 'partially_filled',
    fill: 'filled',
  },
  submitted: {
    accepted: 'working',
    rejected: 'rejected',
    partialFill: 'partially_filled', // a fill can overtake its ack
    fill: 'filled',
    cancelRequested: 'cancel_pending',
    cancelled: 'cancelled',
    expired: 'expired',
    lost: 'lost',
  },
  working: {
    accepted: 'working', // duplicate status messages are common (IB)
    partialFill: 'partially_filled',
    fill: 'filled',
    cancelRequested: 'cancel_pending',
    cancelled: 'cancelled',
    rejected: 'rejected', // IB reports some rejections as Cancelled after the ack
    expired: 'expired',
    lost: 'lost',
  },
  partially_filled: {
    accepted: 'partially_filled',
    partialFill: 'partially_filled',
    fill: 'filled',
    cancelRequested: 'cancel_pending',
    cancelled: 'cancelled',
    expired: 'expired',
    lost: 'lost',
  },
  cancel_pending: {
    accepted: 'cancel_pending',
    partialFill: 'cancel_pending', // fills keep arriving while a cancel is in flight
    fill: 'filled',
    cancelRejected: 'working', // the order manager restores partially_filled when it has fills
    cancelRequested: 'cancel_pending',
    cancelled: 'cancelled',
    expired: 'expired',
    rejected: 'cancelled',
    lost: 'lost',
  },
  // Terminal states. A fill after a cancel is real life: it is applied and raised as a discrepancy.
  filled: { accepted: 'filled', cancelled: 'filled', expired: 'filled', cancelRejected: 'filled' },
  cancelled: {
    partialFill: 'cancelled',
    fill: 'cancelled',
    cancelled: 'cancelled',
    cancelRejected: 'cancelled',
  },
  rejected: { partialFill: 'rejected', fill: 'rejected', rejected: 'rejected', cancelled: 'rejected' },
  expired: { partialFill: 'expired', fill: 'expired', expired: 'expired', cancelled: 'expired' },
  lost: { accepted: 'working', partialFill: 'partially_filled', fill: 'filled', cancelled: 'cancelled' }, // it existed after all
};

export function nextOrderState(state: OrderState, event: OrderEvent): OrderState {
  const next = orderTransitions[state][event];
  if (next === undefined)
    throw new InvariantError(`order state machine: no transition from '${state}' on '${event}'`);
  return next;
}

export function canTransition(state: OrderState, event: OrderEvent): boolean {
  return orderTransitions[state][event] !== undefined;
}

export function isTerminal(state: OrderState): boolean {
  return terminalStates.has(state);
}

/** Working at the venue (or possibly so): its remaining quantity counts against new orders. */
export function isLive(state: OrderState): boolean {
  return !terminalStates.has(state);
}
