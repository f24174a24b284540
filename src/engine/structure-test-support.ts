// Test support for multi-leg execution: a venue whose answer to each order is scripted, and a
// driver that runs the real Engine against it and checks the defined-risk and ownership invariants
// after every venue event (incidents 2026-01-28 and 2026-02-13).
import {
  AccountId,
  ExecId,
  fixedClock,
  isLive,
  isOption,
  qtyAdd,
  timeZoneOf,
  toMicros,
  uncoveredShorts,
  VenueOrderId,
  type ClientOrderId,
  type GroupId,
  type Instrument,
  type InstrumentId,
  type InstrumentTerms,
  type OptionHolding,
  type OrderSpec,
  type Side,
} from '../domain';
import { remainingLegQty, type GroupRecord, type OrderRecord } from '../ledger/projection';
import type { MarketData, Quote, Venue, VenueEvent, VenueFill, VenueSnapshot } from '../venues/venue';
import { Engine } from './engine';
import { defaultEngineSettings, type EngineSettings } from './settings';
import { StrategyId } from '../domain';
import type { Urgency } from './strategy';
import { memoryStore, option } from './test-support';

/** What the venue does with one order keel sends. */
export type OrderScript =
  | { readonly kind: 'fill' }
  /** Fills part now; the rest fills after restDelayMs, or never (it rests until cancelled). */
  | {
      readonly kind: 'partial';
      readonly fraction: number;
      readonly rest: 'later' | 'never';
      readonly restDelayMs: number;
    }
  | { readonly kind: 'reject'; readonly code: number }
  /** Lost in transit: the venue never hears of it, so it never answers. */
  | { readonly kind: 'silent' }
  /** The connection drops as the order is sent; it comes back after downMs. */
  | { readonly kind: 'disconnect'; readonly downMs: number };

type VenueOrder = {
  readonly spec: OrderSpec;
  readonly venueOrderId: VenueOrderId;
  status: 'working' | 'filled' | 'cancelled' | 'rejected';
  filledUnits: number;
};

type Action = { readonly at: number; readonly seq: number; readonly run: () => void };

/** One thing the venue reports at once; `combo` bursts are one atomic combo execution. */
export type Burst = { readonly events: VenueEvent[]; readonly combo: boolean };

const latencyMs = 100;

/** An XSP option of the test chain: strikes 450..480 step 5, calls and puts. */
export function chainOption(strikeIndex: number, right: 'C' | 'P'): Instrument {
  return option(100 + strikeIndex * 2 + (right === 'C' ? 1 : 0), 450 + 5 * strikeIndex, right);
}

export class ScriptedVenue implements Venue {
  readonly name = 'scripted';
  readonly capabilities;
  readonly sent: OrderSpec[] = [];
  readonly cancels: ClientOrderId[] = [];
  readonly market: MarketData;
  /** Ground truth per instrument: the venue net, keel's part of it, and everybody else's. */
  readonly net = new Map<InstrumentId, number>();
  readonly keelNet = new Map<InstrumentId, number>();
  readonly foreign = new Map<InstrumentId, number>();
  /** Called with each order as it reaches the venue (keel has journaled its intent). */
  onSubmit: (spec: OrderSpec) => void = () => {};
  /** Called after every venue-side execution of keel's, before keel hears of it. */
  onExecution: () => void = () => {};
  /** When keel last sent an order or asked for a cancel. */
  lastAskedAt = 0;
  /** Bursts dropped while disconnected: keel learns of them only by reconciling. */
  dropped = 0;
  private readonly orders = new Map<ClientOrderId, VenueOrder>();
  private readonly executions: VenueFill[] = [];
  private readonly actions: Action[] = [];
  private readonly out: Burst[] = [];
  private connected = true;
  private seq = 0;
  private execNo = 0;
  private scriptNo = 0;

