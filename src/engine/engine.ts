// The engine: a single-threaded, deterministic state machine. Inputs (venue events, timer ticks,
// operator commands) go in; facts are journaled; orders go out. Time comes from the injected
// clock, so the same engine runs live and inside the deterministic simulator.
import {
  assert,
  ClientOrderId,
  describeInstrument,
  localDate,
  StrategyId,
  type AccountId,
  type Clock,
  type GroupId,
  type Instrument,
  type InstrumentTerms,
  type OrderIntent,
} from '../domain';
import { isActiveGroup, type GroupRecord } from '../ledger/projection';
import type { Venue, VenueEvent } from '../venues/venue';
import { groupIdFor } from './client-order-ids';
import { EngineCore, type EngineLog } from './engine-core';
import { groupView } from './group-view';
import type { OperatorCommand, OperatorResult } from './operator';
import { OrderManager } from './order-manager';
import { checkContainsOwned, reconcile, type ReconcileSummary } from './reconciler';
import { Recorder, replay, type EventStore } from './recorder';
import { settleGroups } from './settlement';
import type { EngineSettings } from './settings';
import type { OpenOutcome, OpenRequest, Strategy, StrategyContext, Urgency } from './strategy';
import { StructureExecutor } from './structure-executor';

export type EngineDeps = {
  readonly store: EventStore;
  readonly venue: Venue;
  readonly clock: Clock;
  readonly strategies: readonly Strategy[];
  readonly settings: EngineSettings;
  readonly account: AccountId;
  readonly log: EngineLog;
};

const operatorStrategy = StrategyId.of('operator');

export class Engine {
  readonly core: EngineCore;
  readonly orders: OrderManager;
  readonly executor: StructureExecutor;
  private pendingReconcile = false;
  /** Groups touched by venue events; acted on in flush(), once the venue's burst is all in. */
  private readonly dirtyGroups = new Set<GroupId>();
  private lastReconcileAt = 0;
  lastReconcile: ReconcileSummary | null = null;

  private constructor(private readonly deps: EngineDeps) {
    const projection = replay(deps.store, deps.clock.utcOffsetMin);
    this.core = new EngineCore(
      new Recorder(deps.store, projection, deps.clock),
      deps.venue,
      deps.clock,
      deps.settings,
      deps.log,
    );
    this.orders = new OrderManager(this.core);
    this.executor = new StructureExecutor(this.core, this.orders);
    this.core.onHalt = (reason) => this.orders.cancelAllMine(`halted: ${reason}`);
    for (const s of deps.strategies)
      if (s.executionsPerDayMax !== null) this.core.executionBudgets.set(s.id, s.executionsPerDayMax);
  }

  /** Start-up order: replay the journal, reconcile with the venue, then let strategies act. */
  static async start(deps: EngineDeps): Promise<Engine> {
    const engine = new Engine(deps);
    const p = engine.core.p;
    engine.core.recorder.record('engine.started', {
      account: deps.account,
      mode: p.starts === 0 ? 'start' : 'restart',
      utcOffsetMin: p.utcOffsetMin,
    });
    await engine.reconcile();
    engine.noteForeignPositions();
    return engine;
  }

  get projection() {
    return this.core.p;
  }

  needsReconcile(): boolean {
    return this.pendingReconcile && this.deps.venue.isConnected();
  }

  async reconcile(): Promise<ReconcileSummary | null> {
    if (!this.deps.venue.isConnected()) {
      this.core.log('reconcile deferred: venue not connected');
      this.pendingReconcile = true;
      return null;
    }
    const snap = await this.deps.venue.snapshot();
    for (const pos of snap.positions) this.ensureInstrument(pos.instrumentId);
    this.pendingReconcile = false;
    this.lastReconcileAt = this.core.now();
    this.lastReconcile = reconcile(this.core, this.orders, snap);
    this.finishSettledGroups();
    return this.lastReconcile;
  }

  // ---- inputs -----------------------------------------------------------------------------------

