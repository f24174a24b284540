// Runs every invariant over one run's venue log and report, and says the verdict.
import { checkConverged } from './converged';
import { checkDefinedRisk } from './defined-risk';
import { checkDuplicateClientOrderIds } from './duplicate-client-order-id';
import { checkExecIds } from './exec-ids';
import { checkForeignUntouched } from './foreign-untouched';
import { replay } from './ledger';
import { checkNoFlip } from './no-flip';
import { checkPnl } from './pnl-mismatch';
import { indexReport } from './report-index';
import { checkScenario } from './scenario';
import { checkSeq } from './seq';
import { checkTradingState } from './trading-state';
import { invariantCodes, type CheckInput, type CheckResult, type CheckStats, type Violation } from './types';
import { checkUnknownOrders } from './unknown-order';

export type CheckOptions = {
  /** Also judge convergence (checkConverged): for a finished run, not a log cut mid-session. */
  readonly converged?: boolean;
};

/** Every invariant that holds at every line of a run; one pure function each. */
export const invariants: readonly ((input: CheckInput) => Violation[])[] = [
  checkSeq,
  checkExecIds,
  checkUnknownOrders,
  checkDuplicateClientOrderIds,
  checkTradingState,
  checkForeignUntouched,
  checkNoFlip,
  checkDefinedRisk,
  checkPnl,
  checkScenario,
];

export function check(input: CheckInput, options: CheckOptions = {}): CheckResult {
  const found = invariants.flatMap((invariant) => invariant(input));
  if (options.converged === true) found.push(...checkConverged(input));
  const violations = sortViolations(found);
  return { ok: violations.length === 0, violations, stats: stats(input) };
}

/** In log order; report-wide facts (no seq) last; one seq's violations in invariant order. */
export function sortViolations(violations: readonly Violation[]): Violation[] {
  const rank = (v: Violation) => invariantCodes.indexOf(v.invariant);
  return [...violations].sort(
    (a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || rank(a) - rank(b),
  );
}

function stats(input: CheckInput): CheckStats {
  const keelOrders = new Set<string>();
  let keelFills = 0;
  let externalFills = 0;
  replay(input.lines, indexReport(input.report), (effect) => {
    if (effect.kind === 'order' && effect.order.line.origin === 'keel')
      keelOrders.add(effect.order.line.venueOrderId);
    if (effect.kind === 'fill') {
      if (effect.owner === 'keel') keelFills += 1;
      else externalFills += 1;
    }
  });
  return { lines: input.lines.length, keelOrders: keelOrders.size, keelFills, externalFills };
}

export function formatVerdict(result: CheckResult): string {
  const { stats: s, violations } = result;
  const counts = `${plural(s.keelOrders, 'keel order')}, ${plural(s.keelFills, 'keel fill')}, ${plural(s.externalFills, 'external fill')}`;
  const head = `checker: ${plural(violations.length, 'violation')} over ${plural(s.lines, 'venue event')} (${counts})`;
  if (violations.length === 0) return head;
  const rows = violations.map((v) => [
    v.seq === null ? '-' : String(v.seq),
    v.invariant,
    v.t ?? '-',
    v.message,
  ]);
  const table = [['seq', 'invariant', 't', 'message'], ...rows];
  const widths = [0, 1, 2].map((col) => Math.max(...table.map((row) => (row[col] ?? '').length)));
  const lines = table.map((row) =>
    [
      row[0]?.padStart(widths[0] ?? 0),
      row[1]?.padEnd(widths[1] ?? 0),
      row[2]?.padEnd(widths[2] ?? 0),
      row[3],
    ].join('  '),
  );
  return [head, ...lines.map((l) => `  ${l}`)].join('\n');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