  constructor(
    private readonly instruments: readonly Instrument[],
    private readonly now: () => number,
    private scripts: readonly OrderScript[],
    combos: boolean,
    readonly quotes: ReadonlyMap<InstrumentId, Quote> = new Map(),
    marketOrders = true,
  ) {
    this.capabilities = {
      combos,
      nativeBrackets: false,
      positionHistory: false,
      reduceOnly: true,
      marketOrders,
    };
    this.market = {
      spot: () => 465,
      quote: (id) => this.quotes.get(id) ?? { bid: 1, ask: 1.1, mid: 1.05, t: 0 },
      optionChain: () => [],
    };
  }

  // ---- the Venue interface -----------------------------------------------------------------------

  resolveInstrument(terms: InstrumentTerms) {
    const i = this.instruments.find(
      (x) =>
        x.symbol === terms.symbol &&
        'strike' in terms &&
        x.kind === 'option' &&
        x.strike === terms.strike &&
        x.right === terms.right,
    );
    return i ? { ok: true as const, instrument: i } : { ok: false as const, reason: 'unknown' };
  }

  instrument(id: InstrumentId): Instrument | null {
    return this.instruments.find((i) => i.id === id) ?? null;
  }

  submit(spec: OrderSpec): void {
    this.sent.push(spec);
    this.lastAskedAt = this.now();
    this.onSubmit(spec);
    const t = this.now();
    if (!this.connected) return this.reportNow(this.unreachable(spec, t));
    const script = this.scripts[this.scriptNo++] ?? { kind: 'fill' };
    switch (script.kind) {
      case 'silent':
        return;
      case 'disconnect':
        this.setConnected(false);
        this.reportNow(this.unreachable(spec, t));
        return this.at(t + script.downMs, () => this.setConnected(true));
      case 'reject':
        return this.at(t + latencyMs, () => {
          const vo = this.addOrder(spec);
          vo.status = 'rejected';
          this.report([
            {
              type: 'rejected',
              t: this.now(),
              clientOrderId: spec.clientOrderId,
              venueOrderId: vo.venueOrderId,
              code: script.code,
              message: `rejected (${script.code})`,
            },
          ]);
        });
      case 'fill':
        this.at(t + latencyMs, () => this.accept(spec));
        return this.at(t + 2 * latencyMs, () => this.fillRest(spec.clientOrderId));
      case 'partial': {
        this.at(t + latencyMs, () => this.accept(spec));
        const now = Math.min(spec.qty - 1, Math.floor(spec.qty * script.fraction));
        if (now > 0) this.at(t + 2 * latencyMs, () => this.fillUnits(spec.clientOrderId, now));
        if (script.rest === 'later')
          this.at(t + 2 * latencyMs + script.restDelayMs, () => this.fillRest(spec.clientOrderId));
        return;
      }
    }
  }

  cancel(id: ClientOrderId): void {
    this.cancels.push(id);
    this.lastAskedAt = this.now();
    const t = this.now();
    if (!this.connected)
      return this.reportNow({
        events: [{ type: 'cancelRejected', t, clientOrderId: id, reason: 'not connected' }],
        combo: false,
      });
    this.at(t + latencyMs, () => {
      const vo = this.orders.get(id);
      if (!vo || vo.status !== 'working') {
        this.report([
          {
            type: 'cancelRejected',
            t: this.now(),
            clientOrderId: id,
            reason: vo ? `order is ${vo.status}` : 'unknown order',
          },
        ]);
        return;
      }
      vo.status = 'cancelled';
      this.report([
        {
          type: 'cancelled',
          t: this.now(),
          clientOrderId: id,
          venueOrderId: vo.venueOrderId,
          remainingQty: vo.spec.qty - vo.filledUnits,
          reason: 'cancelled by client',
        },
      ]);
    });
  }

