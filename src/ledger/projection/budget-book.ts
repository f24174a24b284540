// Exposure budgets as the journal tells them: the pure state machine of risk/budget.ts driven by
// journal events, so a restart rebuilds exactly the budget state it had (2026-01-02 incident).
// A group's open reserves its whole worst-case exposure atomically with group.opened; its fills
// consume it; leaving 'opening' returns what was not filled; a closed group frees its budget at
// the next scheduled scan.
import { AccountId, assert, ClientOrderId, type GroupId, type InstrumentId, type Micros } from '../../domain';
import {
  close,
  createBudget,
  fill as fill_,
  reconfigure,
  remaining,
  reserve,
  scan,
  startDay,
  startWeek,
  type BudgetLimits,
  type BudgetRemaining,
  type BudgetState,
} from '../../risk';
import type { EventOf } from '../events';
import type { GroupRecord } from './groups';

export class BudgetBook {
  state: BudgetState | null = null;
  /** Why a week did not reset (positions still open after Friday's close). */
  readonly notes: { t: number; message: string }[] = [];

  get enabled(): boolean {
    return this.state !== null;
  }

  configure(e: EventOf<'budget.configured'>): void {
    const strategyLimits = e.data.strategyLimits.map((s) => ({ strategyId: s.strategyId, limits: s.limits }));
    this.state =
      this.state === null
        ? createBudget({
            accountId: AccountId.of('account'),
            t: e.t,
            equity: e.data.equity,
            limits: e.data.limits as BudgetLimits,
            strategyLimits,
          })
        : reconfigure(this.state, { limits: e.data.limits, strategyLimits });
  }

  period(e: EventOf<'budget.period'>): void {
    const state = this.require();
    const t = e.t;
    if (e.data.kind === 'day') {
      this.state = startDay(state, { t, equity: e.data.equity });
      return;
    }
    const result = startWeek(state, { t, equity: e.data.equity });
    this.state = result.state;
    if (!result.reset) this.notes.push({ t: e.t, message: result.reason });
  }

  scan(t: number): void {
    this.state = scan(this.require(), { t });
  }

  /** group.opened with a claim: the reservation the gate checked; it must fit again on replay. */
  opened(group: GroupRecord): void {
    const claim = group.budget;
    if (claim === null || this.state === null) return;
    const result = reserve(this.state, {
      id: entryId(group.id),
      strategyId: group.strategyId,
      symbol: claim.symbol,
      qty: group.units,
      price: claim.price,
      exposurePerUnit: claim.exposurePerUnit,
      lot: claim.lot,
      unit: claim.unit,
    });
    assert(
      result.ok,
      `budget reservation of ${group.id} does not fit on replay: ${result.ok ? '' : result.refusal.message}`,
    );
    this.state = result.state;
  }

  /**
   * An opening fill consumes exposure. A single-leg position (shares, futures) is measured at
   * the fill's own price, so a fill past its reservation shows as a breach; an option structure
   * consumes the leg's share of its max loss (a leg's price alone does not measure it).
   */
  openFill(
    group: GroupRecord,
    fill: { instrumentId: InstrumentId; qty: number; price: number },
    multiplier: number,
  ): void {
    const entry = this.entry(group);
    if (entry === null || group.budget === null || this.state === null) return;
    if (entry.status === 'closed' || entry.status === 'freed') return; // the breaker handles it
    const leg = group.legs.find((l) => l.instrumentId === fill.instrumentId);
    if (leg === undefined) return;
    const exposure =
      group.legs.length === 1 && group.budget.unit !== 'contracts'
        ? Math.ceil(fill.qty * fill.price * multiplier * 1e6 - 1e-6)
        : Math.round(
            (fill.qty / Math.abs(leg.qtyPerUnit) / group.legs.length) * group.budget.exposurePerUnit * 1e6,
          );
    this.state = fill_(this.state, {
      id: entry.id,
      strategyId: group.strategyId,
      symbol: group.budget.symbol,
      exposure: exposure as Micros,
      orderDone: false,
    });
  }

  /** A status change of a budgeted group: the open is over, or the position is flat. */
  status(group: GroupRecord, from: GroupRecord['status']): void {
    const entry = this.entry(group);
    if (entry === null || group.budget === null || this.state === null) return;
    if (from === 'opening' && group.status !== 'opening' && entry.status === 'working') {
      this.state = fill_(this.state, {
        id: entry.id,
        strategyId: group.strategyId,
        symbol: group.budget.symbol,
        exposure: 0 as Micros,
        orderDone: true,
      });
    }
    if (group.status === 'closed' || group.status === 'failed') {
      if (this.entry(group)?.status === 'open') this.state = close(this.state, { id: entry.id });
    }
  }

  remaining(): BudgetRemaining | null {
    return this.state === null ? null : remaining(this.state);
  }

  private entry(group: GroupRecord) {
    if (this.state === null || group.budget === null) return null;
    const id = entryId(group.id);
    return this.state.entries.find((e) => e.id === id) ?? null;
  }

  private require(): BudgetState {
    assert(this.state !== null, 'budget event before budget.configured');
    return this.state;
  }
}

/** One budget entry per group, keyed like a client order id. */
export function entryId(groupId: GroupId): ClientOrderId {
  return ClientOrderId.of(`${groupId}-b`);
}