  onVenueEvent(event: VenueEvent): void {
    switch (event.type) {
      case 'position':
        return this.onPosition(event.instrumentId, event.qty, event.avgPrice);
      case 'settlement':
        this.ensureInstrument(event.instrumentId);
        settleGroups(this.core, event.instrumentId, event.price, event.t);
        this.finishSettledGroups();
        return;
      case 'connection':
        this.core.log(`venue connection ${event.up ? 'restored' : 'lost'}`);
        if (event.up) this.pendingReconcile = true;
        return;
      case 'accepted':
      case 'rejected':
      case 'cancelled':
      case 'cancelRejected':
      case 'fill': {
        this.orders.onVenueEvent(event);
        const id = event.type === 'fill' ? event.fill.clientOrderId : event.clientOrderId;
        const order = this.core.p.orders.get(id);
        if (order) this.dirtyGroups.add(order.intent.groupId);
        return;
      }
    }
  }

  /**
   * Acts on the groups the last venue events touched. Called once a burst of venue events (a fill
   * and its position update) has been applied, so a halt they trigger is known before any order.
   */
  flush(): void {
    const groups = [...this.dirtyGroups];
    this.dirtyGroups.clear();
    for (const id of groups) this.executor.progress(this.core.p.requireGroup(id));
  }

  onTick(strategies = true): void {
    if (this.core.now() - this.lastReconcileAt >= this.deps.settings.reconcileEveryMs)
      this.pendingReconcile = true;
    this.executor.progressAll();
    if (!strategies) return;
    for (const s of this.deps.strategies) s.onTick(this.contextFor(s.id));
  }

  operator(cmd: OperatorCommand): OperatorResult {
    this.core.recorder.record('operator.command', { command: cmd.action, args: { ...cmd } });
    switch (cmd.action) {
      case 'halt':
        this.core.recorder.record('trading.state', {
          state: 'HALTED',
          reason: cmd.reason,
          source: 'operator',
        });
        return {
          ok: true,
          lines: [
            `halted: ${cmd.reason}`,
            `cancelled ${this.orders.cancelAllMine('operator halt')} of keel's own working orders`,
          ],
        };
      case 'resume':
        this.core.recorder.record('trading.state', {
          state: 'ACTIVE',
          reason: cmd.reason,
          source: 'operator',
        });
        return { ok: true, lines: [`resumed: ${cmd.reason}`] };
      case 'cancel':
        return {
          ok: true,
          lines: [
            `cancel requested for ${this.orders.cancelAllMine('operator cancel --mine')} of keel's own working orders`,
          ],
        };
      case 'reconcile':
        this.pendingReconcile = true;
        return { ok: true, lines: ['reconcile scheduled'] };
      case 'flatten':
        return this.flatten(cmd.group, cmd.strategy);
      case 'order':
        return this.operatorOrder(cmd);
    }
  }

  // ---- groups ------------------------------------------------------------------------------------

  openStructure(strategyId: StrategyId, source: 'strategy' | 'operator', request: OpenRequest): OpenOutcome {
    const p = this.core.p;
    assert(
      request.units > 0 && Number.isInteger(request.units),
      `units must be a positive integer, got ${request.units}`,
    );
    for (const leg of request.legs) {
      const known = this.deps.venue.instrument(leg.instrumentId);
      if (known) this.defineInstrument(known);
    }
    const now = this.core.now();
    const groupId = groupIdFor(strategyId, now, p.utcOffsetMin, this.groupSeq(strategyId, now));
    const whole: OrderIntent = {
      clientOrderId: ClientOrderId.of(`${groupId}-o0`),
      groupId,
      strategyId,
      source,
      intent: 'open',
      legs: request.legs.map((l) => ({
        instrumentId: l.instrumentId,
        side: l.qtyPerUnit > 0 ? 'BUY' : 'SELL',
        ratio: Math.abs(l.qtyPerUnit),
      })),
      qty: request.units,
      type: 'LMT',
      limitPrice: null,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: false,
      parentClientOrderId: null,
    };
    const refused = this.orders.gate(whole);
    if (refused) {
      this.core.recorder.record('refusal', {
        source,
        strategyId,
        rule: refused.rule,
        message: refused.message,
        maxAllowedQty: refused.maxAllowedQty,
      });
      return { ok: false, refusal: refused };
    }
    this.core.recorder.record('group.opened', {
      groupId,
      strategyId,
      kind: request.kind,
      source,
      legs: [...request.legs],
      units: request.units,
      note: request.note,
    });
    const group = p.requireGroup(groupId);
    const first = this.executor.firstOpenOrder(group);
    if (first) {
      if (group.status === 'opening')
        this.core.recorder.record('group.status', {
          groupId,
          status: 'failed',
          reason: `refused: ${first.message}`,
          targetUnits: null,
        });
      return { ok: false, refusal: first };
    }
    return { ok: true, groupId };
  }