  snapshot(): Promise<VenueSnapshot> {
    return Promise.resolve({
      t: this.now(),
      orders: [...this.orders.values()].map((o) => ({
        clientOrderId: o.spec.clientOrderId,
        venueOrderId: o.venueOrderId,
        spec: o.spec,
        status: o.status,
        filledQty: o.filledUnits,
        remainingQty: o.status === 'working' ? o.spec.qty - o.filledUnits : 0,
      })),
      positions: [...this.net]
        .filter(([, q]) => q !== 0)
        .map(([instrumentId, qty]) => ({ instrumentId, qty, avgPrice: 1, venuePositionId: null })),
      executions: [...this.executions],
      settlements: [],
      positionHistory: [],
    });
  }

  isConnected(): boolean {
    return this.connected;
  }

  // ---- what the rest of the world does ------------------------------------------------------------

  /** Someone else's quantity, at the venue before keel starts. */
  seedForeign(id: InstrumentId, qty: number): void {
    this.foreign.set(id, qtyAdd(this.foreign.get(id) ?? 0, qty));
    this.net.set(id, qtyAdd(this.net.get(id) ?? 0, qty));
  }

  /** Someone else trades the instrument while keel runs. */
  externalTrade(at: number, id: InstrumentId, qty: number): void {
    this.at(at, () => {
      this.seedForeign(id, qty);
      this.report([this.position(id)]);
    });
  }

  /** The connection drops at `at` for `downMs`, whatever keel is doing. */
  disconnect(at: number, downMs: number): void {
    this.at(at, () => {
      if (!this.connected) return;
      this.setConnected(false);
      this.at(this.now() + downMs, () => this.setConnected(true));
    });
  }

  // ---- the driver's side ----------------------------------------------------------------------------

  /** From now on, orders meet these scripts (then plain fills). */
  useScripts(scripts: readonly OrderScript[]): void {
    this.scripts = scripts;
    this.scriptNo = 0;
  }

  nextActionAt(): number | null {
    return this.actions.length === 0 ? null : Math.min(...this.actions.map((a) => a.at));
  }

  /** Runs every action due by `t` (in time order) and returns what the venue reported. */
  runDue(t: number): Burst[] {
    for (;;) {
      const due = this.actions.filter((a) => a.at <= t).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.actions.splice(this.actions.indexOf(due), 1);
      due.run();
    }
    return this.takeReported();
  }

  takeReported(): Burst[] {
    return this.out.splice(0, this.out.length);
  }

  isWorking(id: ClientOrderId): boolean {
    return this.orders.get(id)?.status === 'working';
  }

  // ---- internals ----------------------------------------------------------------------------------

  private at(at: number, run: () => void): void {
    this.actions.push({ at, seq: this.seq++, run });
  }

  private addOrder(spec: OrderSpec): VenueOrder {
    const vo: VenueOrder = {
      spec,
      venueOrderId: VenueOrderId.of(`V${this.orders.size + 1}`),
      status: 'working',
      filledUnits: 0,
    };
    this.orders.set(spec.clientOrderId, vo);
    return vo;
  }

  private accept(spec: OrderSpec): void {
    const vo = this.addOrder(spec);
    this.report([
      { type: 'accepted', t: this.now(), clientOrderId: spec.clientOrderId, venueOrderId: vo.venueOrderId },
    ]);
  }

  private fillRest(id: ClientOrderId): void {
    const vo = this.orders.get(id);
    if (vo) this.fillUnits(id, vo.spec.qty - vo.filledUnits);
  }

