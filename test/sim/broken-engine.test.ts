// The sweep must catch a broken engine. This build's close path ignores ownership the way the
// 2026-02-13 cascade did: it takes off the venue's whole net of every leg (foreign quantity and
// other groups' included) and its gate lets that through. Somewhere in the CI seeds a generated
// scenario puts outside quantity on a strike keel trades, and the outside checker must say
// foreign-untouched or no-flip there.
import { describe, expect, it, vi } from 'vitest';
import type { InstrumentId, Side } from '../../src/domain';
import type * as CloseSizing from '../../src/engine/close-sizing';
import type { ClosableLeg } from '../../src/engine/close-sizing';
import type * as Executor from '../../src/engine/structure-executor';
import type { GroupRecord, Projection } from '../../src/ledger/projection';
import { generateScenarioYaml, runSeed, type SweepRow } from '../../src/sim/sweep';

type LegNeed = { instrumentId: InstrumentId; side: Side; qty: number };

/** The venue's whole net of an instrument as a close: what the cascade's fallback sent. */
function wholeNet(p: Projection, instrumentId: InstrumentId): LegNeed | null {
  const net = p.ownership.venueNetQty(instrumentId) ?? p.ownership.ownedTotal(instrumentId);
  if (net === 0) return null;
  return { instrumentId, side: net > 0 ? 'SELL' : 'BUY', qty: Math.abs(net) };
}

vi.mock('../../src/engine/close-sizing', async (importOriginal) => {
  const real = await importOriginal<typeof CloseSizing>();
  return {
    ...real,
    closableQty: (p: Projection, _group: GroupRecord, instrumentId: InstrumentId): ClosableLeg | null =>
      wholeNet(p, instrumentId),
  };
});

vi.mock('../../src/engine/structure-executor', async (importOriginal) => {
  const real = await importOriginal<typeof Executor>();
  const proto = real.StructureExecutor.prototype as unknown as Record<string, unknown>;
  proto['closeNeeds'] = function (this: { core: { p: Projection } }, group: GroupRecord): LegNeed[] {
    return group.legs.flatMap((leg) => wholeNet(this.core.p, leg.instrumentId) ?? []);
  };
  return real;
});

const ciSeeds = 25; // as test/sim/sweep.test.ts

describe('a broken engine under the CI sweep', () => {
  it(`is caught by the checker within seeds 1..${ciSeeds} (foreign-untouched or no-flip)`, async () => {
    // Seeds whose scenario has outside quantity on keel's strikes first, and stop at the first
    // catch: the point is that one exists within the CI seeds, at the least CI cost.
    const seeds = Array.from({ length: ciSeeds }, (_, i) => i + 1);
    const shared = (seed: number) => generateScenarioYaml(seed).includes('strikes:');
    const ordered = [...seeds.filter(shared), ...seeds.filter((s) => !shared(s))];
    let caught: SweepRow | null = null;
    for (const seed of ordered) {
      if (caught !== null) break;
      const row = await runSeed(seed);
      const ownership = row.violations.filter(
        (v) => v.invariant === 'foreign-untouched' || v.invariant === 'no-flip',
      );
      if (ownership.length > 0) caught = row;
    }
    expect(caught).not.toBeNull();
  }, 120_000);
});