  closeGroup(groupId: GroupId, reason: string, urgency: Urgency, keepUnits = 0): void {
    this.executor.close(groupId, reason, urgency, keepUnits);
  }

  private groupSeq(strategyId: StrategyId, now: number): number {
    const today = localDate(now, this.core.p.utcOffsetMin);
    let n = 1;
    for (const g of this.core.p.groups.values()) {
      if (g.strategyId === strategyId && localDate(g.openedAt, this.core.p.utcOffsetMin) === today) n++;
    }
    return n;
  }

  private flatten(groupId: GroupId | null, strategyId: StrategyId | null): OperatorResult {
    const targets = [...this.core.p.groups.values()].filter(
      (g) =>
        isActiveGroup(g) &&
        g.status !== 'residual' &&
        (groupId === null || g.id === groupId) &&
        (strategyId === null || g.strategyId === strategyId),
    );
    const lines = [
      `flatten: ${targets.length} group(s), owned legs only: ${targets.map((g) => g.id).join(', ') || 'none'}`,
    ];
    for (const g of targets) this.closeGroup(g.id, 'operator flatten', 'urgent');
    for (const g of targets) lines.push(`${g.id}: ${this.core.p.requireGroup(g.id).status}`);
    return { ok: true, lines };
  }

  private operatorOrder(cmd: Extract<OperatorCommand, { action: 'order' }>): OperatorResult {
    const instrument = this.resolve(cmd.instrument);
    if (!instrument) {
      const message = `the venue does not list ${JSON.stringify(cmd.instrument)}: check the symbol (and expiry, strike, right)`;
      this.core.recorder.record('refusal', {
        source: 'operator',
        strategyId: operatorStrategy,
        rule: 'unknownInstrument',
        message,
        maxAllowedQty: 0,
      });
      return { ok: false, lines: [`order refused (unknownInstrument): ${message}`] };
    }
    const outcome = this.openStructure(operatorStrategy, 'operator', {
      kind: 'operator',
      legs: [{ instrumentId: instrument.id, qtyPerUnit: cmd.side === 'BUY' ? 1 : -1 }],
      units: cmd.qty,
      note: `${cmd.side} ${cmd.qty} ${describeInstrument(instrument)}${cmd.limit === null ? '' : ` @ ${cmd.limit}`}`,
    });
    if (!outcome.ok)
      return { ok: false, lines: [`order refused (${outcome.refusal.rule}): ${outcome.refusal.message}`] };
    return { ok: true, lines: [`order accepted into group ${outcome.groupId}`] };
  }

  /** A group whose legs are all flat after settlement is closed as expired. */
  private finishSettledGroups(): void {
    const working = new Set(this.core.p.orders.live().map((o) => o.intent.groupId));
    for (const g of this.core.p.groups.values()) {
      // A residual group stays residual: its close failed; expiry is not a success.
      if (!isActiveGroup(g) || g.status === 'opening' || g.status === 'residual') continue;
      const flat = g.legs.every((l) => this.core.p.ownership.owned(l.instrumentId, g.id) === 0);
      const anySettled = g.pnl.byInstrument.size > 0;
      if (!flat || !anySettled || working.has(g.id)) continue;
      const reason = g.status === 'closing' ? (g.exitReason ?? g.statusReason) : 'expired';
      this.core.recorder.record('group.status', {
        groupId: g.id,
        status: 'closed',
        reason,
        targetUnits: null,
      });
    }
  }