  /** Executes whole units (a combo unit executes every leg at once). */
  private fillUnits(id: ClientOrderId, units: number): void {
    const vo = this.orders.get(id);
    if (!vo || vo.status !== 'working' || units <= 0) return;
    const t = this.now();
    vo.filledUnits += units;
    if (vo.filledUnits === vo.spec.qty) vo.status = 'filled';
    const events: VenueEvent[] = [];
    const comboExecId = vo.spec.legs.length > 1 ? `C${this.execNo + 1}` : null;
    for (const leg of vo.spec.legs) {
      const qty = units * leg.ratio;
      const fill: VenueFill = {
        execId: ExecId.of(`E${++this.execNo}`),
        clientOrderId: id,
        venueOrderId: vo.venueOrderId,
        instrumentId: leg.instrumentId,
        side: leg.side,
        qty,
        price: this.market.quote(leg.instrumentId)?.mid ?? 1,
        commission: toMicros(0.65 * qty),
        comboExecId,
        venuePositionId: null,
        t,
      };
      this.executions.push(fill);
      const signed = leg.side === 'BUY' ? qty : -qty;
      this.keelNet.set(leg.instrumentId, qtyAdd(this.keelNet.get(leg.instrumentId) ?? 0, signed));
      this.net.set(leg.instrumentId, qtyAdd(this.net.get(leg.instrumentId) ?? 0, signed));
      events.push({ type: 'fill', t, fill });
    }
    this.onExecution();
    for (const leg of vo.spec.legs) events.push(this.position(leg.instrumentId));
    this.report(events, vo.spec.legs.length > 1);
  }

  private position(id: InstrumentId): VenueEvent {
    return { type: 'position', t: this.now(), instrumentId: id, qty: this.net.get(id) ?? 0, avgPrice: 1 };
  }

  private unreachable(spec: OrderSpec, t: number): Burst {
    return {
      events: [
        {
          type: 'rejected',
          t,
          clientOrderId: spec.clientOrderId,
          venueOrderId: null,
          code: 1100,
          message: 'Connectivity between client and venue has been lost',
        },
      ],
      combo: false,
    };
  }

  private setConnected(up: boolean): void {
    this.connected = up;
    this.out.push({ events: [{ type: 'connection', t: this.now(), up }], combo: false });
  }

  /** What the client library itself reports (it reaches keel even while disconnected). */
  private reportNow(burst: Burst): void {
    this.out.push(burst);
  }

  private report(events: VenueEvent[], combo = false): void {
    if (!this.connected) {
      this.dropped++;
      return;
    }
    this.out.push({ events, combo });
  }
}

// ---- the driver ------------------------------------------------------------------------------------

export type LegSpec = { readonly instrument: Instrument; readonly qtyPerUnit: number };

/** One unit of the structure as option holdings (for coverage). */
export function unitHoldings(legs: readonly LegSpec[]): OptionHolding[] {
  return legs.flatMap((l) =>
    isOption(l.instrument) ? [{ instrument: l.instrument, qty: l.qtyPerUnit }] : [],
  );
}

export type RunOptions = {
  readonly legs: readonly LegSpec[];
  readonly combos: boolean;
  readonly scripts: readonly OrderScript[];
  readonly foreign?: ReadonlyMap<InstrumentId, number>;
  readonly settings?: EngineSettings;
  readonly quotes?: ReadonlyMap<InstrumentId, Quote>;
  /** The venue takes market orders (default true). */
  readonly marketOrders?: boolean;
};

const strategyId = StrategyId.of('multi-leg');
const tickMs = 5_000;
const phaseMaxMs = 90 * 60_000;

/** Settings for these runs: a budget large enough that the sequencing, not the budget, decides. */
export const structureSettings: EngineSettings = {
  ...defaultEngineSettings,
  gate: { ...defaultEngineSettings.gate, executionsPerDayMax: 1_000, ordersPerMinuteMax: 1_000 },
};

export class StructureRun {
  readonly violations: string[] = [];
  /** A reduce in force: no close may take a leg below this many units. */
  private keepFloor = 0;
  private units = 0;
  private inComboBurst = false;

  private constructor(
    readonly engine: Engine,
    readonly venue: ScriptedVenue,
    readonly clock: ReturnType<typeof fixedClock>,
    readonly legs: readonly LegSpec[],
  ) {}

