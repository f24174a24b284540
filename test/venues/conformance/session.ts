// The suite's side of one client session: it connects, subscribes, records every event with the
// call it arrived in (an event heard inside submit() or cancel() is re-entrant, which the contract
// forbids), and builds the orders and prices the cases send.
import {
  ClientOrderId,
  qtyAdd,
  qtyMul,
  roundToTick,
  type Instrument,
  type OrderLeg,
  type OrderSpec,
  type OrderType,
  type Side,
  type TimeInForce,
} from '../../../src/domain';
import type { Venue, VenueEvent, VenueFill } from '../../../src/venues/venue';

export type EventOf<T extends VenueEvent['type']> = Extract<VenueEvent, { type: T }>;

export class Session {
  readonly events: VenueEvent[] = [];
  /** Events heard while a submit() or cancel() call was still running, named by that call. */
  readonly reentrant: string[] = [];
  private inCall: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(readonly venue: Venue) {}

  static async open(venue: Venue): Promise<Session> {
    const s = new Session(venue);
    await venue.connect();
    s.unsubscribe = venue.subscribe((e) => s.hear(e));
    return s;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.venue.close();
  }

  submit(spec: OrderSpec): void {
    this.call(`submit(${spec.clientOrderId})`, () => this.venue.submit(spec));
  }

  cancel(id: ClientOrderId): void {
    this.call(`cancel(${id})`, () => this.venue.cancel(id));
  }

  /** Events of one type, optionally about one order; `from` skips the events before a mark. */
  of<T extends VenueEvent['type']>(type: T, id?: ClientOrderId, from = 0): EventOf<T>[] {
    return this.events
      .slice(from)
      .filter((e): e is EventOf<T> => e.type === type)
      .filter((e) => id === undefined || !('clientOrderId' in e) || e.clientOrderId === id);
  }

  fills(id?: ClientOrderId, from = 0): VenueFill[] {
    return this.of('fill', undefined, from)
      .map((e) => e.fill)
      .filter((f) => id === undefined || f.clientOrderId === id);
  }

  /** The one acceptance of an order (a second one would be a duplicate report: also an error). */
  accepted(id: ClientOrderId): EventOf<'accepted'> {
    const list = this.of('accepted', id);
    if (list.length !== 1) throw new Error(`expected one accepted event for ${id}, heard ${list.length}`);
    return list[0] as EventOf<'accepted'>;
  }

  /** The index of the next event: what a case heard after this point is `events.slice(mark)`. */
  mark(): number {
    return this.events.length;
  }

  private hear(e: VenueEvent): void {
    if (this.inCall !== null) this.reentrant.push(`${e.type} heard inside ${this.inCall}`);
    this.events.push(e);
  }

  private call(what: string, run: () => void): void {
    this.inCall = what;
    try {
      run();
    } finally {
      this.inCall = null;
    }
  }
}

/** Filled quantity of the distinct executions (a duplicate report counted once). */
export function filledQty(fills: readonly VenueFill[]): number {
  const seen = new Map<string, number>();
  for (const f of fills) seen.set(f.execId, f.qty);
  return [...seen.values()].reduce((sum, q) => qtyAdd(sum, q), 0);
}

/** Prices around 100 on the instrument's tick: a two-tick market and limits that rest or cross. */
export function priceBook(i: Instrument, mid = 100) {
  const tick = (n: number) => roundToTick(mid + n * i.tick, i.tick);
  return {
    bid: tick(-1),
    ask: tick(1),
    /** A buy limit at the ask: marketable. */
    marketableBuy: tick(1),
    /** A sell limit at the bid: marketable. */
    marketableSell: tick(-1),
    /** A buy limit ten ticks under the bid: it rests. */
    restingBuy: tick(-11),
    /** A sell limit ten ticks over the ask: it rests. */
    restingSell: tick(11),
    /** Half a tick over the resting buy: off the tick. */
    offTick: Number((tick(-11) + i.tick / 2).toFixed(decimals(i.tick) + 1)),
    ticks: tick,
  };
}

function decimals(step: number): number {
  for (let d = 0; d <= 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 10;
}

/** `lots` lots of the instrument: 10 shares, 0.001 BTC. */
export function lots(i: Instrument, n: number): number {
  return qtyMul(i.lot, n);
}

export type OrderOptions = {
  readonly type?: OrderType;
  readonly limit?: number | null;
  readonly stop?: number | null;
  readonly tif?: TimeInForce;
  readonly reduceOnly?: boolean;
  readonly parent?: ClientOrderId | null;
};

export function singleLeg(
  id: ClientOrderId,
  i: Instrument,
  side: Side,
  qty: number,
  o: OrderOptions = {},
): OrderSpec {
  return comboOrder(id, [{ instrumentId: i.id, side, ratio: 1 }], qty, o);
}

export function comboOrder(
  id: ClientOrderId,
  legs: readonly OrderLeg[],
  qty: number,
  o: OrderOptions = {},
): OrderSpec {
  const type = o.type ?? 'LMT';
  return {
    clientOrderId: id,
    legs,
    qty,
    type,
    limitPrice: o.limit ?? null,
    stopPrice: o.stop ?? null,
    tif: o.tif ?? 'GTC',
    reduceOnly: o.reduceOnly ?? false,
    parentClientOrderId: o.parent ?? null,
  };
}

/** keel-style client order ids (`<group>-<purpose><n>`), unique per case. */
export function orderIds(caseTag: string) {
  let n = 0;
  return (purpose: 'o' | 'c' | 'r' | 'p' = 'o') => ClientOrderId.of(`cf-${caseTag}-${purpose}${++n}`);
}
