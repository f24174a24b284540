// A sweep of generated equity-bracket scenarios (the multi-day bracket weeks of `keel sim --generate`:
// partial and late fills, rejections, engine crashes, venue disconnects, duplicate fills, someone
// else's position) run in-process and through the alpaca adapter and the fake Alpaca; prints each
// seed's events, keel fills and both checker verdicts.
//   npx tsx test/fakes/alpaca/bracket-sweep.ts [count] [firstSeed]
import { generateScenarioYaml } from '../../../src/sim/sweep/generate';
import { wireVerdict } from '../wire-verdict';
import { alpacaThroughLink } from './through';

const verdict = (seed: number, through: boolean) =>
  wireVerdict(seed, through ? (sim, clock) => alpacaThroughLink(sim, clock) : undefined);

async function main(count: number, first: number): Promise<void> {
  let failing = 0;
  let runs = 0;
  console.log('  seed   events  keel fills (in-process / wire)  violations (in-process / wire)');
  for (let seed = first; runs < count; seed++) {
    if (!generateScenarioYaml(seed).includes('kind: equity-bracket')) continue;
    runs++;
    const inProcess = await verdict(seed, false);
    const wire = await verdict(seed, true);
    const same = JSON.stringify(inProcess.violations) === JSON.stringify(wire.violations);
    if (wire.violations.length > 0 || !same) failing++;
    console.log(
      `${String(seed).padStart(6)} ${String(wire.events).padStart(8)}  ${String(inProcess.fills).padStart(5)} / ${String(wire.fills).padEnd(24)}  ${inProcess.violations.length} / ${wire.violations.length}${same ? '' : '  (verdicts differ)'}`,
    );
    for (const v of wire.violations) console.log(`        ${v.invariant}: ${v.message}`);
  }
  console.log(`${runs} bracket-week seeds through alpaca, ${failing} failing`);
  process.exitCode = failing > 0 ? 1 : 0;
}

void main(Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 1));