  static async start(o: RunOptions): Promise<StructureRun> {
    const clock = fixedClock(Date.UTC(2026, 1, 13, 15, 0), timeZoneOf('America/New_York'));
    const instruments = o.legs.map((l) => l.instrument);
    const venue = new ScriptedVenue(
      instruments,
      () => clock.now(),
      o.scripts,
      o.combos,
      o.quotes,
      o.marketOrders,
    );
    for (const [id, q] of o.foreign ?? []) venue.seedForeign(id, q);
    const engine = await Engine.start({
      store: memoryStore(),
      venue,
      clock,
      strategies: [],
      settings: o.settings ?? structureSettings,
      account: AccountId.of('U1'),
      log: () => {},
    });
    const run = new StructureRun(engine, venue, clock, o.legs);
    venue.onSubmit = (spec) => run.checkOrder(spec.clientOrderId);
    venue.onExecution = () => run.checkVenueTruth();
    return run;
  }

  get p() {
    return this.engine.projection;
  }

  get group(): GroupRecord {
    const g = [...this.p.groups.values()][0];
    if (!g) throw new Error('no group opened');
    return g;
  }

  open(units: number): GroupId | null {
    this.units = units;
    const outcome = this.engine.openStructure(strategyId, 'strategy', {
      kind: 'test',
      legs: this.legs.map((l) => ({ instrumentId: l.instrument.id, qtyPerUnit: l.qtyPerUnit })),
      units,
      note: null,
    });
    this.checkAll();
    return outcome.ok ? outcome.groupId : null;
  }

  close(urgency: Urgency, keepUnits = 0, scripts?: readonly OrderScript[]): void {
    if (scripts) this.venue.useScripts(scripts);
    // A full close lifts any reduce floor; a reduce sets it.
    this.keepFloor = keepUnits;
    this.engine.closeGroup(this.group.id, keepUnits === 0 ? 'test close' : 'test reduce', urgency, keepUnits);
    this.checkAll();
  }

  /** Advances time and delivers venue events until `done` or nothing can move any more. */
  async runUntil(done: (r: StructureRun) => boolean, maxMs = phaseMaxMs): Promise<boolean> {
    const deadline = this.clock.now() + maxMs;
    for (;;) {
      this.deliver(this.venue.runDue(this.clock.now()));
      // The engine acts on a tick after every change (a reconcile, say), as its event loop does.
      this.engine.onTick(false);
      this.deliver(this.venue.takeReported());
      this.checkAll();
      if (done(this)) return true;
      if (this.clock.now() >= deadline) return false;
      const next = this.venue.nextActionAt();
      this.clock.set(Math.max(Math.min(next ?? Infinity, this.clock.now() + tickMs), this.clock.now()));
      if (this.engine.needsReconcile()) {
        const summary = await this.engine.reconcile();
        if (summary) this.venue.dropped = 0;
        this.deliver(this.venue.takeReported());
        this.checkAll();
      }
    }
  }

  /** Nothing left to do: no live orders, and the group resting or trading halted. */
  settled(): boolean {
    if (this.groupOrders().some((o) => isLive(o.state))) return false;
    if (this.p.tradingState === 'HALTED') return true;
    const g = this.group;
    return g.status !== 'opening' && g.status !== 'closing';
  }

  /**
   * Keel waits on purpose: its live orders work at the venue at their price cap (the venue will not
   * fill them) and it has sent nothing, not even a cancel, for ten minutes. Not a storm, not stuck
   * on something unanswered.
   */
  restingAtCap(): boolean {
    const live = this.groupOrders().filter((o) => isLive(o.state));
    return (
      live.length > 0 &&
      live.every((o) => this.venue.isWorking(o.intent.clientOrderId)) &&
      this.clock.now() - this.venue.lastAskedAt >= 10 * 60_000
    );
  }

  groupOrders(): OrderRecord[] {
    return this.group.clientOrderIds.map((id) => this.p.orders.require(id));
  }

  owned(id: InstrumentId): number {
    return this.p.ownership.owned(id, this.group.id);
  }

