// Random scenarios from a seed: market path, faults at random times, crash points, external
// trades. Everything derives from the seed, so a failing seed is reproduced by its number alone.
import { seededRng, type Rng } from '../../domain';
import { parseScenario, type Scenario } from '../scenario';

const strikesAroundSpot = 12;

export function generateScenarioYaml(seed: number): string {
  const rng = seededRng(seed).fork('generate');
  const spot = round2(600 + rng.next() * 150);
  const vol = round2(0.12 + rng.next() * 0.25);
  const lines: string[] = [
    `name: generated-${seed}`,
    `seed: ${seed}`,
    'clock: { start: "2026-02-13T09:30:00-05:00", end: "2026-02-13T16:15:00-05:00" }',
    'account: { equity: 1000000 }',
    `market: [{ symbol: XSP, kind: index, spot: ${spot}, vol: ${vol}, drift: ${round2((rng.next() - 0.5) * 0.4)}, path: gbm, stepSeconds: 5 }]`,
    `venue: { products: options, combos: ${rng.next() < 0.7}, latencyMs: ${rng.int(5, 400)} }`,
    'faults:',
    ...faults(rng),
    'external:',
    '  positions:',
    ...externalPositions(rng, spot),
    '  orders:',
    ...externalOrders(rng, spot),
    'strategies:',
    '  - id: ic-0dte',
    '    kind: iron-condor-0dte',
    `    params: { underlying: XSP, shortDelta: ${round2(0.08 + rng.next() * 0.12)}, wingWidth: ${rng.int(1, 3)}, minCredit: 0.05, qty: ${rng.int(1, 3)}, stopLossMultiple: ${rng.int(1, 3)}, takeProfitPct: 0.5, entryFrom: "${hhmm(9 * 60 + 45 + rng.int(0, 60))}", entryUntil: "14:00", exitBy: "15:45", executionsPerDay: 40 }`,
    'risk: { maxPositionsPerDay: 3 }',
  ];
  return lines.join('\n') + '\n';
}

export function generateScenario(seed: number): Scenario {
  const r = parseScenario(generateScenarioYaml(seed), `generated-${seed}.yaml`, 'yaml');
  if (!r.ok) throw new Error(`generator made an invalid scenario for seed ${seed}:\n${r.errors.join('\n')}`);
  return r.scenario;
}

function faults(rng: Rng): string[] {
  const out: string[] = [];
  if (rng.next() < 0.5)
    out.push(
      `  - { match: { combo: true, probability: ${round2(rng.next())} }, reject: { code: 201, message: "No trading permissions" } }`,
    );
  if (rng.next() < 0.4)
    out.push(
      `  - { match: { combo: false, probability: ${round2(rng.next() * 0.3)} }, reject: { code: 201, message: "Order rejected" } }`,
    );
  if (rng.next() < 0.5)
    out.push(
      `  - { match: { probability: ${round2(rng.next() * 0.5)} }, partialFill: 0.5, delayFill: ${rng.int(10, 400)} }`,
    );
  if (rng.next() < 0.4)
    out.push(`  - { match: { probability: ${round2(rng.next() * 0.4)} }, delayFill: ${rng.int(5, 300)} }`);
  for (let i = rng.int(0, 2); i > 0; i--)
    out.push(
      `  - { at: "${hhmm(rng.int(9 * 60 + 35, 15 * 60 + 50))}", crashEngine: { restartAfter: ${rng.int(1, 300)} } }`,
    );
  if (rng.next() < 0.4)
    out.push(`  - { afterAppends: ${rng.int(1, 120)}, crashEngine: { restartAfter: ${rng.int(1, 120)} } }`);
  if (rng.next() < 0.4)
    out.push(
      `  - { at: "${hhmm(rng.int(9 * 60 + 35, 15 * 60 + 30))}", disconnect: { seconds: ${rng.int(5, 180)} } }`,
    );
  if (rng.next() < 0.4)
    out.push(`  - { at: "${hhmm(rng.int(9 * 60 + 35, 15 * 60 + 30))}", duplicateFill: true }`);
  return out.length > 0 ? out : ['  []'].map(() => '  - { match: { probability: 0 }, delayFill: 1 }');
}

function option(rng: Rng, spot: number): string {
  const strike = Math.round(spot) + rng.int(-strikesAroundSpot, strikesAroundSpot);
  return `{ symbol: XSP, expiry: "2026-02-13", strike: ${strike}, right: ${rng.next() < 0.5 ? 'C' : 'P'} }`;
}

function externalPositions(rng: Rng, spot: number): string[] {
  const n = rng.int(0, 3);
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      `    - { instrument: ${option(rng, spot)}, qty: ${rng.int(1, 30) * (rng.next() < 0.5 ? -1 : 1)}, avgPrice: ${round2(rng.next() * 2)} }`,
    );
  return out.length > 0
    ? out
    : ['    []'].map(
        () =>
          '    - { instrument: { symbol: XSP, expiry: "2026-02-13", strike: 900, right: C }, qty: 1, avgPrice: 0.01 }',
      );
}

function externalOrders(rng: Rng, spot: number): string[] {
  const n = rng.int(0, 3);
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      `    - { at: "${hhmm(rng.int(9 * 60 + 35, 15 * 60 + 30))}", instrument: ${option(rng, spot)}, side: ${rng.next() < 0.5 ? 'BUY' : 'SELL'}, qty: ${rng.int(1, 5)}, type: MKT }`,
    );
  return out.length > 0
    ? out
    : [
        '    - { at: "15:59", instrument: { symbol: XSP, expiry: "2026-02-13", strike: 900, right: C }, side: BUY, qty: 1, type: MKT }',
      ];
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
