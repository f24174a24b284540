// Instrument lookups that take a broker round trip. A position in an instrument keel has not
// described waits for the venue's description and is then booked, in order; one the venue cannot
// describe is an unknown-instrument discrepancy and is not booked; nothing crashes. The venue
// here is the simulated venue answering its lookups asynchronously, as a network adapter would.
import { describe, expect, it } from 'vitest';
import { timeZoneOf } from '../../src/domain';

const newYork = timeZoneOf('America/New_York');
import { AccountId, fixedClock, seededRng, type Instrument, type InstrumentId } from '../../src/domain';
import { EngineHost } from '../../src/engine/host';
import { defaultEngineSettings, type EngineSettings } from '../../src/engine/settings';
import type { Strategy } from '../../src/engine/strategy';
import { StrategyId, xnysCalendar } from '../../src/domain';
import { settingsForScenario } from '../../src/sim/run/settings-for-scenario';
import { EquityBracket } from '../../src/strategies/equity-bracket';
import { scenarioFromYaml } from '../support/run-scenario';
import { eventVersions } from '../../src/ledger/events';
import { openJournal } from '../../src/ledger/journal';
import { SimInstrumentRegistry } from '../../src/venues/sim/instruments';
import { SimVenue } from '../../src/venues/sim/sim-venue';
import type { MarketData, Venue } from '../../src/venues/venue';

/** The simulated venue, with every lookup answered later (a round trip) and some never. */
function asyncLookups(venue: SimVenue, undescribable: ReadonlySet<string>): Venue {
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));
  return {
    name: 'async-lookups',
    capabilities: venue.capabilities,
    market: venue.market,
    connect: () => venue.connect(),
    close: () => venue.close(),
    subscribe: (l) => venue.subscribe(l),
    resolveInstrument: (terms) => later(venue.resolveInstrument(terms)),
    instrument: (id) => later(undescribable.has(id) ? null : venue.instrument(id)),
    optionChain: (s, e) => later(venue.optionChain(s, e)),
    watch: () => undefined,
    submit: (o) => venue.submit(o),
    cancel: (id) => venue.cancel(id),
    snapshot: (r) => venue.snapshot(r),
    isConnected: () => venue.isConnected(),
  };
}

