// One deterministic simulation: the simulated market, the simulated venue with the scenario's
// faults, and the engine host, on a simulated clock driven by one seed. The simulator is one
// driver of the host (engine/host.ts): its event queue is the host's scheduler, its market steps
// the host's ticks. Same scenario and seed, byte-identical outputs. The engine may crash (it is
// discarded; its journal survives) and is restarted from its journal, as a killed process would be.
import {
  addDays,
  assert,
  InvariantError,
  AccountId,
  atDateTime,
  fixedClock,
  isTradingDay,
  localDate,
  localHhmm,
  seededRng,
  type Clock,
  sessionClose,
  sessionTimeOn,
  type InstrumentId,
  type InstrumentTerms,
  type LocalDate,
} from '../../domain';
import type { Engine } from '../../engine/engine';
import type { EngineReadout } from '../../engine/readout';
import { EngineHost } from '../../engine/host';
import type { OperatorCommand, OperatorResult } from '../../engine/operator';
import type { Projection } from '../../ledger/projection';
import {
  buildDailyLog,
  buildDailyLogs,
  buildReport,
  groupUnrealized,
  type Marks,
  type Report,
} from '../../engine/report';
import type { EngineSettings } from '../../engine/settings';
import type { Strategy } from '../../engine/strategy';
import { openJournal } from '../../ledger/journal';
import { eventVersions } from '../../ledger/events';
import { SimInstrumentRegistry } from '../../venues/sim/instruments';
import { SimVenue } from '../../venues/sim/sim-venue';
import type { SimScheduler } from '../../venues/sim/scheduler';
import type { VenueLogLine } from '../../venues/sim/venue-log';
import type { Venue } from '../../venues/venue';
import type { CrashEngineFault, ScenarioOperatorCommand, Scenario } from '../scenario';
import { CrashableStore, EngineCrash } from './crash';
import { EventQueue } from './event-queue';
import { ScenarioFaultPlan } from './fault-plan';
import { settingsForScenario } from './settings-for-scenario';
import { SimMarket } from './sim-market';

export type StrategyFactory = (scenario: Scenario) => Strategy[];

/**
 * A broker's real client library in front of the simulated venue (`keel sim --through`): the
 * engine talks to `venue`, an adapter whose loopback fake of the broker forwards to the simulated
 * venue, so the venue's faults reach the wire. The simulated venue stays the ground truth and
 * writes the venue log.
 */
export type ThroughLink = {
  readonly venue: Venue;
  /** Resolves once everything either side has sent so far has arrived and been handled. */
  sync(): Promise<void>;
  close(): Promise<void>;
};

export type SimRunOptions = {
  readonly strategies: StrategyFactory;
  readonly settings?: EngineSettings;
  /** A journal file; default an in-memory journal that outlives engine crashes within the run. */
  readonly journalPath?: string;
  readonly log?: (line: string) => void;
  /** Called on every market step with the fraction of the session done. */
  readonly progress?: (fraction: number, t: number) => void;
  /** Awaited before each simulated event at time t: `--realtime` waits for the wall clock here. */
  readonly pace?: (t: number) => Promise<void>;
  /** Receives the run's operator handle (the HTTP API gives commands through it). */
  readonly control?: (control: SimControl) => void;
  /** Ends the run after the event in progress (Ctrl-C): the journal is left consistent. */
  readonly stop?: AbortSignal;
  /** Runs the engine through a broker's client library and a loopback fake of the broker. */
  readonly through?: (sim: SimVenue, clock: Clock) => Promise<ThroughLink>;
  /** Sees every event the engine journals, once durable (the run's alerts). Must not throw. */
  readonly onAppend?: (event: { type: string; t: number; data: unknown }) => void;
};

/** Operator commands given while the run goes, applied at the current simulated time. */
export type SimControl = {
  operator(cmd: OperatorCommand): Promise<OperatorResult>;
  projection(): Projection | null;
  /** What the dashboard reads: groups marked to mid, exits, the simulated clock (null while restarting). */
  readout?(): EngineReadout | null;
};

