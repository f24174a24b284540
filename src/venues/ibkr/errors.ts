// IB error codes -> what keel does with them. TWS sends an error message for everything from a
// rejected order to "market data farm OK"; the adapter must never drop one it does not know (the
// 2026-02-13 cascade read 201 and 10349 as noise and kept sending), so every code lands here: a
// typed rejection, a cancel refusal, a connectivity change, an informational notice, or `unknown`
// (logged with its order, the order left as it was).
import type { CancelRejectReason, RejectReason } from '../venue';

export type IbErrorMeaning =
  /** The order was not accepted. */
  | { readonly kind: 'reject'; readonly reason: RejectReason }
  /** The order was cancelled (202); its final status follows. */
  | { readonly kind: 'orderCancelled' }
  /** A cancel request did not take effect. */
  | { readonly kind: 'cancelReject'; readonly reason: CancelRejectReason }
  /** 1100: TWS lost its link to IB: orders cannot be sent, nothing is reported until 1101/1102. */
  | { readonly kind: 'linkDown' }
  /** 1101: restored, data lost (market data must be asked for again); 1102: restored, data kept. */
  | { readonly kind: 'linkUp'; readonly dataLost: boolean }
  /** The client library could not read a message: something may be missing, keel re-reads the venue. */
  | { readonly kind: 'undecodable' }
  /** The socket or handshake failed (connect refused, version unsupported, client id in use). */
  | { readonly kind: 'session'; readonly detail: string }
  /** Informational: the order (if any) is unaffected and may still fill (10349: TIF set to DAY by preset). */
  | { readonly kind: 'info' }
  | { readonly kind: 'unknown' };

/** Codes that say the order is not at the venue. */
const rejectCodes: ReadonlyMap<number, RejectReason> = new Map<number, RejectReason>([
  [103, 'duplicateId'], // duplicate order id
  [110, 'offTick'], // the price does not conform to the minimum price variation
  [200, 'unknownInstrument'], // no security definition found
  [201, 'refused'], // order rejected (permissions, margin, combo refused, ...)
  [203, 'refused'], // the security is not available or allowed for this account
  [321, 'refused'], // error validating request
  [322, 'refused'], // error processing request
  [382, 'refused'], // a field is too long
  [383, 'offLot'], // size violation
  [387, 'unsupported'], // unsupported order type for this exchange / security
  [1100, 'notSent'], // reported on an order sent while TWS was cut off from IB
]);

const cancelRejectCodes: ReadonlyMap<number, CancelRejectReason> = new Map<number, CancelRejectReason>([
  [10147, 'unknownOrder'], // the order to cancel is not found
  [135, 'unknownOrder'], // can't find order with id
  [10148, 'notWorking'], // cannot be cancelled, state: Filled
  [161, 'notWorking'], // cancel attempted when the order is not in a cancellable state
  [10149, 'refused'], // invalid order id to cancel
]);

/** Codes the client library itself raises (@stoqey/ib ErrorCode). */
const sessionCodes: ReadonlyMap<number, string> = new Map([
  [326, 'the client id is already in use at this TWS / Gateway'],
  [502, 'could not connect to TWS / Gateway (is the API socket enabled, the port right?)'],
  [503, 'TWS / Gateway is out of date'],
  [504, 'not connected'],
  [506, 'TWS / Gateway speaks a server version the client library does not support'],
  [507, 'bad message length'],
]);

/**
 * What an error code means where it was sent: to the session (id -1), about an order keel placed,
 * or about an order keel has a cancel in flight for (1100 on an order: that request never left).
 */
export function meaningOf(code: number, scope: 'session' | 'order' | 'cancel' = 'session'): IbErrorMeaning {
  if (code === 1100 && scope === 'session') return { kind: 'linkDown' };
  if (code === 1100 && scope === 'cancel') return { kind: 'cancelReject', reason: 'notSent' };
  if (code === 1101 || code === 1102) return { kind: 'linkUp', dataLost: code === 1101 };
  if (code === 202) return { kind: 'orderCancelled' };
  if (code === 505) return { kind: 'undecodable' };
  const session = sessionCodes.get(code);
  if (session !== undefined) return { kind: 'session', detail: session };
  const cancel = cancelRejectCodes.get(code);
  if (cancel !== undefined && scope !== 'order') return { kind: 'cancelReject', reason: cancel };
  const reject = rejectCodes.get(code);
  if (reject !== undefined) return { kind: 'reject', reason: reject };
  if (code === 10349 || code === 399 || code === 404 || (code >= 2100 && code <= 2999))
    return { kind: 'info' };
  return { kind: 'unknown' };
}

/** Words in a 202's text or a status' whyHeld that say the order ran out of time. */
export function isExpiry(detail: string): boolean {
  return /expir|end of day|day order|good.?till/i.test(detail);
}
