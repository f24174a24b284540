// Test support: writes small venue logs and the matching report the way the simulated venue and a
// correct engine would (a position line after every change, every keel order in report.orders and
// in one group, group PnL by keel's average-cost rule), so a test states only the story and then
// breaks exactly one thing. Not part of the checker's public surface.
import {
  addMicros,
  applyPnlFill,
  assert,
  atLocalTime,
  emptyPnl,
  fixedOffsetZone,
  formatIso,
  microsToCents,
  netRealized,
  parseIsoWithOffset,
  qtyAdd,
  toMicros,
  ZERO_MICROS,
  type InstrumentRecord,
  type Micros,
  type OrderIntentKind,
  type PnlState,
  type Side,
  type TimeZone,
} from '../../src/domain';
import type {
  Report,
  ReportGroup,
  ReportOrder,
  ReportTradingState,
  ReportTradingStateChange,
} from '../../src/engine/report/report-types';
import type { VenueLogLine } from '../../src/venues/sim/venue-log';
import { signed } from '../../src/sim/check/report-index';
import type { CheckInput, CheckResult, FillLine, OrderLine, Violation } from '../../src/sim/check/types';

export function option(
  id: number | string,
  strike: number,
  right: 'C' | 'P',
  terms: { symbol?: string; expiry?: string; multiplier?: number } = {},
): InstrumentRecord {
  return {
    id: String(id),
    symbol: terms.symbol ?? 'XSP',
    kind: 'option',
    expiry: terms.expiry ?? '2026-02-13',
    strike,
    right,
    multiplier: terms.multiplier ?? 100,
  };
}

export function equity(id: number | string, symbol: string): InstrumentRecord {
  return { id: String(id), symbol, kind: 'equity', multiplier: 1 };
}

/** The Feb 13 contamination incident's XSP 0DTE strikes, with its IB conIds. */
export const xsp = {
  p671: option(841470995, 671, 'P'),
  p672: option(841470999, 672, 'P'),
  p673: option(841471023, 673, 'P'),
  c691: option(841469839, 691, 'C'),
  c692: option(841469864, 692, 'C'),
  c693: option(841469881, 693, 'C'),
  c704: option(842236402, 704, 'C'),
};

export type LegSpec = readonly [instrument: InstrumentRecord, side: Side, ratio?: number];

export type OrderSpec = {
  readonly legs: readonly LegSpec[];
  readonly qty?: number;
  /** keel orders default to `<group>-<n>`; external orders have none. */
  readonly clientOrderId?: string | null;
  readonly origin?: 'keel' | 'external';
  readonly group?: string;
  readonly strategy?: string;
  readonly intent?: OrderIntentKind;
  readonly reduceOnly?: boolean;
  readonly combo?: boolean;
  readonly limitPrice?: number | null;
  readonly parentVenueOrderId?: string | null;
  /** false: leave the order out of report.orders. */
  readonly inReportOrders?: boolean;
  /** false: leave the order out of its group's clientOrderIds. */
  readonly inGroup?: boolean;
};

export type FillOptions = {
  readonly price?: number;
  readonly qty?: number;
  readonly side?: Side;
  readonly commission?: number;
  /** A fill that claims this client id (default: its order's). */
  readonly clientOrderId?: string | null;
};

type Body<L> = L extends VenueLogLine ? Omit<L, 'seq' | 't'> : never;

type KeelOrder = {
  readonly line: OrderLine;
  readonly group: string;
  readonly intent: OrderIntentKind;
  readonly inReportOrders: boolean;
  readonly inGroup: boolean;
  state: 'working' | 'filled' | 'cancelled' | 'rejected';
  readonly filled: Map<string, number>;
};

type GroupBook = {
  readonly strategy: string;
  readonly openedAt: string;
  closedAt: string | null;
  readonly clientOrderIds: string[];
  readonly legs: Map<string, { instrument: InstrumentRecord; qty: number }>;
  readonly held: Map<string, number>;
  readonly pnl: PnlState;
};

export class VenueLogBuilder {
  readonly lines: VenueLogLine[] = [];
  private epochMs: number;
  private readonly zone: TimeZone;
  private readonly venueQty = new Map<string, number>();
  private readonly keelOrders = new Map<string, KeelOrder>();
  private readonly orderLines = new Map<string, OrderLine>();
  private readonly groups = new Map<string, GroupBook>();
  private readonly states: ReportTradingStateChange[] = [];
  private keelExecutions = 0;
  private keelCommissions: Micros = ZERO_MICROS;
  private counter = 0;