export type SimRunResult = {
  readonly report: Report;
  readonly venueLog: readonly VenueLogLine[];
  readonly dailyLog: string;
  /** One log per trading day when the run spans several. */
  readonly dailyLogs: readonly { readonly day: string; readonly text: string }[];
  readonly engineLog: readonly string[];
  readonly stats: { readonly events: number; readonly crashes: number; readonly marketSteps: number };
  /** The simulated instant the run was stopped at, when `stop` ended it early. */
  readonly stoppedAt: number | null;
};

export async function runScenario(scenario: Scenario, options: SimRunOptions): Promise<SimRunResult> {
  const run = new SimRun(scenario, options);
  return run.execute();
}

class SimRun {
  private readonly clock;
  private readonly queue = new EventQueue();
  private readonly venue: SimVenue;
  private readonly market: SimMarket;
  private readonly store: CrashableStore;
  private readonly closeStore: () => void;
  private readonly engineLog: string[] = [];
  private readonly pendingOperator: ScenarioOperatorCommand[] = [];
  private readonly crashQueue: CrashEngineFault[];
  private host!: EngineHost;
  private link: ThroughLink | null = null;
  /** What the host runs once the current queued event is done (the end of a venue burst). */
  private readonly afterEvent: (() => void)[] = [];
  private crashes = 0;
  private events = 0;
  private marketSteps = 0;
  private restartPending = false;
  /** The last market step of each local date, and the marks of what keel owned then. */
  private readonly dayEndSteps = new Set<number>();
  private readonly dayEndMarks = new Map<LocalDate, Marks>();
  /** Per local date: whether it trades and when clock.session ends on it (early closes end early). */
  private readonly sessionEnds = new Map<LocalDate, string | null>();

  constructor(
    private readonly scenario: Scenario,
    private readonly options: SimRunOptions,
  ) {
    const rng = seededRng(scenario.seed);
    this.clock = fixedClock(scenario.clock.start.t, scenario.timeZone);
    const scheduler: SimScheduler = {
      at: (t, label, fn) => this.queue.push(Math.max(t, this.clock.now()), label, fn),
      now: () => this.clock.now(),
    };
    const registry = new SimInstrumentRegistry(
      new Map(scenario.market.map((m) => [m.symbol, { symbol: m.symbol, kind: m.kind }])),
      scenario.venue.products,
    );
    this.market = new SimMarket(scenario, registry, rng.fork('market'));
    const v = scenario.venue;
    this.venue = new SimVenue(
      { ...v, midFillChance: 0.35, timeZone: scenario.timeZone },
      registry,
      this.market,
      scheduler,
      rng.fork('venue'),
      new ScenarioFaultPlan(scenario, rng.fork('faults')),
    );
    const journal = openJournal(options.journalPath ?? ':memory:', {
      knownVersions: eventVersions,
      owner: `keel sim ${scenario.name}`,
      nowMs: scenario.clock.start.t,
    });
    this.store = new CrashableStore(journal, options.onAppend ?? null);
    this.closeStore = () => journal.close();
    this.crashQueue = scenario.faults
      .filter((f): f is CrashEngineFault => f.kind === 'crashEngine' && f.trigger.kind === 'afterAppends')
      .sort((a, b) =>
        a.trigger.kind === 'afterAppends' && b.trigger.kind === 'afterAppends'
          ? a.trigger.appends - b.trigger.appends
          : 0,
      );
    this.armNextAppendCrash();
  }

  private buildHost(venue: Venue): EngineHost {
    const { scenario, options } = this;
    return new EngineHost({
      venue,
      store: this.store,
      clock: this.clock,
      scheduler: { afterInput: (fn) => this.afterEvent.push(fn) },
      strategies: () => options.strategies(scenario),
      settings: options.settings ?? settingsForScenario(scenario),
      account: AccountId.of('SIM-1'),
      log: (line) => this.log(line),
      isCrash: (e): e is EngineCrash => e instanceof EngineCrash,
      onCrash: (e) => this.onCrash(e),
    });
  }