  private onPosition(instrumentId: Instrument['id'], qty: number, avgPrice: number): void {
    this.ensureInstrument(instrumentId);
    const p = this.core.p;
    // Compare foreign as of the venue's previous report with foreign now: keel's own fills in
    // between are owned, not someone else's trading.
    const foreignBefore = p.ownership.foreignAtLastReport(instrumentId);
    if (p.ownership.venueNetQty(instrumentId) === qty) return;
    this.core.recorder.record('venue.position', { instrumentId, qty, avgPrice });
    const foreignAfter = p.ownership.foreign(instrumentId);
    if (p.ownership.ownedTotal(instrumentId) !== 0 && foreignAfter !== foreignBefore) {
      const name = describeInstrument(p.requireInstrument(instrumentId));
      this.core.raise(
        'unexpected-position',
        `foreign quantity of ${name}, which keel owns, changed from ${foreignBefore} to ${foreignAfter}`,
        instrumentId,
      );
      this.core.trip('REDUCING', `someone else traded ${name}, which keel owns`);
    }
    checkContainsOwned(this.core, instrumentId, 'position update');
  }

  private noteForeignPositions(): void {
    const p = this.core.p;
    const shown = new Set(
      [...p.discrepancies.values()]
        .filter((d) => d.kind === 'foreign-position' && !d.resolved)
        .map((d) => d.instrumentId),
    );
    for (const id of p.ownership.instruments()) {
      const foreign = p.ownership.foreign(id);
      if (foreign === 0 || shown.has(id)) continue;
      const name = describeInstrument(p.requireInstrument(id));
      this.core.raise(
        'foreign-position',
        `${foreign > 0 ? '+' : ''}${foreign} ${name} at the venue is not keel's: shown, never touched`,
        id,
      );
    }
  }

  // ---- instruments and strategy context -------------------------------------------------------------

  resolve(terms: InstrumentTerms): Instrument | null {
    const r = this.deps.venue.resolveInstrument(terms);
    if (!r.ok) return null;
    this.defineInstrument(r.instrument);
    return r.instrument;
  }

  private ensureInstrument(id: Instrument['id']): void {
    if (this.core.p.instruments.has(id)) return;
    const i = this.deps.venue.instrument(id);
    assert(i !== null, `the venue reported instrument ${id} but cannot describe it`);
    this.defineInstrument(i);
  }

  private defineInstrument(i: Instrument): void {
    if (!this.core.p.instruments.has(i.id))
      this.core.recorder.record('instrument.defined', { instrument: i });
  }

  private contextFor(strategyId: StrategyId): StrategyContext {
    const p = this.core.p;
    const market = this.deps.venue.market;
    const mine = (): GroupRecord[] => [...p.groups.values()].filter((g) => g.strategyId === strategyId);
    return {
      strategyId,
      now: this.core.now(),
      utcOffsetMin: p.utcOffsetMin,
      tradingState: p.tradingState,
      market,
      resolve: (terms) => this.resolve(terms),
      activeGroups: () =>
        mine()
          .filter(isActiveGroup)
          .map((g) => groupView(p, market, g)),
      groupsToday: () => this.groupSeq(strategyId, this.core.now()) - 1,
      openStructure: (request) => this.openStructure(strategyId, 'strategy', request),
      closeGroup: (groupId, reason, urgency) => {
        assert(
          p.requireGroup(groupId).strategyId === strategyId,
          `${strategyId} may only close its own groups`,
        );
        this.closeGroup(groupId, reason, urgency);
      },
      reduceGroup: (groupId, keepUnits, reason) => {
        assert(
          p.requireGroup(groupId).strategyId === strategyId,
          `${strategyId} may only reduce its own groups`,
        );
        this.closeGroup(groupId, reason, 'normal', keepUnits);
      },
      note: (message) => this.core.recorder.record('strategy.note', { strategyId, message }),
    };
  }
}
