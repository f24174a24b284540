// The checker's vocabulary: what it reads (the venue log and the report, nothing of the engine's
// internals) and what it says (violations with a stable code, the venue line, and the specifics).
import type { Report } from '../../engine/report/report-types';
import type { VenueLogLine } from '../../venues/sim/venue-log';

/** Stable codes, in the order a verdict lists them when two violations share a seq. */
export const invariantCodes = [
  'seq',
  'duplicate-exec-id',
  'unknown-order',
  'duplicate-client-order-id',
  'order-while-halted',
  'order-while-reducing',
  'foreign-untouched',
  'no-flip',
  'defined-risk',
  'pnl-mismatch',
  'scenario-mismatch',
  'order-left-working',
  'closed-group-not-flat',
] as const;

export type InvariantCode = (typeof invariantCodes)[number];

export type Violation = {
  readonly invariant: InvariantCode;
  /** The venue-log line where it happened; null for report-wide facts (totals). */
  readonly seq: number | null;
  readonly t: string | null;
  readonly message: string;
};

export type CheckInput = {
  /** The venue log in seq order. */
  readonly lines: readonly VenueLogLine[];
  readonly report: Report;
  /** What the run was asked to be; when given, the report must say the same. */
  readonly scenario?: { readonly name: string; readonly seed: number };
};

export type CheckStats = {
  readonly lines: number;
  readonly keelOrders: number;
  /** Distinct keel executions (a fill the venue reported twice with one exec id counts once). */
  readonly keelFills: number;
  readonly externalFills: number;
};

export type CheckResult = {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly stats: CheckStats;
};

export type OrderLine = Extract<VenueLogLine, { type: 'order' }>;
export type FillLine = Extract<VenueLogLine, { type: 'fill' }>;
export type SettleLine = Extract<VenueLogLine, { type: 'settle' }>;
export type PositionLine = Extract<VenueLogLine, { type: 'position' }>;

export function violation(
  invariant: InvariantCode,
  at: { readonly seq: number; readonly t: string } | null,
  message: string,
): Violation {
  return { invariant, seq: at === null ? null : at.seq, t: at === null ? null : at.t, message };
}
