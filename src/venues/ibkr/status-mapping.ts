// IB order statuses -> keel's order events. One pure step per status message: TWS repeats status
// messages freely (the same Submitted twice is one acceptance), `Cancelled` can mean rejected, and
// `PendingSubmit` can sit for minutes and still fill (2026-02-13: stale pending orders kept filling
// after the bot gave up on them) - fills come from executions, never from a status, so a pending
// order that fills late is a fill like any other. A market order may never show `Filled`.
import type { CancelReason } from '../venue';
import { isExpiry } from './errors';

export const ibOrderStatuses = [
  'ApiPending',
  'PendingSubmit',
  'PreSubmitted',
  'Submitted',
  'PendingCancel',
  'Cancelled',
  'ApiCancelled',
  'Filled',
  'Inactive',
] as const;
export type IbOrderStatus = (typeof ibOrderStatuses)[number];

export function parseIbOrderStatus(text: string): IbOrderStatus | null {
  return (ibOrderStatuses as readonly string[]).includes(text) ? (text as IbOrderStatus) : null;
}

export type OrderEnd =
  | { readonly kind: 'filled' }
  | {
      readonly kind: 'cancelled';
      readonly reason: CancelReason;
      readonly detail: string;
      readonly remainingQty: number;
    }
  | { readonly kind: 'rejected'; readonly code: number; readonly message: string };

/** What the adapter knows of one order's life at the venue. */
export type OrderLife = {
  readonly accepted: boolean;
  readonly end: OrderEnd | null;
  readonly cancelRequested: boolean;
  /** The last 201/202-style text TWS sent about it, for the cancel or rejection that follows. */
  readonly lastError: { readonly code: number; readonly message: string } | null;
  readonly status: IbOrderStatus | null;
};

export const newOrderLife: OrderLife = {
  accepted: false,
  end: null,
  cancelRequested: false,
  lastError: null,
  status: null,
};

export type StatusStep = {
  readonly life: OrderLife;
  /** Say `accepted` now. */
  readonly accept: boolean;
  /** Say how the order ended now. */
  readonly ended: OrderEnd | null;
};

/**
 * One status message. `remaining`: what TWS says is left (combo units for a BAG). An order that
 * already ended stays ended: a late duplicate Cancelled changes nothing.
 */
export function onStatus(life: OrderLife, status: IbOrderStatus, remaining: number): StatusStep {
  const same = { life: { ...life, status }, accept: false, ended: null };
  if (life.end !== null) return same;
  switch (status) {
    case 'ApiPending':
    case 'PendingSubmit':
    case 'PendingCancel':
    case 'Inactive': // held or refused: a refusal arrives as its own error; a held order may still work
      return same;
    case 'PreSubmitted':
    case 'Submitted':
    case 'Filled':
      return { life: { ...life, status, accepted: true }, accept: !life.accepted, ended: null };
    case 'Cancelled':
    case 'ApiCancelled': {
      const ended = endOfCancel(life, remaining);
      return { life: { ...life, status, end: ended }, accept: false, ended };
    }
  }
}

function endOfCancel(life: OrderLife, remaining: number): OrderEnd {
  const text = life.lastError?.message ?? '';
  if (!life.accepted && !life.cancelRequested)
    // Cancelled before it ever worked: TWS's way of saying rejected.
    return {
      kind: 'rejected',
      code: life.lastError?.code ?? 202,
      message: text || 'cancelled by the venue before it worked',
    };
  const reason: CancelReason = life.cancelRequested ? 'requested' : isExpiry(text) ? 'expired' : 'venue';
  return { kind: 'cancelled', reason, detail: text || 'cancelled', remainingQty: remaining };
}

/** An error that refuses the order: a rejection if it never ended, else nothing. */
export function onReject(life: OrderLife, code: number, message: string): StatusStep {
  if (life.end !== null) return { life, accept: false, ended: null };
  const ended: OrderEnd = { kind: 'rejected', code, message };
  return { life: { ...life, end: ended, lastError: { code, message } }, accept: false, ended };
}

/** An execution proves the order reached the venue, whatever its status said. */
export function onExecution(life: OrderLife): StatusStep {
  return { life: { ...life, accepted: true }, accept: !life.accepted, ended: null };
}

/** The order filled completely (executions add up to its quantity). */
export function onFilled(life: OrderLife): OrderLife {
  return life.end === null ? { ...life, end: { kind: 'filled' } } : life;
}