  /** Owned holdings of the group as option holdings (for coverage). */
  holdings(extra: ReadonlyMap<InstrumentId, number> = new Map()): OptionHolding[] {
    return this.legs.flatMap((l) =>
      l.instrument.kind === 'option'
        ? [
            {
              instrument: l.instrument,
              qty: qtyAdd(this.owned(l.instrument.id), extra.get(l.instrument.id) ?? 0),
            },
          ]
        : [],
    );
  }

  deliver(bursts: Burst[]): void {
    for (const burst of bursts) {
      this.inComboBurst = burst.combo;
      for (const e of burst.events) {
        this.engine.onVenueEvent(e);
        this.checkHoldings(`after ${e.type}`);
      }
      this.inComboBurst = false;
      this.engine.flush();
      this.checkAll();
      // Orders sent while acting on this burst may have answers due now (a disconnected venue).
      const more = this.venue.takeReported();
      if (more.length > 0) this.deliver(more);
    }
  }

  // ---- invariants ---------------------------------------------------------------------------------

  private violate(what: string): void {
    if (this.violations.length < 20) this.violations.push(`t+${this.clock.now() - this.startT()}ms: ${what}`);
  }

  private startT(): number {
    return Date.UTC(2026, 1, 13, 15, 0);
  }

  checkAll(): void {
    this.checkHoldings('after acting');
    this.checkPessimistic('after acting');
    this.checkForeignView();
  }

  /** Owned legs: never flipped, never more than the structure, never below a reduce's floor, covered. */
  private checkHoldings(when: string): void {
    if (this.p.groups.size === 0) return;
    const g = this.group;
    for (const l of this.legs) {
      const owned = this.owned(l.instrument.id);
      if (owned * l.qtyPerUnit < 0) this.violate(`${when}: leg ${describe(l)} flipped to ${owned}`);
      if (Math.abs(owned) > Math.abs(l.qtyPerUnit) * this.units)
        this.violate(`${when}: leg ${describe(l)} owned ${owned} exceeds the structure`);
      if (
        g.status !== 'opening' &&
        this.keepFloor > 0 &&
        Math.abs(owned) < Math.abs(l.qtyPerUnit) * this.keepFloor
      )
        this.violate(
          `${when}: leg ${describe(l)} owned ${owned} is below the reduce floor ${this.keepFloor}`,
        );
    }
    if (this.inComboBurst) return; // one combo execution: its legs land together
    const naked = uncoveredShorts(this.holdings());
    if (naked.length > 0)
      this.violate(
        `${when}: uncovered short ${naked.map((n) => `${n.uncoveredQty}x ${n.instrument.strike}${n.instrument.right}`).join(', ')} (holdings ${this.describeHoldings()})`,
      );
  }

  /**
   * If every working single-leg sell filled and no working single-leg buy did, the group would
   * still be covered (a combo executes whole units, so it counts filled or not, both checked).
   */
  private checkPessimistic(when: string): void {
    if (this.p.groups.size === 0) return;
    const live = this.groupOrders().filter((o) => isLive(o.state));
    if (live.length === 0) return;
    for (const combosFill of [false, true]) {
      const extra = new Map<InstrumentId, number>();
      for (const o of live) {
        const combo = o.intent.legs.length > 1;
        for (const leg of o.intent.legs) {
          const rest = remainingLegQty(o, leg.instrumentId);
          const counts = combo ? combosFill : leg.side === 'SELL';
          if (counts)
            extra.set(leg.instrumentId, qtyAdd(extra.get(leg.instrumentId) ?? 0, sign(leg.side) * rest));
        }
      }
      const naked = uncoveredShorts(this.holdings(extra));
      if (naked.length > 0)
        this.violate(
          `${when}: if working orders filled (${live.map((o) => `${o.intent.clientOrderId} ${o.intent.legs.map((l) => `${l.side} ${l.ratio}x${l.instrumentId}`).join('+')} x${o.intent.qty} ${o.state}`).join('; ')}), ${naked.map((n) => `${n.uncoveredQty}x ${n.instrument.strike}${n.instrument.right}`).join(', ')} would be uncovered (holdings ${this.describeHoldings()})`,
        );
    }
  }

