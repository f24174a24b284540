// The engine host: the one loop that feeds an engine. It starts the engine (journal replay, then
// reconciliation with the venue before any order), hands it every venue event through the venue's
// one subscription, acts on a burst of events once the burst is all in, ticks it, reconciles when
// it asks to, and serialises operator commands. It is driven by a scheduler: the simulator's
// event queue in `keel sim` (simulated clock, one seed), wall-clock timers against a real venue.
// The host owns no clock and no I/O of its own; the engine inside it stays deterministic.
import { assert, type AccountId, type Clock } from '../domain';
import type { Venue, VenueEvent } from '../venues/venue';
import { commandOutbox, send, type VenueCommand } from './command-outbox';
import { Engine } from './engine';
import type { EngineLog } from './engine-core';
import type { OperatorCommand, OperatorResult } from './operator';
import type { EventStore, PagedEventStore } from './recorder';
import type { EngineSettings } from './settings';
import type { Strategy } from './strategy';

export interface HostScheduler {
  /**
   * Runs `fn` once the input being handled now is done (the simulator: after the current queued
   * event; a live driver: on the next turn of the event loop). A burst of venue events that
   * arrive together (a fill and its position) is acted on there, all of it applied.
   */
  afterInput(fn: () => void): void;
}

export type HostOptions = {
  readonly venue: Venue;
  readonly store: EventStore | PagedEventStore;
  readonly clock: Clock;
  readonly scheduler: HostScheduler;
  /**
   * The journal refused what the engine wrote (fenced by another engine's lease, or the database
   * failed): nothing more is sent and the engine stops; the driver decides what the process does.
   */
  readonly onJournalRefused?: (e: unknown) => void;
  /** A new set of strategy instances for every engine start (a restart builds them again). */
  readonly strategies: () => readonly Strategy[];
  readonly settings: EngineSettings;
  readonly account: AccountId;
  readonly log: EngineLog;
  /**
   * An error that stands for the engine process dying (the simulator's injected crash): the
   * engine is dropped, its journal survives, and `onCrash` decides when to start it again. Any
   * other error is a bug and propagates.
   */
  readonly isCrash?: (e: unknown) => e is Error;
  readonly onCrash?: (e: Error) => void;
};

export class EngineHost {
  private engine: Engine | null = null;
  private unsubscribe: (() => void) | null = null;
  private burstPending = false;
  /** After stop() nothing reaches the engine: its journal may already be closed. */
  private stopped = false;
  /** One operator command or tick at a time: each sees the engine as the last one left it. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Commands held until the journal has made the events before them durable (null: it always has). */
  private readonly outbox: ReturnType<typeof commandOutbox> | null;
  private sending: Promise<void> = Promise.resolve();
  private journalRefused = false;

  constructor(private readonly options: HostOptions) {
    const store = options.store;
    this.outbox = 'durableOnAppend' in store && !store.durableOnAppend ? commandOutbox(options.venue) : null;
  }

  get current(): Engine | null {
    return this.engine;
  }

  /** Subscribes to the venue (once per host) and starts an engine from the journal. */
  async start(): Promise<Engine | null> {
    assert(this.engine === null, 'the host runs one engine at a time');
    this.unsubscribe ??= this.options.venue.subscribe((event) => this.onVenueEvent(event));
    const o = this.options;
    try {
      this.engine = await Engine.start({
        store: o.store,
        venue: this.outbox?.venue ?? o.venue,
        clock: o.clock,
        strategies: o.strategies(),
        settings: o.settings,
        account: o.account,
        log: o.log,
        onLookupResolved: () => this.onLookupResolved(),
      });
    } catch (e) {
      this.crashed(e);
    }
    this.release();
    return this.engine;
  }

  /** The engine dies where it stands (a killed process): nothing more reaches it. */
  kill(): void {
    this.engine = null;
  }

  /** Stops listening to the venue once the current turn is done; the engine stays readable. */
  async stop(): Promise<void> {
    await this.turn;
    await this.sending;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** A timer tick: exits, chases and strategies act; a reconciliation the engine asked for runs. */
  tick(): Promise<void> {
    return this.inTurn(async (e) => {
      e.onTick();
      if (e.needsReconcile()) await e.reconcile();
    });
  }

  reconcile(): Promise<void> {
    return this.inTurn(async (e) => {
      await e.reconcile();
    });
  }

  /** An operator command, applied between two inputs; answered even if the engine is down. */
  async operator(cmd: OperatorCommand): Promise<OperatorResult> {
    if (this.journalRefused)
      return {
        ok: false,
        lines: ["the journal refused this engine's writes: it has stopped and sends nothing"],
      };
    if (this.engine === null)
      return { ok: false, lines: ['the engine is restarting after a crash: try again shortly'] };
    // A broker may need a round trip to name the instrument: the operator's order waits for it
    // (bounded by the adapter's request timeout) instead of being refused as unknown.
    if (cmd.action === 'order') await this.engine.whenInstrumentResolved(cmd.instrument);
    let result: OperatorResult | null = null;
    await this.inTurn((e) => {
      result = e.operator(cmd);
    });
    return (
      result ?? {
        ok: false,
        lines: ['the engine crashed applying the command: it restarts from its journal'],
      }
    );
  }

  private onVenueEvent(event: VenueEvent): void {
    const engine = this.engine;
    if (engine === null || this.stopped) return; // a dead engine hears nothing; it reconciles on restart
    this.guard(() => engine.onVenueEvent(event));
    this.release();
    this.endOfBurstSoon();
  }

  private onLookupResolved(): void {
    this.endOfBurstSoon();
  }

  private endOfBurstSoon(): void {
    if (this.burstPending) return;
    this.burstPending = true;
    this.options.scheduler.afterInput(() => {
      this.burstPending = false;
      const engine = this.engine;
      if (engine !== null && !this.stopped) this.guard(() => engine.flush());
      this.release();
    });
  }

  /**
   * Sends what the engine's last steps asked for, once the journal has made durable every event
   * recorded before them (write-ahead on a journal that commits later). In order, one batch at a
   * time; after the journal refuses anything, nothing more is ever sent.
   */
  private release(): void {
    if (this.outbox === null) return;
    const commands = this.outbox.take();
    if (commands.length === 0) return;
    const store = this.options.store as PagedEventStore;
    this.sending = this.sending.then(async () => {
      if (this.journalRefused) return;
      try {
        await store.flush();
      } catch (e) {
        return this.refusedByJournal(e, commands);
      }
      for (const c of commands) send(this.options.venue, c);
    });
  }

  private refusedByJournal(e: unknown, unsent: readonly VenueCommand[]): void {
    this.journalRefused = true;
    this.stopped = true;
    this.engine = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.options.log(
      `the journal refused the engine's events (${e instanceof Error ? e.message : String(e)}): ${unsent.length} command(s) not sent; the engine stops`,
    );
    this.options.onJournalRefused?.(e);
  }

  private inTurn(fn: (e: Engine) => unknown): Promise<void> {
    const next = this.turn.then(async () => {
      const engine = this.engine;
      if (engine === null || this.stopped) return;
      try {
        await fn(engine);
      } catch (e) {
        this.crashed(e);
      }
      this.release();
    });
    this.turn = next;
    return next;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.crashed(e);
    }
  }

  private crashed(e: unknown): void {
    if (!this.options.isCrash?.(e)) throw e;
    this.engine = null;
    this.options.onCrash?.(e);
  }
}
