// `no-flip`: a keel close / reduce / protect fill only moves owned quantity toward zero, never past
// it and never away from it (the cascade's partial and stale close fills flipped a long 671P short).
// Judged per group (the group's own net from its fills) and per instrument (keel's whole
// quantity). The per-instrument judgement is skipped while another group also holds the
// instrument: there one group's close legitimately moves keel's net across zero.
import { qtyAdd } from '../../domain';
import { otherGroupHolds, replay, type FillEffect, type Ledger } from './ledger';
import { describeRecord, fmtQty, indexReport, isReducingOrder, type ReportIndex } from './report-index';
import { violation, type CheckInput, type Violation } from './types';

export function checkNoFlip(input: CheckInput): Violation[] {
  const found: Violation[] = [];
  const index = indexReport(input.report);
  replay(input.lines, index, (effect, _line, ledger) => {
    if (effect.kind !== 'fill' || effect.owner !== 'keel' || !isReducingFill(effect, index)) return;
    const problem = flipProblem(effect, ledger);
    if (problem !== null) found.push(violation('no-flip', effect.fill, problem));
  });
  return found;
}

function isReducingFill(effect: FillEffect, index: ReportIndex): boolean {
  if (effect.order !== null) return isReducingOrder(effect.order.line, index);
  const intent =
    effect.clientOrderId === null ? undefined : index.intentByClientOrderId.get(effect.clientOrderId);
  return intent === 'close' || intent === 'reduce' || intent === 'protect';
}

function flipProblem(effect: FillEffect, ledger: Ledger): string | null {
  const { fill } = effect;
  const what =
    `reducing fill ${fill.execId} of order ${fill.venueOrderId} (${effect.clientOrderId ?? 'no client id'}): ` +
    `${fill.side} ${fill.qty} ${describeRecord(fill.instrument)}`;
  if (effect.groupId !== null && effect.groupBefore !== null) {
    const after = qtyAdd(effect.groupBefore, effect.delta);
    if (!towardZero(effect.groupBefore, after)) {
      return `${what} takes group ${effect.groupId} from ${fmtQty(effect.groupBefore)} to ${fmtQty(after)}`;
    }
  }
  if (effect.groupId === null || !otherGroupHolds(ledger, fill.instrument.id, effect.groupId)) {
    const after = qtyAdd(effect.keelBefore, effect.delta);
    if (!towardZero(effect.keelBefore, after)) {
      return `${what} takes keel's quantity from ${fmtQty(effect.keelBefore)} to ${fmtQty(after)}`;
    }
  }
  return null;
}

/** Strictly smaller in size and on the same side of zero (or at it). */
export function towardZero(before: number, after: number): boolean {
  return before !== 0 && Math.abs(after) < Math.abs(before) && Math.sign(after) !== -Math.sign(before);
}
