// The simulated venue as a conformance harness: a SimVenue on its own event queue and clock, a
// quote book the suite sets by hand, and a fault plan armed one order at a time. `advance` runs the
// queue the way the simulation runner does (a market step, then every event due). A restart gives
// the same SimVenue to a new subscriber: the venue's state is the venue, the client is in-process.
import { assert, seededRng, timeZoneOf, type Instrument, type InstrumentId } from '../../../src/domain';
import { EventQueue } from '../../../src/sim/run/event-queue';
import type { IncomingOrder, OrderFault, VenueFaultPlan } from '../../../src/venues/sim/faults';
import { SimInstrumentRegistry, type UnderlyingSpec } from '../../../src/venues/sim/instruments';
import type { SimScheduler } from '../../../src/venues/sim/scheduler';
import { SimVenue, type SimVenueConfig } from '../../../src/venues/sim/sim-venue';
import type { MarketData, Quote } from '../../../src/venues/venue';
import type { HarnessControl, HarnessProducts, NextOrderFault, VenueHarness } from './harness';

export type SimHarnessKind =
  /** An IB-like options venue: an equity, an index option chain, combos. */
  | 'options'
  /** A BingX-like futures venue: one perpetual, positions with ids of their own, no combos. */
  | 'futures';

const sessionStart = Date.UTC(2026, 1, 13, 15, 0); // Fri 2026-02-13 10:00 New York
const timeZone = timeZoneOf('America/New_York');
const chainExpiry = '2026-02-20';
const chainStrikes = [96, 97, 98, 99, 100, 101, 102, 103, 104];

/** The scenario's venue settings for each kind, with mid fills off: only the suite's prices fill. */
function configFor(kind: SimHarnessKind): SimVenueConfig {
  const common = { latencyMs: 50, midFillChance: 0, timeZone };
  return kind === 'options'
    ? {
        ...common,
        products: 'options',
        combos: true,
        commission: { perContract: 0.65, perShare: 0.005, rate: 0, minimum: 1 },
        positionIds: 'same',
        positionHistory: false,
      }
    : {
        ...common,
        products: 'futures',
        combos: false,
        commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 },
        positionIds: 'distinct',
        positionHistory: true,
      };
}

function underlyingsFor(kind: SimHarnessKind): Map<string, UnderlyingSpec> {
  const list: UnderlyingSpec[] =
    kind === 'options'
      ? [
          { symbol: 'SPY', kind: 'equity' },
          { symbol: 'XSP', kind: 'index' },
        ]
      : [{ symbol: 'BTC-USDT', kind: 'crypto' }];
  return new Map(list.map((u) => [u.symbol, u]));
}

function productsFor(kind: SimHarnessKind): HarnessProducts {
  return kind === 'options'
    ? { equity: { symbol: 'SPY' }, optionChain: { symbol: 'XSP', expiry: chainExpiry }, future: null }
    : { equity: null, optionChain: null, future: { symbol: 'BTC-USDT' } };
}

/** Quotes exactly as the suite set them; listed option chains resolved through the registry. */
class HandSetMarket implements MarketData {
  readonly quotes = new Map<InstrumentId, Quote>();

  constructor(
    private readonly registry: SimInstrumentRegistry,
    private readonly chains: ReadonlyMap<string, readonly number[]>,
  ) {}

  spot(symbol: string): number | null {
    const r = this.registry.resolve({ symbol });
    return r.ok ? (this.quotes.get(r.instrument.id)?.mid ?? null) : null;
  }

  quote(instrumentId: InstrumentId): Quote | null {
    return this.quotes.get(instrumentId) ?? null;
  }

  optionChain(symbol: string, expiry: string): readonly Instrument[] {
    if (expiry !== chainExpiry) return [];
    const chain: Instrument[] = [];
    for (const strike of this.chains.get(symbol) ?? []) {
      for (const right of ['P', 'C'] as const) {
        const r = this.registry.resolve({ symbol, expiry, strike, right });
        if (r.ok) chain.push(r.instrument);
      }
    }
    return chain;
  }
}

/** The sim venue's fault plan, armed by the suite for one keel order at a time. */
class NextOrderFaultPlan implements VenueFaultPlan {
  private armed: NextOrderFault | null = null;
  private duplicatePending = false;

  arm(fault: NextOrderFault): void {
    assert(this.armed === null, `a ${this.armed?.kind} fault is already armed for the next order`);
    this.armed = fault;
  }

  onOrder(order: IncomingOrder): OrderFault {
    if (order.origin !== 'keel' || this.armed === null) return { kind: 'none' };
    const fault = this.armed;
    this.armed = null;
    switch (fault.kind) {
      case 'reject':
        return { kind: 'reject', code: fault.code, message: fault.message };
      case 'partialFill':
        return {
          kind: 'partialFill',
          fraction: fault.fraction,
          restDelaySec: fault.restAfterMs === null ? null : fault.restAfterMs / 1000,
        };
      case 'delayFill':
        return { kind: 'delayFill', delaySec: fault.delayMs / 1000 };
      case 'duplicateFill':
        this.duplicatePending = true; // the order's first execution is reported twice
        return { kind: 'none' };
    }
  }

  takeDuplicateFill(): boolean {
    const take = this.duplicatePending;
    this.duplicatePending = false;
    return take;
  }
}

const allControls: ReadonlySet<HarnessControl> = new Set<HarnessControl>([
  'reject',
  'partialFill',
  'duplicateFill',
  'delayFill',
  'disconnect',
  'sessionEnd',
  'restart',
]);

export async function simHarness(kind: SimHarnessKind, seed = 1): Promise<VenueHarness> {
  let now = sessionStart;
  const queue = new EventQueue();
  const scheduler: SimScheduler = {
    at: (t, label, fn) => queue.push(Math.max(t, now), label, fn),
    now: () => now,
  };
  const registry = new SimInstrumentRegistry(underlyingsFor(kind), kind);
  const market = new HandSetMarket(registry, new Map(kind === 'options' ? [['XSP', chainStrikes]] : []));
  const faults = new NextOrderFaultPlan();
  const venue = new SimVenue(configFor(kind), registry, market, scheduler, seededRng(seed), faults);

  /** Every event due by `until`, in time order (ties in the order they were scheduled). */
  const runDue = async (until: number): Promise<void> => {
    for (let t = queue.peekTime(); t !== undefined && t <= until; t = queue.peekTime()) {
      const next = queue.pop();
      assert(next !== undefined, 'the queue emptied under us');
      now = next.t;
      await next.fn();
    }
  };

  return {
    venue,
    products: productsFor(kind),
    positionIds: kind === 'futures',
    controls: allControls,
    async advance(ms) {
      assert(ms >= 0, `advance by ${ms} ms`);
      const until = now + ms;
      venue.onMarketStep(); // quotes set since the last step meet the resting orders
      await runDue(until);
      now = until;
      venue.onMarketStep();
      await runDue(until);
    },
    async setQuote(instrumentId, { bid, ask }) {
      assert(bid > 0 && ask >= bid, `quote ${bid} / ${ask}`);
      market.quotes.set(instrumentId, { bid, ask, mid: Math.round(((bid + ask) / 2) * 1e6) / 1e6, t: now });
    },
    nextOrder: (fault) => faults.arm(fault),
    async disconnect(downMs) {
      venue.setConnected(false);
      queue.push(now + downMs, 'reconnect', () => venue.setConnected(true));
    },
    async endSession() {
      venue.endOfDay();
    },
    async restart() {
      await venue.close();
      return venue;
    },
    async close() {
      await venue.close();
    },
  };
}
