// A symbol the venue does not list: the strategy on it trades nothing, and the log says so once
// (not in silence, not on every tick).
import { describe, expect, it } from 'vitest';
import { AccountId, fixedClock } from '../domain';
import { memoryStore, newYork, option } from '../../test/support/engine-fixtures';
import { ScriptedVenue } from '../../test/support/scripted-venue';
import { Engine } from './engine';
import { defaultEngineSettings } from './settings';

describe('an instrument the venue cannot resolve', () => {
  it('resolves to nothing, said once in the log with the venue’s reason', async () => {
    const clock = fixedClock(Date.UTC(2026, 1, 13, 15, 0), newYork);
    const lines: string[] = [];
    const engine = await Engine.start({
      store: memoryStore(),
      venue: ScriptedVenue.recording([option(1, 600, 'C')], () => clock.now()),
      clock,
      strategies: [],
      settings: defaultEngineSettings,
      account: AccountId.of('T-1'),
      log: (line) => lines.push(line),
    });
    expect(engine.resolve({ symbol: 'BTC-USDT' })).toBeNull();
    expect(engine.resolve({ symbol: 'BTC-USDT' })).toBeNull();
    const said = lines.filter((l) => l.includes('instrument {"symbol":"BTC-USDT"}'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/nothing is traded on it$/);
  });
});
