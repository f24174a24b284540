// What a ccxt failure means for keel, by ccxt's error classes (never by the exchange's text alone):
// refused (with keel's typed reason and the exchange's own code and text), not found, or of unknown
// fate (no answer, a timeout, a rate limit, a malformed answer: an order may or may not be at the
// exchange, so it is looked up by client order id before anything is sent again). Whether the link
// counts as down is said apart: a connection that got no answer at all, not a busy exchange.
import {
  BadResponse,
  BadSymbol,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  InsufficientFunds,
  InvalidOrder,
  NetworkError,
  OperationFailed,
  OrderNotFound,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import type { RejectReason } from '../venue';

export type FailureMeaning =
  | {
      readonly kind: 'refused';
      readonly reason: RejectReason;
      readonly code: number;
      readonly message: string;
      /** The ccxt class that said it (InsufficientFunds, InvalidOrder, ...), for the log. */
      readonly errorClass: string;
    }
  | { readonly kind: 'notFound'; readonly code: number; readonly message: string }
  | {
      readonly kind: 'unknownFate';
      readonly why: string;
      /** No answer at all (a reset, a refused connection, a timeout): the link is taken as down. */
      readonly linkDown: boolean;
      /** A rate limit: wait longer before the lookup. */
      readonly rateLimited: boolean;
    };

/** The exchange's `{code, msg}` out of ccxt's message (`bingx {"code":80016,"msg":"..."}`). */
export function exchangeCodeOf(e: Error): { code: number; message: string } | null {
  const at = e.message.indexOf('{');
  if (at < 0) return null;
  try {
    const body: unknown = JSON.parse(e.message.slice(at));
    if (typeof body !== 'object' || body === null) return null;
    const code = Number((body as Record<string, unknown>)['code']);
    const msg = (body as Record<string, unknown>)['msg'];
    if (!Number.isInteger(code)) return null;
    return { code, message: typeof msg === 'string' && msg !== '' ? msg : `code ${code}` };
  } catch {
    return null;
  }
}

export function meaningOfFailure(e: unknown): FailureMeaning {
  if (!(e instanceof Error))
    return { kind: 'unknownFate', why: String(e), linkDown: false, rateLimited: false };
  const name = e.constructor.name;
  // Order matters: the subclasses before their parents.
  if (e instanceof RateLimitExceeded || e instanceof DDoSProtection)
    return { kind: 'unknownFate', why: `rate limited (${name})`, linkDown: false, rateLimited: true };
  if (e instanceof RequestTimeout)
    return { kind: 'unknownFate', why: `no answer in time (${name})`, linkDown: true, rateLimited: false };
  if (e instanceof NetworkError)
    return {
      kind: 'unknownFate',
      why: `no answer (${name}: ${short(e)})`,
      linkDown: true,
      rateLimited: false,
    };
  if (e instanceof BadResponse)
    return {
      kind: 'unknownFate',
      why: `a malformed answer (${short(e)})`,
      linkDown: false,
      rateLimited: false,
    };
  if (e instanceof OperationFailed)
    return { kind: 'unknownFate', why: `the exchange is busy (${name})`, linkDown: false, rateLimited: true };
  const said = exchangeCodeOf(e) ?? { code: 0, message: short(e) };
  if (e instanceof OrderNotFound) return { kind: 'notFound', ...said };
  if (e instanceof ExchangeError)
    return { kind: 'refused', reason: reasonOf(e, said.message), ...said, errorClass: name };
  return { kind: 'unknownFate', why: `${name}: ${short(e)}`, linkDown: false, rateLimited: false };
}

/** The exchange's refusal of an order in keel's words. */
function reasonOf(e: ExchangeError, message: string): RejectReason {
  const text = message.toLowerCase();
  if (e instanceof DuplicateOrderId || /clientorderid.*(exist|duplicat|repeat)/.test(text))
    return 'duplicateId';
  if (e instanceof BadSymbol) return 'unknownInstrument';
  if (e instanceof InsufficientFunds) return 'refused';
  if (e instanceof InvalidOrder) return /tick|price precision/.test(text) ? 'offTick' : 'refused';
  return 'refused';
}

function short(e: Error): string {
  const text = withoutListenKey(e.message);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * A text for the log without the listenKey: ccxt names the websocket's url in its timeouts
 * (`Connection to wss://...?listenKey=... failed`), and a listenKey opens the account's private
 * stream to whoever holds it, as the keys do.
 */
export function withoutListenKey(text: string): string {
  return text.replace(/(listenKey=)[^&\s'"]+/g, '$1(hidden)');
}
