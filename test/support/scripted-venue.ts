// The one hand-written Venue for tests: a venue whose answer to each order keel sends is scripted
// (fill, fill part now and the rest later or never, reject with a code, never answer, drop the
// link as the order goes out). It keeps the ground truth a property test checks keel against: the
// venue's net per instrument, keel's part of it and everybody else's.
//
// Why not the simulated venue: the simulated venue decides fills from prices, latency and a seeded
// rng, so a test can only reach a given sequence of answers indirectly. The structure executor's
// property test (src/engine/structure-executor.property.test.ts) and the reduce and leg-pricing
// tests need the exact answer per order, in the exact order, to search the space of partial fills,
// rejects and disconnects for a naked short. In `recording` mode it answers nothing at all and only
// keeps what keel sent and cancelled: engine tests that hand every venue event to the engine
// themselves use it so. Everything else (the scenarios, the fault tests, the venue conformance
// suite) runs against the simulated venue.
//
// Its events are not pushed to a subscriber: the test drains them (`runDue`, `takeReported`) and
// hands them to the engine, so a test decides when keel hears what.
import {
  ExecId,
  qtyAdd,
  toMicros,
  VenueOrderId,
  type ClientOrderId,
  type Instrument,
  type InstrumentId,
  type InstrumentTerms,
  type OrderSpec,
} from '../../src/domain';
import type {
  MarketData,
  Quote,
  ResolveResult,
  Venue,
  VenueCapabilities,
  VenueEvent,
  VenueFill,
  VenueSnapshot,
} from '../../src/venues/venue';

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
  /** Lost in transit: the venue never hears of it, so it never answers (recording mode: every order). */
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

export type ScriptedVenueOptions = {
  readonly instruments: readonly Instrument[];
  /** The test's clock. */
  readonly now: () => number;
  /** Answers for the orders keel sends, in the order it sends them. */
  readonly scripts?: readonly OrderScript[];
  /** What an order past the scripts meets (default: a plain fill). */
  readonly unscripted?: OrderScript;
  readonly combos?: boolean;
  readonly marketOrders?: boolean;
  /** Quotes by instrument (1.00 / 1.10 where none is set): the test's own map, which it may change. */
  readonly quotes?: Map<InstrumentId, Quote>;
};

export class ScriptedVenue implements Venue {
  readonly name = 'scripted';
  readonly capabilities: VenueCapabilities;
  readonly sent: OrderSpec[] = [];
  readonly cancels: ClientOrderId[] = [];
  readonly quotes: Map<InstrumentId, Quote>;
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
  private readonly instruments: readonly Instrument[];
  private readonly now: () => number;
  private readonly unscripted: OrderScript;
  private readonly orders = new Map<ClientOrderId, VenueOrder>();
  private readonly executions: VenueFill[] = [];
  private readonly actions: Action[] = [];
  private readonly out: Burst[] = [];
  private scripts: readonly OrderScript[];
  private connected = true;
  private seq = 0;
  private execNo = 0;
  private scriptNo = 0;

  constructor(o: ScriptedVenueOptions) {
    this.instruments = o.instruments;
    this.now = o.now;
    this.scripts = o.scripts ?? [];
    this.unscripted = o.unscripted ?? { kind: 'fill' };
    this.quotes = o.quotes ?? new Map();
    this.capabilities = {
      combos: o.combos ?? true,
      nativeBrackets: false,
      positionHistory: false,
      reduceOnly: true,
      marketOrders: o.marketOrders ?? true,
      clientOrderId: { maxLength: 48, allowed: /^[A-Za-z0-9._:-]+$/ },
      comboLegsMax: 4,
    };
    this.market = {
      spot: () => null,
      quote: (id) => this.quotes.get(id) ?? { bid: 1, ask: 1.1, mid: 1.05, t: 0 },
      optionChain: () => [],
    };
  }

  /** A venue that answers nothing: it keeps what keel sent and cancelled, the test says the rest. */
  static recording(instruments: readonly Instrument[], now: () => number): ScriptedVenue {
    return new ScriptedVenue({ instruments, now, unscripted: { kind: 'silent' } });
  }

  // ---- the Venue interface -----------------------------------------------------------------------

  /** Its events are drained by the test harness (`deliver`), not pushed. */
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  subscribe(): () => void {
    return () => {};
  }
  optionChain(): readonly Instrument[] {
    return [];
  }
  watch(): void {}

  /** An option by strike and right; anything else by symbol among the instruments that are not options. */
  resolveInstrument(terms: InstrumentTerms): ResolveResult {
    const i = this.instruments.find((x) =>
      'strike' in terms
        ? x.kind === 'option' &&
          x.symbol === terms.symbol &&
          x.strike === terms.strike &&
          x.right === terms.right
        : x.kind !== 'option' && x.symbol === terms.symbol,
    );
    return i ? { ok: true, instrument: i } : { ok: false, reason: `no instrument ${JSON.stringify(terms)}` };
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
    const script = this.scripts[this.scriptNo++] ?? this.unscripted;
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
              reason: 'refused',
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
        events: [
          { type: 'cancelRejected', t, clientOrderId: id, reason: 'notSent', detail: 'not connected' },
        ],
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
            reason: vo ? 'notWorking' : 'unknownOrder',
            detail: vo ? `order is ${vo.status}` : 'unknown order',
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
          reason: 'requested',
          detail: 'cancelled by client',
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

  /** From now on, orders meet these scripts (then the unscripted answer). */
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
          reason: 'notSent',
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