  private get engine(): Engine | null {
    return this.host.current;
  }

  async execute(): Promise<SimRunResult> {
    this.link = this.options.through ? await this.options.through(this.venue, this.clock) : null;
    this.host = this.buildHost(this.link?.venue ?? this.venue);
    if (this.link) await this.link.venue.connect();
    this.options.control?.({
      operator: (cmd) =>
        new Promise<OperatorResult>((resolve) => {
          this.queue.push(this.clock.now(), 'operator api', async () => {
            const result = await this.host.operator(cmd);
            for (const line of result.lines) this.log(`operator ${cmd.action} (api): ${line}`);
            resolve(result);
          });
        }),
      projection: () => this.engine?.projection ?? null,
      readout: () => this.engine?.readout() ?? null,
    });
    try {
      this.seedExternalPositions();
      await this.startEngine();
      this.scheduleWorld();
      const end = this.scenario.clock.end.t;
      while (this.queue.size > 0 && (this.queue.peekTime() ?? Infinity) <= end) {
        if (this.options.stop?.aborted) break;
        const next = this.queue.pop();
        assert(next !== undefined, 'queue emptied under us');
        // The clock moves first: a command arriving while paced is queued at or after this event.
        this.clock.set(next.t);
        if (this.options.pace) await this.options.pace(next.t);
        this.events++;
        await next.fn();
        if (this.link) await this.link.sync();
        if (this.afterEvent.length > 0) for (const fn of this.afterEvent.splice(0)) fn();
        // What the end of the burst sent reaches the venue at this instant, as in-process.
        if (this.link) await this.link.sync();
      }
      if (this.engine === null) await this.startEngine();
      await this.host.reconcile();
      const engine = this.engine as Engine | null;
      assert(engine !== null, 'the engine could not be started to write its report');
      const p = engine.projection;
      p.ownership.assertConsistent();
      p.assertIndexes();
      const title = `${this.scenario.name} (seed ${this.scenario.seed})`;
      const days = this.tradingDates();
      const marks = this.ownedMarks(p);
      const report = buildReport(p, this.scenario.name, this.scenario.seed, {
        startEquity: this.scenario.account.equity,
        crashes: this.crashes,
        duplicateFillsIgnored: p.duplicateFillsIgnored,
        ...openAtEnd(p, marks),
      });
      return {
        report,
        venueLog: this.venue.venueLog(),
        dailyLog: buildDailyLog(p, report, title, null, marks),
        dailyLogs:
          days.length > 1
            ? buildDailyLogs(
                this.store,
                p.timeZone,
                report,
                title,
                days,
                (d) => this.dayEndMarks.get(d) ?? null,
              )
            : [],
        engineLog: this.engineLog,
        stats: { events: this.events, crashes: this.crashes, marketSteps: this.marketSteps },
        stoppedAt: this.options.stop?.aborted ? this.clock.now() : null,
      };
    } finally {
      await this.host.stop();
      if (this.link) {
        await this.link.venue.close();
        await this.link.close();
      }
      this.closeStore();
    }
  }

  // ---- the world ----------------------------------------------------------------------------------

  private seedExternalPositions(): void {
    for (const pos of this.scenario.external.positions) {
      const instrument = this.resolve(pos.instrument);
      this.venue.seedPosition(instrument, pos.qty, pos.avgPrice);
    }
    this.market.advanceTo(this.clock.now());
    this.venue.logOpeningPositions();
  }

