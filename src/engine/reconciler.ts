// The reconciler (src/engine/reconcile/): keel's journal against the venue's view, at start-up and
// on a timer. Kept as the engine's import path.
export * from './reconcile';