  constructor(private readonly run: { start?: string; scenario?: string; seed?: number } = {}) {
    const start = parseIsoWithOffset(run.start ?? '2026-02-13T09:30:00-05:00');
    assert(start !== null, `bad start ${run.start ?? ''}`);
    this.epochMs = start.epochMs;
    this.zone = fixedOffsetZone(start.utcOffsetMin);
  }

  get t(): string {
    return formatIso(this.epochMs, this.zone);
  }

  get lastSeq(): number {
    return this.lines.at(-1)?.seq ?? 0;
  }

  private get nextSeq(): number {
    return this.lastSeq + 1;
  }

  /** Moves the clock to local "HH:MM" (or "HH:MM:SS") of the same day. */
  at(hhmm: string): this {
    const next = atLocalTime(this.epochMs, hhmm, this.zone);
    assert(next >= this.epochMs, `the builder's clock must not go back to ${hhmm}`);
    this.epochMs = next;
    return this;
  }

  wait(seconds: number): this {
    this.epochMs += seconds * 1000;
    return this;
  }

  /** Any line as given (seq and t are filled in unless the body carries them). */
  raw(body: Body<VenueLogLine> & { seq?: number; t?: string }): this {
    this.lines.push({ seq: this.nextSeq, t: this.t, ...body } as VenueLogLine);
    return this;
  }

  /** A position line: foreign holdings at the start, or a change nobody's fills explain. */
  position(instrument: InstrumentRecord, qty: number, avgPrice = 0): this {
    this.venueQty.set(instrument.id, qty);
    return this.raw({ type: 'position', instrument, qty, avgPrice });
  }

  engine(event: 'start' | 'crash'): this {
    return this.raw({ type: 'engine', event });
  }

  order(spec: OrderSpec): string {
    const origin = spec.origin ?? 'keel';
    const venueOrderId = `V${++this.counter}`;
    const group = spec.group ?? 'g1';
    const clientOrderId =
      spec.clientOrderId !== undefined
        ? spec.clientOrderId
        : origin === 'keel'
          ? `${group}-${this.counter}`
          : null;
    const line = {
      seq: this.nextSeq,
      t: this.t,
      type: 'order',
      venueOrderId,
      clientOrderId,
      origin,
      combo: spec.combo ?? spec.legs.length > 1,
      legs: spec.legs.map(([instrument, side, ratio]) => ({ instrument, side, ratio: ratio ?? 1 })),
      qty: spec.qty ?? 1,
      orderType: spec.limitPrice === undefined || spec.limitPrice === null ? 'MKT' : 'LMT',
      limitPrice: spec.limitPrice ?? null,
      stopPrice: null,
      tif: 'DAY',
      parentVenueOrderId: spec.parentVenueOrderId ?? null,
      reduceOnly: spec.reduceOnly ?? false,
    } satisfies OrderLine;
    this.lines.push(line);
    this.orderLines.set(venueOrderId, line);
    if (origin === 'keel') this.registerKeelOrder(line, spec, group);
    return venueOrderId;
  }

  private registerKeelOrder(line: OrderLine, spec: OrderSpec, group: string): void {
    const intent = spec.intent ?? 'open';
    const inGroup = spec.inGroup ?? true;
    this.keelOrders.set(line.venueOrderId, {
      line,
      group,
      intent,
      inReportOrders: spec.inReportOrders ?? true,
      inGroup,
      state: 'working',
      filled: new Map(),
    });
    const book: GroupBook = this.groups.get(group) ?? {
      strategy: spec.strategy ?? 'ic-0dte',
      openedAt: this.t,
      closedAt: null,
      clientOrderIds: [],
      legs: new Map(),
      held: new Map(),
      pnl: emptyPnl(),
    };
    this.groups.set(group, book);
    if (inGroup && line.clientOrderId !== null && !book.clientOrderIds.includes(line.clientOrderId)) {
      book.clientOrderIds.push(line.clientOrderId);
    }
    if (intent !== 'open') return;
    for (const leg of line.legs) {
      const known = book.legs.get(leg.instrument.id)?.qty ?? 0;
      book.legs.set(leg.instrument.id, {
        instrument: leg.instrument,
        qty: known + signed(leg.side, leg.ratio * line.qty),
      });
    }
  }

  ack(venueOrderId: string): this {
    return this.raw({ type: 'ack', venueOrderId });
  }

  reject(venueOrderId: string, message = 'No trading permissions'): this {
    const keel = this.keelOrders.get(venueOrderId);
    if (keel !== undefined) keel.state = 'rejected';
    return this.raw({ type: 'reject', venueOrderId, code: 201, message });
  }

