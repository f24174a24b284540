// A sweep of generated futures scenarios (the BTC-USDT perpetual weekends of `keel sim --generate`:
// Friday through Sunday on the 24/7 calendar, positions held overnight, partial and late fills,
// rejections, engine crashes, venue disconnects, duplicate fills) run in-process and through the
// ccxt adapter, ccxt's bingx class and the fake BingX; prints each seed's events, keel fills and
// both checker verdicts, and the wall time. `keel sim --generate --seeds A..B --through ccxt` runs
// every generated seed, and most are condor days a futures exchange cannot trade: this picks the
// futures ones.
//   npx tsx test/fakes/exchange/futures-sweep.ts [count] [firstSeed]
import { wallClock } from '../../../src/app/live-driver';
import { fixedOffsetZone } from '../../../src/domain';
import { generateScenarioYaml } from '../../../src/sim/sweep/generate';
import { wireVerdict } from '../wire-verdict';
import { ccxtThroughLink } from './through';

/** Wall time of the sweep (what it measures), from keel's wall clock. */
const wall = wallClock(fixedOffsetZone(0));

const verdict = (seed: number, through: boolean) =>
  wireVerdict(seed, through ? (sim, clock) => ccxtThroughLink(sim, clock) : undefined);

async function main(count: number, first: number): Promise<void> {
  const started = wall.now();
  let failing = 0;
  let runs = 0;
  let events = 0;
  let wireMs = 0;
  console.log('  seed   events  keel fills (in-process / wire)  violations (in-process / wire)  wire s');
  for (let seed = first; runs < count; seed++) {
    if (!generateScenarioYaml(seed).includes('kind: futures-protected')) continue;
    runs++;
    const inProcess = await verdict(seed, false);
    const wireStart = wall.now();
    const wire = await verdict(seed, true);
    const ms = wall.now() - wireStart;
    wireMs += ms;
    events += wire.events;
    const same = JSON.stringify(inProcess.violations) === JSON.stringify(wire.violations);
    if (wire.violations.length > 0 || !same) failing++;
    console.log(
      `${String(seed).padStart(6)} ${String(wire.events).padStart(8)}  ${String(inProcess.fills).padStart(5)} / ${String(wire.fills).padEnd(24)}  ${inProcess.violations.length} / ${String(wire.violations.length).padEnd(29)} ${(ms / 1000).toFixed(1)}${same ? '' : '  (verdicts differ)'}`,
    );
    for (const v of wire.violations) console.log(`        ${v.invariant}: ${v.message}`);
  }
  console.log(
    `${runs} futures seeds through ccxt, ${events} simulated events, ${failing} failing; ${(wireMs / 1000).toFixed(0)} s through the wire (${Math.round(events / (wireMs / 1000))} events/s), ${((wall.now() - started) / 1000).toFixed(0)} s in all`,
  );
  process.exitCode = failing > 0 ? 1 : 0;
}

void main(Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 1));
