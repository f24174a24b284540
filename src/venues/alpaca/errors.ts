// What an Alpaca REST failure means for an order: refused (with keel's typed reason and Alpaca's
// own code and text), or ambiguous (429, 5xx, a timeout, a broken or malformed answer: the order
// may or may not be at Alpaca, so it is looked up by client order id before anything is resent).
import { errors } from '@alpacahq/alpaca-trade-api';
import type { RejectReason } from '../venue';

export type FailureMeaning =
  | {
      readonly kind: 'refused';
      readonly reason: RejectReason;
      readonly code: number;
      readonly message: string;
    }
  | { readonly kind: 'notFound'; readonly code: number; readonly message: string }
  | { readonly kind: 'notWorking'; readonly code: number; readonly message: string }
  | { readonly kind: 'ambiguous'; readonly why: string; readonly retryAfterMs: number | null };

/** Alpaca's error codes keel reads (the body's `code`). */
export const alpacaCodes = {
  /** 422 / 400: a field is wrong, including a client_order_id used before. */
  invalidRequest: 40010001,
  forbidden: 40310000,
  notFound: 40410000,
  unprocessable: 42210000,
  rateLimited: 42910000,
} as const;

export function meaningOfFailure(e: unknown): FailureMeaning {
  if (e instanceof errors.ApiError) {
    const code = typeof e.code === 'number' ? e.code : Number(e.code ?? e.status);
    const message = e.message;
    const known = Number.isInteger(code) ? code : e.status;
    if (e.status === 429 || e.status === 408 || e.status >= 500)
      return { kind: 'ambiguous', why: `HTTP ${e.status} ${message}`, retryAfterMs: e.retryAfterMs ?? null };
    if (e.status === 404) return { kind: 'notFound', code: known, message };
    return { kind: 'refused', reason: reasonOf(e.status, known, message), code: known, message };
  }
  if (e instanceof errors.FetchError)
    return { kind: 'ambiguous', why: `no answer (${e.cause?.message ?? e.message})`, retryAfterMs: null };
  if (e instanceof SyntaxError)
    return { kind: 'ambiguous', why: `a malformed answer (${e.message})`, retryAfterMs: null };
  return { kind: 'ambiguous', why: e instanceof Error ? e.message : String(e), retryAfterMs: null };
}

/** Alpaca's refusal of an order in keel's words. */
export function reasonOf(status: number, code: number, message: string): RejectReason {
  const text = message.toLowerCase();
  if (text.includes('client_order_id') && (text.includes('unique') || text.includes('duplicate')))
    return 'duplicateId';
  if (text.includes('sub-penny') || text.includes('price increment') || text.includes('tick size'))
    return 'offTick';
  if (text.includes('fractional') || text.includes('whole number') || text.includes('qty must be integer'))
    return 'offLot';
  if (/asset .*(not found|not tradable|is not active)|invalid symbol|could not find asset/.test(text))
    return 'unknownInstrument';
  if (text.includes('not supported') || text.includes('unsupported')) return 'unsupported';
  void status;
  void code;
  return 'refused';
}

/** A cancel Alpaca refused: 422 "order is already in "filled" state" means it is no longer working. */
export function meaningOfCancelFailure(e: unknown): FailureMeaning {
  const m = meaningOfFailure(e);
  if (m.kind === 'refused') return { kind: 'notWorking', code: m.code, message: m.message };
  return m;
}