  cancel(venueOrderId: string, reason = 'cancelled by keel'): this {
    const keel = this.keelOrders.get(venueOrderId);
    const order = this.orderLines.get(venueOrderId);
    assert(order !== undefined, `no order ${venueOrderId}`);
    const leg = order.legs[0];
    const filled =
      keel === undefined || leg === undefined ? 0 : (keel.filled.get(leg.instrument.id) ?? 0) / leg.ratio;
    if (keel !== undefined) keel.state = 'cancelled';
    return this.raw({ type: 'cancel', venueOrderId, remainingQty: order.qty - filled, reason });
  }

  /** One leg's execution, then the venue's position line. Side and qty default to the order leg's. */
  fill(
    venueOrderId: string,
    instrument: InstrumentRecord,
    opts: FillOptions & { positionLine?: boolean } = {},
  ): this {
    const line = this.fillLine(venueOrderId, instrument, null, opts);
    if (opts.positionLine ?? true) this.positionAfter(line.instrument);
    return this;
  }

  /** One execution of a combo: a fill line per leg sharing a comboExecId, then the position lines. */
  comboFill(
    venueOrderId: string,
    prices: readonly number[],
    opts: { units?: number; commission?: number } = {},
  ): this {
    const order = this.orderLines.get(venueOrderId);
    assert(order !== undefined, `no order ${venueOrderId}`);
    const comboExecId = `C${++this.counter}`;
    const filled = order.legs.map((leg, i) =>
      this.fillLine(venueOrderId, leg.instrument, comboExecId, {
        price: prices[i] ?? 0,
        qty: (opts.units ?? order.qty) * leg.ratio,
        ...(opts.commission === undefined ? {} : { commission: opts.commission }),
      }),
    );
    for (const f of filled) this.positionAfter(f.instrument);
    return this;
  }

  /** The venue reports an earlier execution again (same exec id); the position does not move. */
  duplicateFill(execId: string, change: Partial<Pick<FillLine, 'qty' | 'price'>> = {}): this {
    const first = this.lines.find((l): l is FillLine => l.type === 'fill' && l.execId === execId);
    assert(first !== undefined, `no fill ${execId}`);
    return this.raw({ ...first, ...change, seq: this.nextSeq, t: this.t });
  }

  /** Expiry settlement of the whole venue position at `price`, then its position line (zero). */
  settle(instrument: InstrumentRecord, price: number): this {
    const qty = this.venueQty.get(instrument.id) ?? 0;
    for (const book of this.groups.values()) {
      const held = book.held.get(instrument.id) ?? 0;
      if (held === 0) continue;
      const side = held > 0 ? 'SELL' : 'BUY';
      applyPnlFill(book.pnl, {
        instrumentKey: instrument.id,
        side,
        qty: Math.abs(held),
        price,
        multiplier: instrument.multiplier,
        commission: ZERO_MICROS,
      });
      book.held.set(instrument.id, 0);
      this.maybeClosed(book);
    }
    this.raw({ type: 'settle', instrument, qty, price });
    return this.position(instrument, 0);
  }

  tradingState(state: ReportTradingState, reason: string): this {
    this.states.push({ t: this.t, state, reason });
    return this;
  }

  /** The venue's net position as the builder's lines say it. */
  venuePosition(instrument: InstrumentRecord): number {
    return this.venueQty.get(instrument.id) ?? 0;
  }

  get execIds(): string[] {
    return this.lines.flatMap((l) => (l.type === 'fill' ? [l.execId] : []));
  }

  private fillLine(
    venueOrderId: string,
    instrument: InstrumentRecord,
    comboExecId: string | null,
    opts: FillOptions,
  ): FillLine {
    const order = this.orderLines.get(venueOrderId);
    const leg = order?.legs.find((l) => l.instrument.id === instrument.id);
    const side = opts.side ?? leg?.side;
    assert(
      side !== undefined,
      `fill of ${instrument.id}: give a side, order ${venueOrderId} has no such leg`,
    );
    const qty = opts.qty ?? (order !== undefined && leg !== undefined ? order.qty * leg.ratio : 1);
    const commission = opts.commission ?? 0.65 * qty;
    const line: FillLine = {
      seq: this.nextSeq,
      t: this.t,
      type: 'fill',
      venueOrderId,
      clientOrderId: opts.clientOrderId !== undefined ? opts.clientOrderId : (order?.clientOrderId ?? null),
      execId: `E${++this.counter}`,
      comboExecId,
      instrument,
      side,
      qty,
      price: opts.price ?? 0.1,
      commission,
      venuePositionId: null,
    };
    this.lines.push(line);
    this.venueQty.set(instrument.id, qtyAdd(this.venueQty.get(instrument.id) ?? 0, signed(side, qty)));
    const keel = this.keelOrders.get(venueOrderId);
    if (keel !== undefined) this.bookKeelFill(keel, line);
    return line;
  }

