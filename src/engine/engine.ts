// The engine: a single-threaded, deterministic state machine. Inputs (venue events, timer ticks,
// operator commands) go in; facts are journaled; orders go out. Time comes from the injected
// clock, so the same engine runs live and inside the deterministic simulator.
import {
  assert,
  InvariantError,
  ClientOrderId,
  describeInstrument,
  localDate,
  roundToTick,
  StrategyId,
  uncoveredShorts,
  type OptionHolding,
  type AccountId,
  type Clock,
  type GroupId,
  type Instrument,
  type InstrumentId,
  type InstrumentTerms,
  type OrderIntent,
  type VenuePositionId,
  isLive,
} from '../domain';
import { isActiveGroup, type GroupRecord, type Projection } from '../ledger/projection';
import type { MarketData, Venue, VenueEvent, VenueSnapshot } from '../venues/venue';
import { InstrumentCache } from './instrument-cache';
import { rollBudgetCalendar } from './budget-calendar';
import { groupIdFor } from './client-order-ids';
import { EngineCore, type EngineLog } from './engine-core';
import { groupView } from './group-view';
import type { OperatorCommand, OperatorResult } from './operator';
import { OrderManager } from './order-manager';
import type { OpenCheck } from './pre-trade-gate';
import { refusal, type Refusal } from './refusal';
import { breaches, maxLossOfOptionStructure } from '../risk';
import { Protection } from './protection';
import {
  cancelStaleOrders,
  capturePositionId,
  checkAccount,
  checkContainsOwned,
  executionsOverlapMs,
  reconcile,
  resolveDiscrepancy,
  staleCancelsConfirmed,
  startUpCancelWaitMs,
  startUpTrip,
  type ReconcileSummary,
} from './reconciler';
import { engineReadout, type EngineReadout } from './readout';
import { Recorder, replayFromCheckpoint, type EventStore, type PagedEventStore } from './recorder';
import { settleGroups } from './settlement';
import { defaultCheckpointEveryEvents, type EngineSettings } from './settings';
import type { OpenOutcome, OpenRequest, Strategy, StrategyContext, Urgency } from './strategy';
import { StructureExecutor } from './structure-executor';

export type EngineDeps = {
  readonly store: EventStore | PagedEventStore;
  readonly venue: Venue;
  readonly clock: Clock;
  readonly strategies: readonly Strategy[];
  readonly settings: EngineSettings;
  readonly account: AccountId;
  readonly log: EngineLog;
  /** A venue lookup (instrument, chain) answered: the host lets the engine act on it. */
  readonly onLookupResolved?: () => void;
};

/** Venue events waiting for their instrument's description, in arrival order (bounded). */
const heldEventsMax = 10_000;

const operatorStrategy = StrategyId.of('operator');

export class Engine {
  readonly core: EngineCore;
  readonly orders: OrderManager;
  readonly executor: StructureExecutor;
  readonly protection: Protection;
  private pendingReconcile = false;
  /** Start-up: strategies act once the first reconciliation ran and its stale cancels are confirmed. */
  private startUpReconciled = false;
  private startUpCancels: ClientOrderId[] = [];
  private startUpAt = 0;
  private lastSnapshotT: number | null = null;
  /** Groups touched by venue events; acted on in flush(), once the venue's burst is all in. */
  private readonly dirtyGroups = new Set<GroupId>();
  private lastReconcileAt = 0;
  lastReconcile: ReconcileSummary | null = null;
  /** The link came back: strategies wait until a reconciliation has read the venue again. */
  private awaitingReconnectReconcile = false;
  readonly instruments: InstrumentCache;
  /** Terms the venue could not resolve, said once in the log. */
  private readonly unresolvedSaid = new Set<string>();
  /** What strategies read: the venue's quote book and the session's resolved option chains. */
  readonly market: MarketData;
  private readonly held: VenueEvent[] = [];
  private readonly heldIds = new Set<InstrumentId>();

