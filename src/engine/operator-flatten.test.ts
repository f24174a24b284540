// keel flatten names a group or a strategy: a mistyped one is refused naming what exists, never
// answered as a flatten of nothing that succeeded.
import { describe, expect, it } from 'vitest';
import { GroupId, StrategyId } from '../domain';
import { option, startTestEngine } from '../../test/support/engine-fixtures';

const short692 = option(692, 692, 'C');
const long693 = option(693, 693, 'C');

describe('operator flatten', () => {
  it('refuses an unknown group or strategy naming the fix; flattens a known one', async () => {
    const { engine } = await startTestEngine([short692, long693], Date.UTC(2026, 1, 13, 15, 0));
    const opened = engine.openStructure(StrategyId.of('vert'), 'strategy', {
      kind: 'call-vertical',
      legs: [
        { instrumentId: long693.id, qtyPerUnit: 1 },
        { instrumentId: short692.id, qtyPerUnit: -1 },
      ],
      units: 1,
      note: null,
    });
    expect(opened.ok).toBe(true);
    engine.flush();
    const group = [...engine.projection.groups.keys()][0];
    if (group === undefined) throw new Error('no group opened');

    expect(engine.operator({ action: 'flatten', group: GroupId.of('nope'), strategy: null })).toEqual({
      ok: false,
      lines: ["no group nope: keel status lists keel's groups"],
    });
    expect(engine.operator({ action: 'flatten', group: null, strategy: StrategyId.of('ic') })).toEqual({
      ok: false,
      lines: ['no strategy ic: give one of vert'],
    });
    // A strategy known only from its groups (no longer running) is still flattened.
    const byStrategy = engine.operator({ action: 'flatten', group: null, strategy: StrategyId.of('vert') });
    expect(byStrategy.ok).toBe(true);
    expect(byStrategy.lines[0]).toBe(`flatten: 1 group(s), owned legs only: ${group}`);
  });
});
