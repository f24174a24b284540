// Expiry settlement: the venue settles its whole position; keel books each owning group's share
// at the settlement price, with a deterministic exec id so a replayed settlement is not doubled.
import { localDate, type InstrumentId } from '../domain';
import type { EngineCore } from './engine-core';

export function settleGroups(core: EngineCore, instrumentId: InstrumentId, price: number, t: number): number {
  const p = core.p;
  let applied = 0;
  for (const [groupId, owned] of [...p.ownership.owners(instrumentId)]) {
    const execId = `settle:${instrumentId}:${localDate(t, p.timeZone)}:${groupId}`;
    if (p.execIds.has(execId)) continue;
    core.recorder.record('group.settled', { groupId, instrumentId, qty: -owned, price, execId });
    applied++;
  }
  return applied;
}
