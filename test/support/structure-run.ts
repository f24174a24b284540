// Runs the real Engine against the scripted venue (scripted-venue.ts) for the multi-leg tests and
// checks the defined-risk and ownership invariants after every venue event (incidents 2026-01-28
// and 2026-02-13): never a flipped or uncovered leg, never a close beyond what keel owns, never a
// foreign quantity touched.
import {
  AccountId,
  fixedClock,
  isLive,
  isOption,
  qtyAdd,
  StrategyId,
  timeZoneOf,
  uncoveredShorts,
  type ClientOrderId,
  type GroupId,
  type Instrument,
  type InstrumentId,
  type OptionHolding,
  type Side,
} from '../../src/domain';
import { Engine } from '../../src/engine/engine';
import { defaultEngineSettings, type EngineSettings } from '../../src/engine/settings';
import type { Urgency } from '../../src/engine/strategy';
import { remainingLegQty, type GroupRecord, type OrderRecord } from '../../src/ledger/projection';
import type { Quote } from '../../src/venues/venue';
import { memoryStore, option } from './engine-fixtures';
import { ScriptedVenue, type Burst, type OrderScript } from './scripted-venue';

/** An XSP option of the test chain: strikes 450..480 step 5, calls and puts. */
export function chainOption(strikeIndex: number, right: 'C' | 'P'): Instrument {
  return option(100 + strikeIndex * 2 + (right === 'C' ? 1 : 0), 450 + 5 * strikeIndex, right);
}

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
  readonly quotes?: Map<InstrumentId, Quote>;
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
    const venue = new ScriptedVenue({
      instruments,
      now: () => clock.now(),
      scripts: o.scripts,
      combos: o.combos,
      ...(o.quotes === undefined ? {} : { quotes: o.quotes }),
      ...(o.marketOrders === undefined ? {} : { marketOrders: o.marketOrders }),
    });
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