  private scheduleWorld(): void {
    const { start, end } = this.scenario.clock;
    const stepMs = Math.min(...this.scenario.market.map((m) => m.stepMs));
    const lastStepOn = new Map<LocalDate, number>();
    const steps: number[] = [];
    for (let t = start.t + stepMs; t <= end.t; t += stepMs) {
      if (!this.inSession(t)) continue;
      steps.push(t);
      lastStepOn.set(localDate(t, this.scenario.timeZone), t);
    }
    for (const t of lastStepOn.values()) this.dayEndSteps.add(t);
    // Each step is queued when the one before it runs, under the order number it would have had
    // queued with all the others now: the same run, without a month of steps waiting in the queue.
    const first = this.queue.reserve(steps.length);
    const step = (k: number): void => {
      const t = steps[k];
      if (t === undefined) return;
      this.queue.pushReserved(t, first + k, 'market step', () => {
        step(k + 1);
        return this.marketStep(t);
      });
    };
    step(0);
    // Expiries settle and DAY orders end at each trading day's close (13:00 on an early close);
    // a 24/7 market never closes.
    const { calendar, timeZone } = this.scenario.clock;
    for (const date of this.clockDates()) {
      const close = sessionClose(date, calendar);
      if (close === null) continue;
      const settleAt = atDateTime(date, close, timeZone);
      if (settleAt > start.t && settleAt <= end.t)
        this.queue.push(settleAt, 'settlement', () => this.venue.settleExpiring());
    }
    for (const f of this.scenario.faults) {
      switch (f.kind) {
        case 'crashEngine':
          if (f.trigger.kind === 'at')
            this.queue.push(f.trigger.at.t, 'crash', () => this.crash(f.restartAfterMs));
          break;
        case 'disconnect':
          this.queue.push(f.at.t, 'disconnect', () => this.venue.setConnected(false));
          this.queue.push(f.at.t + f.durationMs, 'reconnect', () => this.venue.setConnected(true));
          break;
        case 'duplicateFill':
        case 'reject':
        case 'partialFill':
        case 'delayFill':
          break; // applied by the venue's fault plan
      }
    }
    for (const o of this.scenario.external.orders) {
      this.queue.push(o.at.t, 'external order', () =>
        this.venue.submitExternal(this.resolve(o.instrument), o.side, o.qty, o.type, o.limitPrice),
      );
    }
    for (const cmd of this.scenario.operator)
      this.queue.push(cmd.at.t, `operator ${cmd.action}`, () => this.operator(cmd));
  }

  private async marketStep(t: number): Promise<void> {
    this.marketSteps++;
    this.market.advanceTo(t);
    this.venue.onMarketStep();
    await this.host.tick();
    // What keel holds overnight is shown at the day's last prices in that day's log.
    const p = this.engine?.projection;
    if (this.dayEndSteps.has(t) && p !== undefined)
      this.dayEndMarks.set(localDate(t, this.scenario.timeZone), this.ownedMarks(p));
    const { start, end } = this.scenario.clock;
    this.options.progress?.((t - start.t) / (end.t - start.t), t);
  }

  private async operator(cmd: ScenarioOperatorCommand): Promise<void> {
    if (this.engine === null) {
      this.pendingOperator.push(cmd); // the operator waits for the engine to come back
      return;
    }
    const result = await this.host.operator(toEngineCommand(cmd));
    if (this.engine === null && !result.ok) return; // it crashed applying it: the log says so
    for (const line of result.lines) this.log(`operator ${cmd.action}: ${line}`);
  }

  // ---- the engine's life --------------------------------------------------------------------------

  private async startEngine(): Promise<void> {
    this.restartPending = false;
    this.venue.logEngine('start');
    if ((await this.host.start()) === null) return;
    for (const cmd of this.pendingOperator.splice(0)) await this.operator(cmd);
  }

  private crash(restartAfterMs: number): void {
    if (this.engine === null) return;
    this.host.kill();
    this.crashes++;
    this.venue.logEngine('crash');
    this.log('ENGINE CRASH (scheduled)');
    this.scheduleRestart(restartAfterMs);
  }

  private onCrash(e: Error): void {
    const fault = this.crashQueue.shift();
    this.crashes++;
    this.venue.logEngine('crash');
    this.log(`ENGINE CRASH: ${e.message}`);
    this.armNextAppendCrash();
    this.scheduleRestart(fault?.restartAfterMs ?? 0);
  }

  private scheduleRestart(afterMs: number): void {
    if (this.restartPending) return;
    this.restartPending = true;
    this.queue.push(this.clock.now() + afterMs, 'engine restart', () => this.startEngine());
  }

