// Matching by characteristics: the last key in the order of trust, used only when no id links a
// venue record to keel (a position closed before keel captured its id; a trade record without
// order ids). Pure. A match needs exactly one candidate and says how sure it is; two candidates
// are ambiguous and match nothing (an open discrepancy, never a guess).
//
// Invariants: the result depends only on the inputs (never on their order); a candidate on the
// wrong instrument or side, or with another quantity, never matches; confidence is in
// [confidenceMin, 1] and falls as price and time move apart.
import {
  qtySub,
  type ClientOrderId,
  type GroupId,
  type InstrumentId,
  type OrderType,
  type Side,
} from '../../domain';

/** A closed position's average open price may differ from keel's entry by this fraction. */
export const priceTolerancePct = 0.002;
/** ... and its open time from the group's by this much. */
export const timeWindowMs = 15 * 60_000;
export const confidenceMin = 0.5;

export type MatchOutcome<Id> =
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly ids: readonly Id[] }
  | { readonly kind: 'match'; readonly id: Id; readonly confidence: number; readonly detail: string };

export type PositionSide = 'LONG' | 'SHORT';

export type ClosedPositionFacts = {
  readonly instrumentId: InstrumentId;
  readonly side: PositionSide | null;
  readonly qty: number;
  readonly avgPrice: number;
  readonly openedAt: number;
};

export type GroupCandidate = {
  readonly groupId: GroupId;
  readonly instrumentId: InstrumentId;
  readonly side: PositionSide;
  readonly qty: number;
  /** Average entry price of the group's opening fills; null when it has none. */
  readonly avgPrice: number | null;
  readonly openedAt: number;
};

/** Which of keel's groups a closed position in the venue's history was. */
export function matchClosedPosition(
  candidates: readonly GroupCandidate[],
  record: ClosedPositionFacts,
  lot: number,
): MatchOutcome<GroupId> {
  const scored = candidates
    .map((c) => ({ c, score: scoreClosedPosition(c, record, lot) }))
    .filter(
      (x): x is { c: GroupCandidate; score: { confidence: number; detail: string } } => x.score !== null,
    )
    .sort((a, b) => (a.c.groupId < b.c.groupId ? -1 : 1));
  return pick(scored.map((x) => ({ id: x.c.groupId, ...x.score })));
}

export function scoreClosedPosition(
  c: GroupCandidate,
  r: ClosedPositionFacts,
  lot: number,
): { confidence: number; detail: string } | null {
  if (c.instrumentId !== r.instrumentId || c.avgPrice === null || !(c.avgPrice > 0)) return null;
  if (r.side !== null && r.side !== c.side) return null;
  if (Math.abs(qtySub(c.qty, r.qty)) >= lot / 2) return null;
  const priceOff = Math.abs(r.avgPrice - c.avgPrice) / c.avgPrice;
  const timeOff = Math.abs(r.openedAt - c.openedAt);
  if (priceOff > priceTolerancePct || timeOff > timeWindowMs) return null;
  const sideFactor = r.side === null ? 0.9 : 1;
  const confidence = round3(
    sideFactor * (1 - 0.25 * (priceOff / priceTolerancePct) - 0.25 * (timeOff / timeWindowMs)),
  );
  const detail =
    `${r.side ?? 'side unknown'} ${r.qty} opened at ${r.avgPrice} vs ${c.groupId} ${c.side} ${c.qty} at ${round6(c.avgPrice)}: ` +
    `price ${(priceOff * 100).toFixed(3)}% apart, opened ${Math.round(timeOff / 1000)}s apart`;
  return { confidence, detail };
}

export type ExecutionFacts = {
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly t: number;
};

export type OrderCandidate = {
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: Side;
  /** Quantity of the leg not yet filled in keel's books. */
  readonly remainingQty: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  /** Stop or take-profit trigger (STP, STP_LMT, MIT); null for others. */
  readonly triggerPrice: number | null;
  readonly createdAt: number;
};

/** Which of keel's working orders an execution without ids belongs to. */
export function matchExecution(
  candidates: readonly OrderCandidate[],
  x: ExecutionFacts,
  tick: number,
): MatchOutcome<ClientOrderId> {
  const scored = candidates
    .map((c) => ({ c, score: scoreExecution(c, x, tick) }))
    .filter(
      (s): s is { c: OrderCandidate; score: { confidence: number; detail: string } } => s.score !== null,
    )
    .sort((a, b) => (a.c.clientOrderId < b.c.clientOrderId ? -1 : 1));
  return pick(scored.map((s) => ({ id: s.c.clientOrderId, ...s.score })));
}

export function scoreExecution(
  c: OrderCandidate,
  x: ExecutionFacts,
  tick: number,
): { confidence: number; detail: string } | null {
  if (c.instrumentId !== x.instrumentId || c.side !== x.side) return null;
  if (qtySub(c.remainingQty, x.qty) < 0 || x.t < c.createdAt) return null;
  if (c.type === 'LMT' && c.limitPrice !== null) {
    const within = x.side === 'BUY' ? x.price <= c.limitPrice + tick / 2 : x.price >= c.limitPrice - tick / 2;
    if (!within) return null;
  }
  if (c.triggerPrice !== null && !triggerFits(c.type, c.triggerPrice, x)) return null;
  const confidence = qtySub(c.remainingQty, x.qty) === 0 ? 0.9 : 0.7;
  const detail = `${x.side} ${x.qty} @ ${x.price} fits ${c.clientOrderId} (${c.type}${c.limitPrice === null ? '' : ` ${c.limitPrice}`}, ${c.remainingQty} open)`;
  return { confidence, detail };
}

/**
 * A triggered order fills near or past its trigger: a sell stop at or below it, a sell
 * take-profit (MIT) at or above it; a buy mirrors. The market may slip the fill a little back.
 */
function triggerFits(type: OrderType, trigger: number, x: ExecutionFacts): boolean {
  const slack = trigger * priceTolerancePct;
  const atOrBelow = x.price <= trigger + slack;
  const atOrAbove = x.price >= trigger - slack;
  const sell = x.side === 'SELL';
  if (type === 'MIT') return sell ? atOrAbove : atOrBelow;
  return sell ? atOrBelow : atOrAbove;
}

function pick<Id>(scored: { id: Id; confidence: number; detail: string }[]): MatchOutcome<Id> {
  const usable = scored.filter((s) => s.confidence >= confidenceMin);
  if (usable.length === 0) return { kind: 'none' };
  if (usable.length > 1) return { kind: 'ambiguous', ids: usable.map((s) => s.id) };
  const only = usable[0] as { id: Id; confidence: number; detail: string };
  return { kind: 'match', id: only.id, confidence: only.confidence, detail: only.detail };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
