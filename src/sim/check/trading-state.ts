// `order-while-halted` / `order-while-reducing`: REDUCING sends only orders that reduce risk
// (close, reduce, protect); HALTED sends only those, and only on instruments where the venue's net
// still contains what keel owns (a halt stops new risk, never the closing of keel's own matched
// quantity). The state timeline is the report's; the orders and quantities are the venue's. An order stamped with the very instant of a state change is judged by the more permissive
// of the states around it: the two logs cannot say which came first within one instant.
import { InvariantError, parseIsoWithOffset } from '../../domain';
import type { ReportTradingState, ReportTradingStateChange } from '../../engine/report/report-types';
import { qtyIn, replay, type Ledger } from './ledger';
import { describeOrder, describeRecord, indexReport } from './report-index';
import { violation, type CheckInput, type OrderLine, type Violation } from './types';

type Change = { readonly epochMs: number; readonly change: ReportTradingStateChange };
type StateInForce = { readonly state: ReportTradingState; readonly since: ReportTradingStateChange | null };

const strictness: Record<ReportTradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export function checkTradingState(input: CheckInput): Violation[] {
  const timeline = parseTimeline(input.report.tradingState);
  const index = indexReport(input.report);
  const found: Violation[] = [];
  replay(input.lines, index, (effect, line, ledger) => {
    if (effect.kind !== 'order' || !effect.first || line.type !== 'order' || line.origin !== 'keel') return;
    const at = parseIsoWithOffset(line.t);
    if (at === null) return; // `seq` reports the malformed time
    const inForce = stateAt(timeline, at.epochMs);
    const intent =
      line.clientOrderId === null ? undefined : index.intentByClientOrderId.get(line.clientOrderId);
    if (inForce.state === 'HALTED') {
      const unmatched = line.legs.find((l) => !venueContainsKeel(ledger, l.instrument.id));
      if (!reducesRisk(line, intent) || unmatched !== undefined)
        found.push(
          violation(
            'order-while-halted',
            line,
            `${describe(line, intent)} sent while HALTED${since(inForce)}${unmatched === undefined ? '' : `: the venue's ${describeRecord(unmatched.instrument)} does not contain what keel owns`}`,
          ),
        );
    } else if (inForce.state === 'REDUCING' && !reducesRisk(line, intent)) {
      found.push(
        violation(
          'order-while-reducing',
          line,
          `${describe(line, intent)} sent while REDUCING${since(inForce)}`,
        ),
      );
    }
  });
  return found;
}

function venueContainsKeel(ledger: Ledger, instrumentId: string): boolean {
  const keel = qtyIn(ledger.keelQty, instrumentId);
  const venue = qtyIn(ledger.venueQty, instrumentId);
  return keel === 0 || (Math.sign(venue) === Math.sign(keel) && Math.abs(venue) >= Math.abs(keel));
}

function reducesRisk(order: OrderLine, intent: string | undefined): boolean {
  if (intent === undefined) return order.reduceOnly;
  return intent === 'close' || intent === 'reduce' || intent === 'protect';
}

function parseTimeline(changes: readonly ReportTradingStateChange[]): Change[] {
  const parsed = changes.map((change) => {
    const at = parseIsoWithOffset(change.t);
    if (!(at !== null))
      throw new InvariantError(`report tradingState time "${change.t}" is not ISO 8601 with an offset`);
    return { epochMs: at.epochMs, change };
  });
  return parsed.sort((a, b) => a.epochMs - b.epochMs); // stable: same-instant changes keep their order
}

/** The state in force at an instant: before the first change keel is ACTIVE. */
function stateAt(timeline: readonly Change[], epochMs: number): StateInForce {
  let before: StateInForce = { state: 'ACTIVE', since: null };
  const candidates: StateInForce[] = [];
  for (const c of timeline) {
    if (c.epochMs < epochMs) before = { state: c.change.state, since: c.change };
    else if (c.epochMs === epochMs) candidates.push({ state: c.change.state, since: c.change });
  }
  candidates.push(before);
  return candidates.reduce((a, b) => (strictness[b.state] < strictness[a.state] ? b : a));
}

function describe(order: OrderLine, intent: string | undefined): string {
  const legs = order.legs
    .map((l) => `${l.side} ${l.ratio * order.qty} ${describeRecord(l.instrument)}`)
    .join(' / ');
  return `keel ${intent ?? 'unknown-intent'} ${describeOrder(order)} [${legs}]`;
}

function since(inForce: StateInForce): string {
  return inForce.since === null ? '' : ` (since ${inForce.since.t}: ${inForce.since.reason})`;
}