  private bookKeelFill(keel: KeelOrder, fill: FillLine): void {
    this.keelExecutions += 1;
    this.keelCommissions = addMicros(this.keelCommissions, toMicros(fill.commission));
    keel.filled.set(fill.instrument.id, (keel.filled.get(fill.instrument.id) ?? 0) + fill.qty);
    const done = keel.line.legs.every(
      (l) => (keel.filled.get(l.instrument.id) ?? 0) >= l.ratio * keel.line.qty,
    );
    if (done) keel.state = 'filled';
    const book = this.groups.get(keel.group);
    if (book === undefined || !keel.inGroup) return;
    applyPnlFill(book.pnl, {
      instrumentKey: fill.instrument.id,
      side: fill.side,
      qty: fill.qty,
      price: fill.price,
      multiplier: fill.instrument.multiplier,
      commission: toMicros(fill.commission),
    });
    book.held.set(
      fill.instrument.id,
      qtyAdd(book.held.get(fill.instrument.id) ?? 0, signed(fill.side, fill.qty)),
    );
    this.maybeClosed(book);
  }

  private maybeClosed(book: GroupBook): void {
    const flat = [...book.held.values()].every((q) => q === 0);
    book.closedAt = flat ? this.t : null;
  }

  private positionAfter(instrument: InstrumentRecord): void {
    this.raw({ type: 'position', instrument, qty: this.venueQty.get(instrument.id) ?? 0, avgPrice: 0 });
  }

  /** The report a correct engine would write for this story; `edit` changes it for a test. */
  report(edit: (report: Report) => void = () => undefined): Report {
    const groups: ReportGroup[] = [...this.groups].map(([id, book]) => ({
      id,
      strategy: book.strategy,
      status: book.closedAt === null ? 'open' : 'closed',
      openedAt: book.openedAt,
      closedAt: book.closedAt,
      legs: [...book.legs.values()],
      clientOrderIds: [...book.clientOrderIds],
      realizedPnl: microsToCents(netRealized(book.pnl)),
      commissions: microsToCents(book.pnl.commissions),
    }));
    const orders: ReportOrder[] = [...this.keelOrders.values()]
      .filter((o) => o.inReportOrders && o.line.clientOrderId !== null)
      .map((o) => ({
        clientOrderId: o.line.clientOrderId ?? '',
        group: o.group,
        source: 'strategy',
        intent: o.intent,
        state: o.state,
      }));
    const realized = groups.reduce((sum, g) => addMicros(sum, toMicros(g.realizedPnl)), ZERO_MICROS);
    const report: Report = {
      scenario: this.run.scenario ?? 'builder',
      seed: this.run.seed ?? 1,
      groups,
      orders,
      refusals: [],
      tradingState: [...this.states],
      discrepancies: [],
      summary: {
        executions: this.keelExecutions,
        commissions: microsToCents(this.keelCommissions),
        realizedPnl: microsToCents(realized),
      },
    };
    edit(report);
    return report;
  }

  build(edit?: (report: Report) => void): CheckInput {
    return { lines: [...this.lines], report: this.report(edit) };
  }
}

/** Four-leg XSP iron condor legs: long 671P, short 672P, short 692C, long 693C (open side). */
export function ironCondorLegs(): LegSpec[] {
  return [
    [xsp.p671, 'BUY'],
    [xsp.p672, 'SELL'],
    [xsp.c692, 'SELL'],
    [xsp.c693, 'BUY'],
  ];
}

/** The closing legs of `ironCondorLegs`, shorts first. */
export function ironCondorCloseLegs(): LegSpec[] {
  return [
    [xsp.p672, 'BUY'],
    [xsp.c692, 'BUY'],
    [xsp.p671, 'SELL'],
    [xsp.c693, 'SELL'],
  ];
}

/** [code, seq] pairs: what a test pins down exactly. */
export function found(result: CheckResult | readonly Violation[]): [string, number | null][] {
  const violations = 'violations' in result ? result.violations : result;
  return violations.map((v) => [v.invariant, v.seq]);
}

/** Feb 13: the foreign 24x 704C is at the venue before keel's first order. */
export function withForeign704(): VenueLogBuilder {
  return new VenueLogBuilder({ scenario: 'feb13-contamination', seed: 7 }).position(xsp.c704, 24, 0.48);
}

/** Trade #5: the iron condor as one combo execution, 0.16 credit. */
export function openIronCondor(b: VenueLogBuilder): string {
  b.at('09:56');
  const open = b.order({ legs: ironCondorLegs(), intent: 'open', limitPrice: -0.16 });
  b.wait(0.05).ack(open).comboFill(open, [0.2, 0.3, 0.25, 0.19]);
  return open;
}
