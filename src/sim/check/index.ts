// The invariant checker: the outside referee of keel's safety promises. It reads only what a run
// leaves behind, the venue log (what the simulated venue saw and did) and the report (what the
// engine believes), never the engine's internals, and says which promise broke, where, and how.
//
// Definitions
// - keel orders are `order` lines with origin 'keel'; their fills are the `fill` lines with that
//   venueOrderId. External orders and fills have origin 'external'. Every instrument's `position`
//   lines before keel's first order are foreign holdings: keel starts a sim run with nothing.
// - keel-attributable quantity per instrument: keel's fills (BUY +, SELL -); a `settle` line zeroes
//   the whole venue position, keel's share and the foreign share alike. A group's own quantity is
//   the same sum over the fills of the client order ids the report lists for it. Once an instant's
//   settle lines are in, every option of that expiry the venue nets to zero (keel short 3, an
//   outside long 3: nothing to settle, so no line) has ended too: both shares go to zero.
// - foreign quantity: the venue's net (its last `position` line) minus keel's; tracked on its own as
//   the initial holdings plus external fills, zeroed by settlement.
// - a reducing order: report intent close / reduce / protect, or reduceOnly at the venue.
// - a venue event: one line, except that all fills of one combo execution (one comboExecId) are one
//   event, and so are the settlements stamped with one instant.
// - the venue may report one execution twice (same execId); it counts once.
//
// Invariants (stable codes), one pure `(input) => Violation[]` file each:
//  seq                        seq is 1, 2, 3, ...; t is ISO 8601 with offset and never goes back
//  duplicate-exec-id          a re-reported exec id carries the same execution
//  unknown-order              every keel fill has a keel order line before it; every keel order has
//                             a client id, is in report.orders and in exactly one group
//  duplicate-client-order-id  no two keel order lines share a client order id
//  order-while-halted         while HALTED only close / reduce / protect orders, and only on
//                             instruments whose venue net contains keel's owned quantity
//  order-while-reducing       only close / reduce / protect orders while REDUCING
//  foreign-untouched          (a) venue net = keel + foreign at every position line; (b) a reducing
//                             order targets only quantity its group owns: non-zero, opposite side,
//                             at least its size (reported at the order, even if rejected)
//  no-flip                    a reducing fill moves owned quantity toward zero, never past it, per
//                             group and per instrument
//  defined-risk               after every venue event each short option keel holds is covered by a
//                             long of the same underlying / expiry / right (call: strike >= short,
//                             put: strike <= short), contract for contract; reported once per
//                             uncovered episode, at its first line
//  pnl-mismatch               each group's realized PnL and commissions equal the venue's fills (and
//                             its settlements) by keel's average-cost rule, to the cent; summary
//                             totals equal the groups and keel's fills
//  scenario-mismatch          the report is for the scenario and seed the caller ran
// Convergence, for a finished run (checkConverged, or check(input, { converged: true })):
//  order-left-working         every keel order ended: filled, cancelled, rejected, or expired
//  closed-group-not-flat      a group reported closed holds nothing by its own fills
export { check, formatVerdict, invariants, sortViolations, type CheckOptions } from './check';
export { checkConverged } from './converged';
export { uncoveredShorts, type Holding, type Uncovered } from './cover';
export { checkDefinedRisk } from './defined-risk';
export { checkDuplicateClientOrderIds } from './duplicate-client-order-id';
export { checkExecIds } from './exec-ids';
export { checkForeignUntouched } from './foreign-untouched';
export { checkNoFlip } from './no-flip';
export { checkPnl } from './pnl-mismatch';
export { parseReport, parseVenueLog, readRun, reportFile, RunReadError, venueLogFile } from './read';
export { checkScenario } from './scenario';
export { checkSeq } from './seq';
export { checkTradingState } from './trading-state';
export {
  invariantCodes,
  type CheckInput,
  type CheckResult,
  type CheckStats,
  type InvariantCode,
  type Violation,
} from './types';
export { checkUnknownOrders } from './unknown-order';