  private constructor(
    private readonly deps: EngineDeps,
    projection: Projection,
  ) {
    const checkpoints = deps.store.checkpoints;
    this.core = new EngineCore(
      new Recorder(
        deps.store,
        projection,
        deps.clock,
        checkpoints === undefined
          ? null
          : {
              every: deps.settings.checkpointEveryEvents ?? defaultCheckpointEveryEvents,
              store: checkpoints,
              log: deps.log,
            },
      ),
      deps.venue,
      deps.clock,
      deps.settings,
      deps.log,
    );
    this.orders = new OrderManager(this.core);
    this.executor = new StructureExecutor(this.core, this.orders);
    this.protection = new Protection(this.core, this.orders, (g, reason, urgency) =>
      this.closeGroup(g, reason, urgency),
    );
    this.core.onHalt = (reason) => this.orders.cancelAllMine(`halted: ${reason}`, true);
    this.instruments = new InstrumentCache(deps.venue, () => this.onLookupResolved());
    const book = deps.venue.market;
    this.market = {
      spot: (symbol) => book.spot(symbol),
      quote: (id) => book.quote(id),
      optionChain: (symbol, expiry) => this.instruments.optionChain(symbol, expiry),
    };
    for (const s of deps.strategies) {
      if (s.executionsPerDayMax !== null) this.core.executionBudgets.set(s.id, s.executionsPerDayMax);
      // Signals given before a restart are the strategy's again.
      const saved = projection.signals.get(s.id);
      if (saved && s.acceptSignals) s.acceptSignals(saved);
    }
  }

  /**
   * Start-up order: the account lock (the journal's lock, one journal per account), replay the
   * journal, reconcile with the venue, cancel keel's own stale working orders and wait for the
   * venue to confirm, then let strategies act (reconcile/start-up.ts).
   */
  static async start(deps: EngineDeps): Promise<Engine> {
    const replayed = await replayFromCheckpoint(deps.store, deps.clock.timeZone, deps.log);
    const engine = new Engine(deps, replayed.projection);
    const p = engine.core.p;
    // A whole journal folded (no checkpoint yet, or one this keel could not use): the next start
    // need not repeat it.
    const every = deps.settings.checkpointEveryEvents ?? defaultCheckpointEveryEvents;
    if (
      every > 0 &&
      replayed.checkpointSeq === null &&
      replayed.replayed >= every &&
      replayed.lastType !== null
    )
      engine.core.recorder.checkpoint(replayed.lastType);
    checkAccount(engine.core, deps.account);
    engine.core.recorder.record('engine.started', {
      account: deps.account,
      mode: p.starts === 0 ? 'start' : 'restart',
      timeZone: p.timeZone.name,
      utcOffsetMin: p.timeZone.offsetAt(deps.clock.now()),
    });
    // Before any order: ids this journal has seen taken are never offered again.
    deps.venue.orderSequence?.resume(p.lastVenueOrderSequence, (last) =>
      engine.core.recorder.record('venue.orderSequence', { last }),
    );
    await engine.reconcile();
    if (deps.settings.risk) rollBudgetCalendar(engine.core, deps.settings.risk);
    return engine;
  }

  get projection() {
    return this.core.p;
  }

  /** What the operator's dashboard reads: groups marked to mid with their exit outlook. Read-only. */
  readout(): EngineReadout {
    const d = this.deps;
    return engineReadout(
      this.core.p,
      this.market,
      this.core.now(),
      d.settings.risk?.accountEquity ?? null,
      d.strategies,
    );
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
    const startUp = !this.startUpReconciled;
    // Executions since the last snapshot (or, after a restart, the journaled checkpoint).
    const since =
      this.lastSnapshotT === null
        ? this.core.p.reconciliation.checkpoint
        : this.lastSnapshotT - executionsOverlapMs;
    const snap = await this.describedOnly(await this.deps.venue.snapshot({ executionsSince: since }));
    this.pendingReconcile = false;
    this.awaitingReconnectReconcile = false;
    this.lastReconcileAt = this.core.now();
    this.lastSnapshotT = snap.t;
    this.lastReconcile = reconcile(this.core, this.orders, snap, { startUp });
    this.finishSettledGroups();
    if (startUp) this.finishStartUp();
    return this.lastReconcile;
  }

  private finishStartUp(): void {
    this.noteForeignPositions();
    startUpTrip(this.core);
    this.startUpCancels = cancelStaleOrders(this.core, this.orders);
    this.startUpAt = this.core.now();
    this.startUpReconciled = true;
  }

