// Reconciliation: the public surface. Pure matching lives in match.ts; everything else journals
// what it finds through the engine core.
export {
  checkpointEveryMs,
  executionsOverlapMs,
  reconcile,
  type ReconcileOptions,
  type ReconcileSummary,
} from './reconcile';
export { checkContainsOwned, positionSubject } from './positions';
export { missingChecksMax, missingGraceMs } from './orders';
export { capturePositionId, noteParentId, parseKeelClientOrderId } from './ids';
export { closeFlatGroup, flatOpenGroups } from './closed-groups';
export { resolveDiscrepancy, touchesOwned, tripOnOwned } from './discrepancies';
export {
  cancelStaleOrders,
  checkAccount,
  isStaleAtStart,
  staleCancelsConfirmed,
  startUpCancelWaitMs,
  startUpTrip,
} from './start-up';
export * from './match';
export { formatReconcileTable, reconcileTable, type ReconcileTable } from './table';