  private armNextAppendCrash(): void {
    const next = this.crashQueue[0];
    if (next && next.trigger.kind === 'afterAppends') this.store.crashAfterAppend(next.trigger.appends);
  }

  private resolve(terms: InstrumentTerms) {
    const r = this.venue.resolveInstrument(terms);
    if (!r.ok)
      throw new InvariantError(`scenario instrument ${JSON.stringify(terms)}: ${r.ok ? '' : r.reason}`);
    return r.instrument;
  }

  /** Mid prices, now, of every instrument keel owns. */
  private ownedMarks(p: Projection): Marks {
    const marks = new Map<InstrumentId, number>();
    for (const id of p.ownership.instruments()) {
      if (p.ownership.ownedTotal(id) === 0) continue;
      const quote = this.market.quote(id);
      if (quote !== null) marks.set(id, quote.mid);
    }
    return marks;
  }

  /** Inside trading hours on a trading day of the calendar (always, without clock.session). */
  private inSession(t: number): boolean {
    const session = this.scenario.clock.session;
    if (session === null) return true;
    const zone = this.scenario.timeZone;
    const date = localDate(t, zone);
    let end = this.sessionEnds.get(date);
    if (end === undefined) {
      const { calendar } = this.scenario.clock;
      end = isTradingDay(date, calendar) ? sessionTimeOn(session.close, date, calendar) : null;
      this.sessionEnds.set(date, end);
    }
    if (end === null) return false;
    const hhmm = localHhmm(t, zone);
    return hhmm >= session.open && hhmm <= end;
  }

  /** Local dates of the trading days the clock window covers. */
  private tradingDates(): string[] {
    return this.clockDates().filter((d) => isTradingDay(d, this.scenario.clock.calendar));
  }

  /** Every local date from the clock's start to its end, by date (a day is 23 or 25 hours at a change). */
  private clockDates(): LocalDate[] {
    const { start, end, timeZone } = this.scenario.clock;
    const last = localDate(end.t, timeZone);
    const dates: LocalDate[] = [];
    for (let d = localDate(start.t, timeZone); d <= last; d = addDays(d, 1)) dates.push(d);
    return dates;
  }

  private log(line: string): void {
    const stamped = `${this.market.stamp(this.clock.now())} ${line}`;
    this.engineLog.push(stamped);
    this.options.log?.(stamped);
  }
}

/** report.json's summary of what is still open at the end: groups and their unrealized PnL. */
function openAtEnd(p: Projection, marks: Marks): { openGroups: number; unrealizedPnl: number | null } {
  let openGroups = 0;
  let unrealized: number | null = 0;
  for (const g of p.groups.values()) {
    if (!g.legs.some((l) => p.ownership.owned(l.instrumentId, g.id) !== 0)) continue;
    openGroups++;
    const u = groupUnrealized(p, g, marks);
    unrealized = u === null || unrealized === null ? null : unrealized + Math.round(u / 10_000);
  }
  return { openGroups, unrealizedPnl: unrealized === null ? null : unrealized / 100 };
}

function toEngineCommand(cmd: ScenarioOperatorCommand): OperatorCommand {
  switch (cmd.action) {
    case 'order':
      return {
        action: 'order',
        instrument: cmd.instrument,
        side: cmd.side,
        qty: cmd.qty,
        type: cmd.type,
        limit: cmd.limitPrice,
        stop: cmd.protectiveStopPrice ?? cmd.stopPrice,
        fit: cmd.fit,
      };
    case 'flatten':
      return {
        action: 'flatten',
        group: cmd.target.kind === 'group' ? cmd.target.groupId : null,
        strategy: cmd.target.kind === 'strategy' ? cmd.target.strategyId : null,
      };
    case 'halt':
      return { action: 'halt', reason: cmd.reason };
    case 'resume':
      return { action: 'resume', reason: cmd.reason };
    case 'cancel':
      return { action: 'cancel', mine: true };
    case 'reconcile':
      return { action: 'reconcile' };
    case 'resolve':
      return { action: 'resolve', id: cmd.id, reason: cmd.reason };
  }
}