  /** Strategies act only after the start-up reconciliation and the stale cancels it confirmed. */
  private strategiesMayAct(): boolean {
    if (!this.startUpReconciled || this.awaitingReconnectReconcile) return false;
    if (this.startUpCancels.length === 0) return true;
    if (staleCancelsConfirmed(this.core, this.startUpCancels)) {
      this.startUpCancels = [];
      return true;
    }
    if (this.core.now() - this.startUpAt >= startUpCancelWaitMs) {
      for (const id of this.startUpCancels) {
        const o = this.core.p.orders.get(id);
        if (!o || !isLive(o.state)) continue;
        this.core.raise(
          'stale-pending',
          `start-up: ${id} was not confirmed cancelled within ${startUpCancelWaitMs / 1000}s; strategies wait`,
          o.intent.legs[0]?.instrumentId ?? null,
          o.intent.groupId,
          id,
        );
      }
    }
    return false;
  }

  // ---- inputs -----------------------------------------------------------------------------------

  onVenueEvent(event: VenueEvent): void {
    const instrumentId = instrumentOf(event);
    if (instrumentId !== null && !this.haveInstrument(instrumentId, event)) return;
    switch (event.type) {
      case 'position':
        return this.onPosition(event.instrumentId, event.qty, event.avgPrice, event.venuePositionId ?? null);
      case 'settlement':
        settleGroups(this.core, event.instrumentId, event.price, event.t);
        this.finishSettledGroups();
        return;
      case 'connection':
        this.core.log(
          `venue connection ${event.up ? `restored${event.dataLost === true ? ' (the venue says data was lost)' : ''}` : 'lost'}`,
        );
        // Whatever was said while down may be missing: read the venue again before trading.
        if (event.up) {
          this.pendingReconcile = true;
          this.awaitingReconnectReconcile = true;
        }
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
    for (const id of groups) {
      const group = this.core.p.requireGroup(id);
      this.executor.progress(group);
      this.protection.progress(group);
    }
    if (groups.length > 0) {
      this.checkBudgetBreaches();
      // Coverage can only change where a touched group holds options.
      const options = groups.some((id) =>
        this.core.p
          .requireGroup(id)
          .legs.some((l) => this.core.p.instruments.get(l.instrumentId)?.kind === 'option'),
      );
      if (options) this.checkDefinedRisk();
    }
  }

  /**
   * keel's own option holdings, all groups together, must never contain an uncovered short. The
   * sequencing makes one impossible; a venue that fills one leg of a combo alone, or a fill keel
   * did not expect, could still leave one: that is an incident, and only risk may be reduced.
   */
  private checkDefinedRisk(): void {
    const p = this.core.p;
    const holdings: OptionHolding[] = [];
    for (const id of p.ownership.instruments()) {
      const i = p.instruments.get(id);
      const qty = p.ownership.ownedTotal(id);
      if (i?.kind === 'option' && qty !== 0) holdings.push({ instrument: i, qty });
    }
    for (const u of uncoveredShorts(holdings)) {
      const name = describeInstrument(u.instrument);
      const subject = `uncovered:${u.instrument.id}`;
      if (p.reconciliation.openFor('uncovered-short', subject) !== null) continue;
      this.core.raise(
        'uncovered-short',
        `keel is short ${u.uncoveredQty}x ${name} with no covering long in its holdings`,
        u.instrument.id,
        null,
        subject,
      );
      this.core.trip('REDUCING', `uncovered short ${u.uncoveredQty}x ${name}: only risk-reducing orders`);
    }
  }

  /**
   * Fills are facts and are booked even past a cap (a fill at a worse price than reserved, a fill
   * after a cancel). Such a breach is an incident: no new positions until an operator looks.
   */
  private checkBudgetBreaches(): void {
    const state = this.core.p.budget.state;
    if (state === null) return;
    for (const b of breaches(state)) {
      const scope = b.scope.kind === 'account' ? 'account' : b.scope.strategyId;
      const subject = `${scope}|${b.rule}|day ${state.day.index}|week ${state.week.index}`;
      if (this.core.p.reconciliation.openFor('budget-breach', subject) !== null) continue;
      this.core.raise('budget-breach', b.message, null, null, subject);
      this.core.trip('REDUCING', `exposure budget breached by fills: ${b.message}`);
    }
  }

  onTick(strategies = true): void {
    if (this.core.now() - this.lastReconcileAt >= this.deps.settings.reconcileEveryMs)
      this.pendingReconcile = true;
    if (this.deps.settings.risk) rollBudgetCalendar(this.core, this.deps.settings.risk);
    this.executor.progressAll();
    this.protection.progressAll();
    if (!strategies || !this.strategiesMayAct()) return;
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
          lines: [`halted: ${cmd.reason}`, cancelledLine(this.orders.cancelAllMine('operator halt', true))],
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
          lines: [cancelledLine(this.orders.cancelAllMine('operator cancel --mine'))],
        };
      case 'reconcile':
        this.pendingReconcile = true;
        return { ok: true, lines: ['reconcile scheduled'] };
      case 'flatten':
        return this.flatten(cmd.group, cmd.strategy);
      case 'signals': {
        const strategy = this.deps.strategies.find((x) => x.id === cmd.strategy);
        if (!strategy?.acceptSignals)
          return { ok: false, lines: [`no running strategy ${cmd.strategy} takes signals`] };
        const { accepted, errors } = strategy.acceptSignals(cmd.signals);
        if (accepted.length > 0)
          this.core.recorder.record('strategy.signals', { strategyId: strategy.id, signals: accepted });
        return {
          ok: errors.length === 0,
          lines: [
            `${cmd.strategy}: ${accepted.length} signal(s) accepted`,
            ...errors.map((e) => `refused: ${e}`),
          ],
        };
      }
      case 'resolve': {
        const d = this.core.p.discrepancies.get(cmd.id);
        if (!d) return { ok: false, lines: [`no discrepancy ${cmd.id}: keel status lists the open ones`] };
        if (d.resolved)
          return { ok: false, lines: [`${cmd.id} is already resolved (${d.resolution ?? ''})`] };
        resolveDiscrepancy(this.core, cmd.id, 'operator', cmd.reason);
        // Trading stays as it is: resuming is its own, separate decision.
        return {
          ok: true,
          lines: [
            `resolved ${cmd.id} (${d.kind}: ${d.detail}): ${cmd.reason}`,
            `trading is ${this.core.p.tradingState}`,
          ],
        };
      }
      case 'order':
        return this.operatorOrder(cmd);
    }
  }

  // ---- groups ------------------------------------------------------------------------------------

  openStructure(strategyId: StrategyId, source: 'strategy' | 'operator', request: OpenRequest): OpenOutcome {
    const p = this.core.p;
    if (!(request.units > 0 && Number.isInteger(request.units)))
      throw new InvariantError(`units must be a positive integer, got ${request.units}`);
    for (const leg of request.legs) {
      const known = this.instruments.describe(leg.instrumentId);
      if (known.state === 'ready' && known.value) this.defineInstrument(known.value);
    }
    // A leg the venue is still describing (a round trip) is refused now, never a crash.
    const unresolved = request.legs.find((l) => !p.instruments.has(l.instrumentId));
    if (unresolved !== undefined)
      return this.refuse(
        strategyId,
        source,
        refusal(
          'unknownInstrument',
          `instrument ${unresolved.instrumentId} is not described by the venue yet: try again shortly`,
          0,
        ),
      );
    const now = this.core.now();
    const groupId = groupIdFor(strategyId, now, p.timeZone, this.groupSeq(strategyId, now));
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
      limitPrice: request.entry?.limitPrice ?? null,
      stopPrice: null,
      tif: 'DAY',
      reduceOnly: false,
      parentClientOrderId: null,
    };
    if (!this.deps.venue.isConnected())
      return this.refuse(
        strategyId,
        source,
        refusal('venueDisconnected', 'the venue is not connected: no new positions until it is back', 0),
      );
    const check = this.openCheck(request);
    if (!check.ok) return this.refuse(strategyId, source, check.refusal);
    const refused = this.orders.gate(whole, check.open);
    if (refused) return this.refuse(strategyId, source, refused);
    this.core.recorder.record('group.opened', {
      groupId,
      strategyId,
      kind: request.kind,
      source,
      legs: [...request.legs],
      units: request.units,
      note: request.note,
      budget: p.budget.enabled ? check.open.claim : null,
      entry: request.entry ?? null,
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

  private refuse(strategyId: StrategyId, source: 'strategy' | 'operator', refused: Refusal): OpenOutcome {
    this.core.recorder.record('refusal', {
      source,
      strategyId,
      rule: refused.rule,
      message: refused.message,
      maxAllowedQty: refused.maxAllowedQty,
    });
    return { ok: false, refusal: refused };
  }

  /** The structure's worst-case exposure per unit, for the budgets and the dual-cap size. */
  private openCheck(request: OpenRequest): { ok: true; open: OpenCheck } | { ok: false; refusal: Refusal } {
    const market = this.market;
    const legs = request.legs.map((l) => ({
      ...l,
      instrument: this.core.p.requireInstrument(l.instrumentId),
    }));
    const first = legs[0];
    assert(first !== undefined, 'a structure has at least one leg');
    const multiplier = Math.abs(first.qtyPerUnit) * first.instrument.multiplier;
    const protectiveStop = request.entry?.stopPrice ?? null;
    const quotes = legs.map((l) => market.quote(l.instrumentId));
    if (legs.every((l) => l.instrument.kind === 'option')) {
      const missing = legs.findIndex((_, k) => !quotes[k]);
      if (missing >= 0) return { ok: false, refusal: noPrice(legs[missing]?.instrument as Instrument) };
      // Credit at natural prices: the worst a chase may accept, so the reservation covers the fill.
      let credit = 0;
      legs.forEach((l, k) => {
        const q = quotes[k] as NonNullable<(typeof quotes)[number]>;
        credit += -l.qtyPerUnit * (l.qtyPerUnit > 0 ? q.ask : q.bid);
      });
      const optionLegs = legs.map((l) => {
        const i = l.instrument as Extract<Instrument, { kind: 'option' }>;
        return { strike: i.strike, right: i.right, qty: l.qtyPerUnit };
      });
      // Quotes sum with float noise (0.09 → 0.09000000000000001): on the tick, and the loss in
      // cents, before they reach a budget or a refusal a trader reads.
      credit = roundToTick(credit, first.instrument.tick);
      const maxLoss = maxLossOfOptionStructure(optionLegs, credit, first.instrument.multiplier);
      // Priced as the capital at risk per structure; never zero, so every open counts.
      const atRisk = Number.isFinite(maxLoss) ? Math.max(roundToTick(maxLoss, 0.01), 0.01) : maxLoss;
      const claim = Number.isFinite(maxLoss)
        ? {
            symbol: first.instrument.symbol,
            price: atRisk,
            exposurePerUnit: atRisk,
            lot: 1,
            unit: legs.length > 1 ? 'structures' : 'contracts',
          }
        : null;
      return { ok: true, open: { claim, protectiveStop, multiplier: first.instrument.multiplier } };
    }
    let exposure = 0;
    let price = 0;
    for (const [k, l] of legs.entries()) {
      const q = quotes[k];
      // The worst price it can fill at: a buy at or below its limit (never chased past it), or
      // without one within the chase's slippage cap past the ask (leg-pricing.ts); a sell at or
      // above its limit, so at the market when that is higher, give or take the same cap.
      const limit = request.entry?.limitPrice ?? null;
      const slip = this.deps.settings.execution.slippageMaxTicks * l.instrument.tick;
      const far = l.qtyPerUnit > 0 ? null : Math.max(limit ?? 0, q?.ask ?? 0);
      const worst = l.qtyPerUnit > 0 ? (limit ?? (q ? q.ask + slip : null)) : far ? far + slip : null;
      const p = worst === null ? null : roundToTick(worst, l.instrument.tick);
      if (p === null || !(p > 0)) return { ok: false, refusal: noPrice(l.instrument) };
      price = p;
      exposure += Math.abs(l.qtyPerUnit) * p * l.instrument.multiplier;
    }
    // Units are whole: a 0.0846 BTC position is one unit of 0.0846.
    const unit = first.instrument.kind === 'equity' && first.qtyPerUnit === 1 ? 'shares' : 'units';
    const claim = { symbol: first.instrument.symbol, price, exposurePerUnit: exposure, lot: 1, unit };
    return { ok: true, open: { claim, protectiveStop, multiplier } };
  }

  closeGroup(groupId: GroupId, reason: string, urgency: Urgency, keepUnits = 0): void {
    this.executor.close(groupId, reason, urgency, keepUnits);
  }

  private groupSeq(strategyId: StrategyId, now: number): number {
    return this.core.p.groupsOpenedOn(strategyId, now) + 1;
  }

  private flatten(groupId: GroupId | null, strategyId: StrategyId | null): OperatorResult {
    // A mistyped id would otherwise flatten nothing and say so as a success.
    if (groupId !== null && !this.core.p.groups.has(groupId))
      return { ok: false, lines: [`no group ${groupId}: keel status lists keel's groups`] };
    if (strategyId !== null) {
      // A strategy no longer in the config may still have groups: those count.
      const known = new Set<string>(this.deps.strategies.map((s) => s.id));
      for (const g of this.core.p.groups.values()) known.add(g.strategyId);
      if (!known.has(strategyId))
        return {
          ok: false,
          lines: [`no strategy ${strategyId}: give one of ${[...known].join(', ') || '(none yet)'}`],
        };
    }
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
    // Units are whole: 291 shares are 291 units of one, 0.01 BTC one unit of 0.01 (a fractional
    // quantity is never a unit count; the venue refuses one off the instrument's lot).
    const sign = cmd.side === 'BUY' ? 1 : -1;
    const request = (qty: number): OpenRequest => ({
      kind: 'operator',
      legs: [{ instrumentId: instrument.id, qtyPerUnit: Number.isInteger(qty) ? sign : sign * qty }],
      units: Number.isInteger(qty) ? qty : 1,
      note: `${cmd.side} ${qty} ${describeInstrument(instrument)}${cmd.limit === null ? '' : ` @ ${cmd.limit}`}${cmd.stop === null ? '' : ` stop ${cmd.stop}`}`,
      // A stop makes it a bracket: the take-profit at 2R, on the tick.
      entry: {
        limitPrice: cmd.limit,
        stopPrice: cmd.stop,
        targetPrice: twoR(cmd.limit, cmd.stop, instrument.tick),
      },
    });
    const lines = [
      `order: ${cmd.side} ${cmd.qty} ${describeInstrument(instrument)} ${cmd.limit === null ? 'at market' : `limit ${cmd.limit}`}${cmd.stop === null ? '' : `, protective stop ${cmd.stop}`}`,
    ];
    const outcome = this.openStructure(operatorStrategy, 'operator', request(cmd.qty));
    if (outcome.ok) return { ok: true, lines: [...lines, `accepted into group ${outcome.groupId}`] };
    const r = outcome.refusal;
    lines.push(`refused (${r.rule}): ${r.message}`);
    const fits = r.maxAllowedQty !== null && r.maxAllowedQty > 0 && r.maxAllowedQty < cmd.qty;
    if (!cmd.fit) {
      if (fits) lines.push(`the largest order that passes now: ${r.maxAllowedQty} (use --fit to send it)`);
      return { ok: false, lines };
    }
    if (!fits) return { ok: false, lines: [...lines, 'nothing smaller would pass: not sent'] };
    const fitted = this.openStructure(operatorStrategy, 'operator', request(r.maxAllowedQty as number));
    if (!fitted.ok)
      return {
        ok: false,
        lines: [...lines, `fitted order refused (${fitted.refusal.rule}): ${fitted.refusal.message}`],
      };
    return {
      ok: true,
      lines: [...lines, `fitted to ${r.maxAllowedQty}: accepted into group ${fitted.groupId}`],
    };
  }

  /** A group whose legs are all flat after settlement is closed as expired. */
  private finishSettledGroups(): void {
    const working = new Set(this.core.p.orders.live().map((o) => o.intent.groupId));
    for (const g of this.core.p.activeGroups) {
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

  private onPosition(
    instrumentId: Instrument['id'],
    qty: number,
    avgPrice: number,
    venuePositionId: VenuePositionId | null,
  ): void {
    const p = this.core.p;
    if (qty !== 0) capturePositionId(this.core, instrumentId, venuePositionId);
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

  /** Settles when the venue has answered for these terms (an operator's order waits for it). */
  whenInstrumentResolved(terms: InstrumentTerms): Promise<void> {
    return this.instruments.whenResolved(terms);
  }

  /** The venue's instrument for these terms; null when unknown or still being resolved. */
  resolve(terms: InstrumentTerms): Instrument | null {
    const r = this.instruments.resolve(terms);
    if (r.state === 'pending') return null;
    if (!r.value.ok) {
      // Said once: a strategy on a symbol its venue does not list would otherwise trade nothing in silence.
      const key = JSON.stringify(terms);
      if (!this.unresolvedSaid.has(key)) {
        this.unresolvedSaid.add(key);
        this.core.log(`instrument ${key}: ${r.value.reason}; nothing is traded on it`);
      }
      return null;
    }
    this.defineInstrument(r.value.instrument);
    return r.value.instrument;
  }

  /**
   * An event about an instrument keel has not defined waits for the venue to describe it (events
   * of that instrument stay in order behind it); one the venue cannot describe is a discrepancy,
   * never a crash: nothing of keel's can be on it, so nothing is booked.
   */
  private haveInstrument(id: InstrumentId, event: VenueEvent): boolean {
    if (this.heldIds.has(id)) return this.hold(id, event);
    if (this.core.p.instruments.has(id)) return true;
    const r = this.instruments.describe(id);
    if (r.state === 'pending') return this.hold(id, event);
    if (r.value === null) {
      this.raiseUnknownInstrument(id, `a venue ${event.type} event`);
      return false;
    }
    this.defineInstrument(r.value);
    return true;
  }

  private hold(id: InstrumentId, event: VenueEvent): false {
    assert(this.held.length < heldEventsMax, 'too many venue events wait for instrument descriptions');
    this.heldIds.add(id);
    this.held.push(event);
    return false;
  }

  private onLookupResolved(): void {
    const held = this.held.splice(0);
    this.heldIds.clear();
    for (const e of held) this.onVenueEvent(e);
    this.deps.onLookupResolved?.();
  }

  private raiseUnknownInstrument(id: InstrumentId, where: string): void {
    this.core.raise(
      'unknown-instrument',
      `${where} names instrument ${id}, which the venue cannot describe: not booked; check the venue`,
      null,
      null,
      `instrument:${id}`,
    );
  }

  /** The snapshot without records of instruments the venue cannot describe (each raised once). */
  private async describedOnly(snap: VenueSnapshot): Promise<VenueSnapshot> {
    const p = this.core.p;
    const ids = new Set<InstrumentId>();
    for (const x of snap.positions) ids.add(x.instrumentId);
    for (const x of snap.executions) ids.add(x.instrumentId);
    for (const x of snap.settlements) ids.add(x.instrumentId);
    for (const x of snap.positionHistory) ids.add(x.instrumentId);
    for (const o of snap.orders) for (const l of o.spec?.legs ?? []) ids.add(l.instrumentId);
    const unknown = [...ids].filter((id) => !p.instruments.has(id));
    if (unknown.length === 0) return snap;
    const described = await this.instruments.describeAll(unknown);
    const missing = new Set<InstrumentId>();
    for (const [id, i] of described) {
      if (i) this.defineInstrument(i);
      else {
        missing.add(id);
        this.raiseUnknownInstrument(id, 'the venue snapshot');
      }
    }
    if (missing.size === 0) return snap;
    const known = (x: { instrumentId: InstrumentId }) => !missing.has(x.instrumentId);
    return {
      ...snap,
      positions: snap.positions.filter(known),
      executions: snap.executions.filter(known),
      settlements: snap.settlements.filter(known),
      positionHistory: snap.positionHistory.filter(known),
      orders: snap.orders.filter((o) => !(o.spec?.legs ?? []).some((l) => missing.has(l.instrumentId))),
    };
  }

  private defineInstrument(i: Instrument): void {
    if (this.core.p.instruments.has(i.id)) return;
    this.core.recorder.record('instrument.defined', { instrument: i });
    this.deps.venue.watch([i.id]);
  }

  /** Each strategy's context functions, made once: a tick builds only the small context object. */
  private readonly contextActions = new Map<StrategyId, ContextActions>();

  private contextFor(strategyId: StrategyId): StrategyContext {
    const p = this.core.p;
    let actions = this.contextActions.get(strategyId);
    if (actions === undefined)
      this.contextActions.set(strategyId, (actions = this.makeContextActions(strategyId)));
    return {
      strategyId,
      now: this.core.now(),
      timeZone: p.timeZone,
      tradingState: p.tradingState,
      equity: p.budget.state === null ? null : p.budget.state.day.equityMicros / 1e6,
      market: this.market,
      resolve: actions.resolve,
      activeGroups: actions.activeGroups,
      groupsToday: actions.groupsToday,
      symbolsToday: actions.symbolsToday,
      openStructure: actions.openStructure,
      closeGroup: actions.closeGroup,
      reduceGroup: actions.reduceGroup,
      note: actions.note,
    };
  }

  private makeContextActions(strategyId: StrategyId): ContextActions {
    const p = this.core.p;
    const market = this.market;
    const mine = (): GroupRecord[] => [...p.groups.values()].filter((g) => g.strategyId === strategyId);
    const activeMine = (): GroupRecord[] => {
      const out: GroupRecord[] = [];
      for (const g of p.activeGroups) if (g.strategyId === strategyId) out.push(g);
      return out;
    };
    return {
      resolve: (terms) => this.resolve(terms),
      activeGroups: () => activeMine().map((g) => groupView(p, market, g)),
      groupsToday: () => this.groupSeq(strategyId, this.core.now()) - 1,
      symbolsToday: () => {
        const today = localDate(this.core.now(), p.timeZone);
        return mine()
          .filter((g) => localDate(g.openedAt, p.timeZone) === today)
          .flatMap((g) => g.legs.map((l) => p.requireInstrument(l.instrumentId).symbol));
      },
      openStructure: (request) => this.openStructure(strategyId, 'strategy', request),
      closeGroup: (groupId, reason, urgency) => {
        if (!(p.requireGroup(groupId).strategyId === strategyId))
          throw new InvariantError(`${strategyId} may only close its own groups`);
        this.closeGroup(groupId, reason, urgency);
      },
      reduceGroup: (groupId, keepUnits, reason) => {
        if (!(p.requireGroup(groupId).strategyId === strategyId))
          throw new InvariantError(`${strategyId} may only reduce its own groups`);
        this.closeGroup(groupId, reason, 'normal', keepUnits);
      },
      note: (message) => this.core.recorder.record('strategy.note', { strategyId, message }),
    };
  }
}

type ContextActions = Pick<
  StrategyContext,
  | 'resolve'
  | 'activeGroups'
  | 'groupsToday'
  | 'symbolsToday'
  | 'openStructure'
  | 'closeGroup'
  | 'reduceGroup'
  | 'note'
>;

function instrumentOf(event: VenueEvent): InstrumentId | null {
  switch (event.type) {
    case 'position':
    case 'settlement':
      return event.instrumentId;
    case 'fill':
      return event.fill.instrumentId;
    case 'accepted':
    case 'rejected':
    case 'cancelled':
    case 'cancelRejected':
    case 'connection':
      return null;
  }
}

function noPrice(i: Instrument): Refusal {
  return refusal(
    'noPrice',
    `no quote for ${describeInstrument(i)} to measure the order's exposure: give a limit price or wait for quotes`,
    null,
  );
}

/** The 2R take-profit of a bracket: entry + 2 x (entry - stop), rounded toward the entry. */
export function twoR(entry: number | null, stop: number | null, tick: number): number | null {
  if (entry === null || stop === null || entry === stop) return null;
  const target = entry + 2 * (entry - stop);
  if (!(target > 0)) return null;
  return roundToTick(target, tick, entry > stop ? 'down' : 'up');
}

function cancelledLine(r: { cancelled: number; protectiveKept: number }): string {
  const kept =
    r.protectiveKept === 0
      ? ''
      : `; ${r.protectiveKept} protective stop/target order(s) kept resting (flatten the group to remove them)`;
  return `cancel requested for ${r.cancelled} of keel's own working orders${kept}`;
}
