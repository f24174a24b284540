// Test helpers for the engine: an in-memory event store and a venue that records what it is sent.
import {
  AccountId,
  fixedClock,
  InstrumentId,
  timeZoneOf,
  type Instrument,
  type InstrumentTerms,
  type OrderSpec,
  type ClientOrderId,
} from '../domain';
import { Projection } from '../ledger/projection';
import type { MarketData, Quote, Venue, VenueSnapshot } from '../venues/venue';
import { Engine } from './engine';
import { EngineCore } from './engine-core';
import { Recorder, type EventStore } from './recorder';
import { defaultEngineSettings, type EngineSettings } from './settings';

export function memoryStore(): EventStore & {
  events: { seq: number; type: string; v: number; t: number; data: unknown }[];
} {
  const events: { seq: number; type: string; v: number; t: number; data: unknown }[] = [];
  return {
    events,
    append: (e) => {
      // Round-trip through JSON like the real journal, so tests see what a replay would see.
      events.push({ ...e, data: JSON.parse(JSON.stringify(e.data)) as unknown, seq: events.length + 1 });
      return events.length;
    },
    read: () => events.values(),
  };
}

export function option(id: number, strike: number, right: 'C' | 'P', expiry = '2026-02-13'): Instrument {
  return {
    id: InstrumentId.of(String(id)),
    symbol: 'XSP',
    kind: 'option',
    expiry,
    strike,
    right,
    multiplier: 100,
    tick: 0.01,
    lot: 1,
    underlyingKind: 'index',
  };
}

export class RecordingVenue implements Venue {
  readonly name = 'recording';
  readonly capabilities = {
    combos: true,
    nativeBrackets: false,
    positionHistory: false,
    reduceOnly: true,
    marketOrders: true,
  };
  readonly sent: OrderSpec[] = [];
  readonly cancels: ClientOrderId[] = [];
  readonly quotes = new Map<string, Quote>();
  readonly market: MarketData = {
    spot: () => 683,
    quote: (id) => this.quotes.get(id) ?? { bid: 1, ask: 1.1, mid: 1.05, t: 0 },
    optionChain: () => [],
  };
  constructor(private readonly instruments: Instrument[] = []) {}
  resolveInstrument(terms: InstrumentTerms) {
    const i = this.instruments.find(
      (x) =>
        x.symbol === terms.symbol &&
        (!('strike' in terms) ||
          (x.kind === 'option' && x.strike === terms.strike && x.right === terms.right)),
    );
    return i ? { ok: true as const, instrument: i } : { ok: false as const, reason: 'unknown' };
  }
  instrument(id: string) {
    return this.instruments.find((i) => i.id === id) ?? null;
  }
  submit(order: OrderSpec): void {
    this.sent.push(order);
  }
  cancel(id: ClientOrderId): void {
    this.cancels.push(id);
  }
  async snapshot(): Promise<VenueSnapshot> {
    return { t: 0, orders: [], positions: [], executions: [], settlements: [], positionHistory: [] };
  }
  isConnected(): boolean {
    return true;
  }
}

export const newYork = timeZoneOf('America/New_York');

export function testCore(instruments: Instrument[], settings: EngineSettings = defaultEngineSettings) {
  const clock = fixedClock(Date.UTC(2026, 1, 13, 15, 0), newYork);
  const store = memoryStore();
  const venue = new RecordingVenue(instruments);
  const core = new EngineCore(
    new Recorder(store, new Projection(newYork), clock),
    venue,
    clock,
    settings,
    () => {},
  );
  for (const i of instruments) core.recorder.record('instrument.defined', { instrument: i });
  return { core, clock, store, venue };
}

/** A whole engine on a RecordingVenue with an in-memory journal, started at `t` (New York time). */
export async function startTestEngine(
  venue: RecordingVenue,
  t: number,
  settings: EngineSettings = defaultEngineSettings,
): Promise<{ engine: Engine; clock: ReturnType<typeof fixedClock> }> {
  const clock = fixedClock(t, newYork);
  const engine = await Engine.start({
    store: memoryStore(),
    venue,
    clock,
    strategies: [],
    settings,
    account: AccountId.of('T-1'),
    log: () => {},
  });
  return { engine, clock };
}