function world() {
  const clock = fixedClock(Date.UTC(2026, 0, 2, 15, 0), newYork);
  const queue: (() => void)[] = [];
  const registry = new SimInstrumentRegistry(
    new Map([
      ['PLTR', { symbol: 'PLTR', kind: 'equity' as const }],
      ['TSLA', { symbol: 'TSLA', kind: 'equity' as const }],
    ]),
    'equities',
  );
  const market: MarketData = {
    spot: () => null,
    quote: () => ({ bid: 100, ask: 100.1, mid: 100.05, t: clock.now() }),
    optionChain: () => [],
  };
  const sim = new SimVenue(
    {
      products: 'equities',
      combos: false,
      latencyMs: 0,
      commission: { perContract: 0, perShare: 0, rate: 0, minimum: 0 },
      positionIds: 'same',
      positionHistory: false,
      midFillChance: 0,
      timeZone: newYork,
    },
    registry,
    market,
    { at: (_t, _label, fn) => queue.push(fn), now: () => clock.now() },
    seededRng(1),
  );
  const instrument = (symbol: string): Instrument => {
    const r = registry.resolve({ symbol });
    if (!r.ok) throw new Error(r.reason);
    return r.instrument;
  };
  const drain = () => {
    for (let fn = queue.shift(); fn; fn = queue.shift()) fn();
  };
  return { clock, sim, instrument, drain };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

async function started(
  venue: Venue,
  clock: ReturnType<typeof fixedClock>,
  strategies: () => readonly Strategy[] = () => [],
  settings: EngineSettings = defaultEngineSettings,
) {
  const after: (() => void)[] = [];
  const store = openJournal(':memory:', { knownVersions: eventVersions, owner: 'test', nowMs: clock.now() });
  const host = new EngineHost({
    venue,
    store,
    clock,
    scheduler: { afterInput: (fn) => after.push(fn) },
    strategies,
    settings,
    account: AccountId.of('T-1'),
    log: () => undefined,
  });
  const engine = await host.start();
  if (!engine) throw new Error('no engine');
  return { engine, host, store, endBurst: () => after.splice(0).forEach((fn) => fn()) };
}

describe('instrument lookups over a round trip', () => {
  it('describes what the start-up snapshot names before reconciling it', async () => {
    const w = world();
    w.sim.seedPosition(w.instrument('TSLA'), 50, 400);
    const { engine } = await started(asyncLookups(w.sim, new Set()), w.clock);
    const tsla = w.instrument('TSLA').id;
    expect(engine.projection.instruments.get(tsla)?.symbol).toBe('TSLA');
    expect(engine.projection.ownership.foreign(tsla)).toBe(50);
    expect([...engine.projection.discrepancies.values()].map((d) => d.kind)).toEqual(['foreign-position']);
  });

  it('holds a position event until its instrument is described, then books it', async () => {
    const w = world();
    const { engine, endBurst } = await started(asyncLookups(w.sim, new Set()), w.clock);
    const pltr = w.instrument('PLTR');
    w.sim.submitExternal(pltr, 'BUY', 30, 'MKT', null);
    w.drain();
    endBurst();
    expect(engine.projection.instruments.has(pltr.id)).toBe(false); // still being described
    await settle();
    endBurst();
    expect(engine.projection.instruments.get(pltr.id)?.symbol).toBe('PLTR');
    expect(engine.projection.ownership.venueNetQty(pltr.id)).toBe(30);
    expect(engine.projection.ownership.foreign(pltr.id)).toBe(30);
  });

  it('an instrument the venue cannot describe is a discrepancy, never a crash or a booking', async () => {
    const w = world();
    const tsla = w.instrument('TSLA');
    w.sim.seedPosition(tsla, 50, 400);
    const pltr = w.instrument('PLTR');
    const unknown = new Set<string>([tsla.id, pltr.id]);
    const { engine, endBurst } = await started(asyncLookups(w.sim, unknown), w.clock);
    w.sim.submitExternal(pltr, 'BUY', 30, 'MKT', null);
    w.drain();
    await settle();
    endBurst();
    const p = engine.projection;
    for (const id of [tsla.id, pltr.id] as InstrumentId[]) expect(p.instruments.has(id)).toBe(false);
    const raised = [...p.discrepancies.values()].filter((d) => d.kind === 'unknown-instrument');
    expect(raised.map((d) => d.subject).sort()).toEqual(
      [`instrument:${pltr.id}`, `instrument:${tsla.id}`].sort(),
    );
    expect(p.tradingState).toBe('ACTIVE');
  });

  it('a burst that ends after the host stopped reaches nothing (its journal may be closed)', async () => {
    const w = world();
    const { host, store, endBurst } = await started(w.sim, w.clock);
    const order = await host.operator({
      action: 'order',
      instrument: { symbol: 'PLTR' },
      side: 'BUY',
      qty: 10,
      type: 'LMT',
      limit: 100.1,
      stop: null,
      fit: false,
    });
    expect(order.ok, order.lines.join('\n')).toBe(true);
    w.drain(); // keel's fill is in; acting on it (the group opens) waits for the end of the burst
    await host.stop();
    store.close();
    expect(() => endBurst()).not.toThrow();
  });
});

describe('a strategy on a venue whose lookups take a round trip', () => {
  it("looks up today's signal symbols before the scan, so the scan enters instead of skipping them", async () => {
    const w = world(); // 10:00 New York
    const bracket = new EquityBracket(
      StrategyId.of('swing'),
      {
        signals: [{ symbol: 'PLTR', score: 90, entry: 100.1, stop: 98 }],
        scanTimes: ['10:30'],
        executeMax: 1,
      },
      xnysCalendar,
    );
    const settings = settingsForScenario(
      scenarioFromYaml(
        [
          'clock: { start: "2026-01-02T09:30:00-05:00", end: "2026-01-02T16:00:00-05:00" }',
          'account: { equity: 105000 }',
          'market: [{ symbol: PLTR, kind: equity, spot: 100 }]',
          '',
        ].join('\n'),
      ),
    );
    const { host, engine, endBurst } = await started(
      asyncLookups(w.sim, new Set()),
      w.clock,
      () => [bracket],
      settings,
    );
    await host.tick(); // before the scan: the lookup goes out
    await settle();
    endBurst();
    w.clock.set(Date.UTC(2026, 0, 2, 15, 30)); // 10:30, the scan
    await host.tick();
    w.drain();
    const intents = [...engine.projection.orders.all()].map((o) => [o.intent.intent, o.intent.qty]);
    expect(intents[0]).toEqual(['open', expect.any(Number)]);
  });
});
