// What the engine's parts share: the recorder (journal + projection), the venue, the clock, and
// the trading-state switch. Kept small so each part stays a set of short functions.
import type { Clock } from '../domain';
import type { DiscrepancyKind, TradingState } from '../ledger/events';
import type { Projection } from '../ledger/projection';
import type { GroupId, InstrumentId } from '../domain';
import type { Venue } from '../venues/venue';
import type { Recorder } from './recorder';
import type { EngineSettings } from './settings';

export type EngineLog = (line: string) => void;

const severity: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export class EngineCore {
  private discrepancySeq = 0;
  /** HALTED also cancels keel's own working orders (never anyone else's). */
  onHalt: (reason: string) => void = () => {};
  /** Per-strategy daily execution budgets (strategies may declare their own). */
  readonly executionBudgets = new Map<string, number>();

  constructor(
    readonly recorder: Recorder,
    readonly venue: Venue,
    readonly clock: Clock,
    readonly settings: EngineSettings,
    readonly log: EngineLog,
  ) {
    this.discrepancySeq = recorder.projection.discrepancies.size;
  }

  get p(): Projection {
    return this.recorder.projection;
  }

  executionBudget(strategyId: string): number {
    return this.executionBudgets.get(strategyId) ?? this.settings.gate.executionsPerDayMax;
  }

  now(): number {
    return this.clock.now();
  }

  /** Circuit breaker: only ever moves towards safety; resuming is an operator's act. */
  trip(state: TradingState, reason: string): void {
    if (severity[state] <= severity[this.p.tradingState]) return;
    this.recorder.record('trading.state', { state, reason, source: 'engine' });
    this.log(`TRADING ${state}: ${reason}`);
    if (state === 'HALTED') this.onHalt(reason);
  }

  raise(
    kind: DiscrepancyKind,
    detail: string,
    instrumentId: InstrumentId | null = null,
    groupId: GroupId | null = null,
    subject: string | null = null,
  ): string {
    // One open discrepancy per kind and subject: a reconciliation round every minute must not
    // raise the same one again.
    const open = subject === null ? null : this.p.reconciliation.openFor(kind, subject);
    if (open !== null) return open;
    const id = `D${++this.discrepancySeq}`;
    this.recorder.record('discrepancy.raised', { id, kind, instrumentId, groupId, detail, subject });
    this.log(`DISCREPANCY ${kind}: ${detail}`);
    return id;
  }
}
