// A journal names the exchange's zone from its first start: engine.started v2 by IANA name, v1
// (journals written before zones) by its one fixed offset. Both replay, and an engine restarted
// on a v1 journal carries on in its configured zone.
import { describe, expect, it } from 'vitest';
import { AccountId, fixedClock, formatIso, timeZoneOf } from '../domain';
import { Engine } from '../engine/engine';
import { defaultEngineSettings } from '../engine/settings';
import { memoryStore } from '../../test/support/engine-fixtures';
import { ScriptedVenue } from '../../test/support/scripted-venue';
import { eventVersions } from '../ledger/events';
import { journalTimeZone, replayJournal } from './journal-replay';

const monday = Date.parse('2026-03-09T13:30:00Z'); // 09:30 New York, after the March change

function v1Journal() {
  const store = memoryStore();
  const t = Date.parse('2026-02-13T14:30:00Z');
  store.append({
    type: 'engine.started',
    v: 1,
    t,
    data: { account: 'T-1', mode: 'start', utcOffsetMin: -300 },
  });
  store.append({
    type: 'trading.state',
    v: 1,
    t: t + 1,
    data: { state: 'HALTED', reason: 'test', source: 'operator' },
  });
  return store;
}

describe('the journal zone', () => {
  it('reads a v1 journal as its fixed offset and replays it', async () => {
    const store = v1Journal();
    const { projection, timeZone } = await replayJournal(store);
    expect(timeZone.name).toBe('UTC-05:00');
    expect(projection.starts).toBe(1);
    expect(projection.tradingState).toBe('HALTED');
    // a fixed offset prints -05:00 even in summer: what the old journal meant
    expect(formatIso(monday, timeZone)).toBe('2026-03-09T08:30:00-05:00');
  });

  it('an engine restarted on a v1 journal journals v2 with its zone, and the journal reads by name', async () => {
    expect(eventVersions['engine.started']).toBe(2);
    const store = v1Journal();
    const newYork = timeZoneOf('America/New_York');
    const engine = await Engine.start({
      store,
      venue: ScriptedVenue.recording([], () => 0),
      clock: fixedClock(monday, newYork),
      strategies: [],
      settings: defaultEngineSettings,
      account: AccountId.of('T-1'),
      log: () => {},
    });
    expect(engine.projection.starts).toBe(2);
    const restart = store.events.filter((e) => e.type === 'engine.started').at(-1);
    expect(restart).toMatchObject({
      v: 2,
      data: { account: 'T-1', mode: 'restart', timeZone: 'America/New_York', utcOffsetMin: -240 },
    });
    // the first start still decides how the CLI reads the journal
    expect(journalTimeZone(store).name).toBe('UTC-05:00');
  });

  it('reads a v2 journal by its zone name; an empty journal as UTC', async () => {
    const store = memoryStore();
    await Engine.start({
      store,
      venue: ScriptedVenue.recording([], () => 0),
      clock: fixedClock(monday, timeZoneOf('America/New_York')),
      strategies: [],
      settings: defaultEngineSettings,
      account: AccountId.of('T-1'),
      log: () => {},
    });
    const zone = journalTimeZone(store);
    expect(zone.name).toBe('America/New_York');
    expect(formatIso(monday, zone)).toBe('2026-03-09T09:30:00-04:00');
    expect(journalTimeZone(memoryStore()).name).toBe('UTC');
  });
});