  /** Keel's view of foreign quantity equals the venue's truth whenever keel has heard everything. */
  private checkForeignView(): void {
    if (this.venue.dropped > 0 || !this.venue.isConnected()) return;
    for (const l of this.legs) {
      const id = l.instrument.id;
      if (this.p.ownership.venueNetQty(id) === null) continue;
      const truth = this.venue.foreign.get(id) ?? 0;
      if (this.p.ownership.foreign(id) !== truth)
        this.violate(
          `keel sees foreign ${this.p.ownership.foreign(id)} of ${describe(l)}, the venue ${truth}`,
        );
    }
  }

  /** At the venue: keel's own part never flips and never exceeds the structure, so foreign is intact. */
  checkVenueTruth(): void {
    for (const l of this.legs) {
      const k = this.venue.keelNet.get(l.instrument.id) ?? 0;
      if (k * l.qtyPerUnit < 0 || Math.abs(k) > Math.abs(l.qtyPerUnit) * this.units)
        this.violate(`at the venue keel's ${describe(l)} is ${k}: keel traded into foreign quantity`);
      const net = this.venue.net.get(l.instrument.id) ?? 0;
      if (qtyAdd(net, -k) !== (this.venue.foreign.get(l.instrument.id) ?? 0))
        this.violate(`at the venue foreign ${describe(l)} changed`);
    }
  }

  /** At submission: inside the group's legs, the right side, and within owned minus working closes. */
  private checkOrder(id: ClientOrderId): void {
    const order = this.p.orders.require(id);
    const g = this.p.requireGroup(order.intent.groupId);
    const legIds = new Set(g.legs.map((l) => l.instrumentId));
    if (this.p.tradingState === 'HALTED') this.violate(`${id} sent while HALTED`);
    for (const leg of order.intent.legs)
      if (!legIds.has(leg.instrumentId))
        this.violate(`${id} orders ${leg.instrumentId}, not a leg of ${g.id}`);
    if (order.intent.intent === 'open') {
      if (g.status !== 'opening') this.violate(`${id}: an open order while the group is ${g.status}`);
      return;
    }
    for (const leg of order.intent.legs) {
      const owned = this.p.ownership.owned(leg.instrumentId, g.id);
      const closingSide: Side = owned > 0 ? 'SELL' : 'BUY';
      if (owned === 0 || leg.side !== closingSide) {
        this.violate(`${id}: ${leg.side} ${leg.instrumentId} while the group owns ${owned}`);
        continue;
      }
      let working = 0;
      for (const o of this.groupOrders()) {
        if (o.intent.intent !== 'close' && o.intent.intent !== 'reduce') continue;
        if (o.intent.legs.some((x) => x.instrumentId === leg.instrumentId && x.side === closingSide))
          working = qtyAdd(working, remainingLegQty(o, leg.instrumentId));
      }
      if (working > Math.abs(owned))
        this.violate(`${id}: closes of ${leg.instrumentId} would take ${working} of owned ${owned}`);
      const l = g.legs.find((x) => x.instrumentId === leg.instrumentId);
      const floor = Math.abs(l?.qtyPerUnit ?? 0) * this.keepFloor;
      if (Math.abs(owned) - working < floor)
        this.violate(`${id}: closes of ${leg.instrumentId} would go below the reduce floor ${floor}`);
    }
  }

  describeHoldings(): string {
    return this.legs.map((l) => `${this.owned(l.instrument.id)} ${describe(l)}`).join(', ');
  }
}

function sign(side: Side): number {
  return side === 'BUY' ? 1 : -1;
}

function describe(l: LegSpec): string {
  const i = l.instrument;
  return i.kind === 'option' ? `${i.strike}${i.right}` : i.symbol;
}
