// Engine test fixtures: an in-memory event store, XSP options, an engine core or a whole engine on
// a recording venue (scripted-venue.ts) that answers nothing: the test hands the engine every venue
// event itself.
import { AccountId, fixedClock, InstrumentId, timeZoneOf, type Instrument } from '../../src/domain';
import { Engine } from '../../src/engine/engine';
import { EngineCore } from '../../src/engine/engine-core';
import { Recorder, type EventStore } from '../../src/engine/recorder';
import { defaultEngineSettings, type EngineSettings } from '../../src/engine/settings';
import { Projection } from '../../src/ledger/projection';
import { ScriptedVenue } from './scripted-venue';

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

export const newYork = timeZoneOf('America/New_York');

export function testCore(instruments: Instrument[], settings: EngineSettings = defaultEngineSettings) {
  const clock = fixedClock(Date.UTC(2026, 1, 13, 15, 0), newYork);
  const store = memoryStore();
  const venue = ScriptedVenue.recording(instruments, () => clock.now());
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

/** A whole engine on a recording venue with an in-memory journal, started at `t` (New York time). */
export async function startTestEngine(
  instruments: readonly Instrument[],
  t: number,
  settings: EngineSettings = defaultEngineSettings,
): Promise<{ engine: Engine; clock: ReturnType<typeof fixedClock>; venue: ScriptedVenue }> {
  const clock = fixedClock(t, newYork);
  const venue = ScriptedVenue.recording(instruments, () => clock.now());
  const engine = await Engine.start({
    store: memoryStore(),
    venue,
    clock,
    strategies: [],
    settings,
    account: AccountId.of('T-1'),
    log: () => {},
  });
  return { engine, clock, venue };
}
