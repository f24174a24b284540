// Random scenarios from a seed: market path, faults at random times, crash points, external
// trades. Everything derives from the seed, so a failing seed is reproduced by its number alone.
import { seededRng, type Rng } from '../../domain';
import { parseScenario, type Scenario } from '../scenario';

const strikesAroundSpot = 12;

export function generateScenarioYaml(seed: number): string {
  const rng = seededRng(seed).fork('generate');
  // Drawn in this order: a seed's scenario must not change when a draw is added elsewhere.
  const spot = round2(600 + rng.next() * 150);
  const vol = round2(0.12 + rng.next() * 0.25);
  const drift = round2((rng.next() - 0.5) * 0.4);
  const combos = rng.next() < 0.7;
  const latencyMs = rng.int(5, 400);
  const faultLines = faults(rng);
  const positions = externalPositions(rng, spot);
  const orders = externalOrders(rng, spot);
  const shortDelta = round2(0.08 + rng.next() * 0.12);
  const wingWidth = rng.int(1, 3);
  const qty = rng.int(1, 3);
  const stopLossMultiple = rng.int(1, 3);
  const entryFrom = hhmm(9 * 60 + 45 + rng.int(0, 60));
  // Its own stream, so the draws above stay what they were for every seed.
  const condor = sharedStrikes(seededRng(seed).fork('shared-strikes'), spot, wingWidth);
  const lines: string[] = [
    `name: generated-${seed}`,
    `seed: ${seed}`,
    'clock: { start: "2026-02-13T09:30:00-05:00", end: "2026-02-13T16:15:00-05:00" }',
    'account: { equity: 1000000 }',
    `market: [{ symbol: XSP, kind: index, spot: ${spot}, vol: ${vol}, drift: ${drift}, path: gbm, stepSeconds: 5 }]`,
    `venue: { products: options, combos: ${combos}, latencyMs: ${latencyMs} }`,
    'faults:',
    ...faultLines,
    'external:',
    '  positions:',
    ...positions,
    ...(condor?.positions ?? []),
    '  orders:',
    ...orders,
    ...(condor?.orders ?? []),
    'strategies:',
    '  - id: ic-0dte',
    '    kind: iron-condor-0dte',
    `    params: { underlying: XSP, shortDelta: ${shortDelta}, wingWidth: ${wingWidth}, minCredit: 0.05, qty: ${qty}, stopLossMultiple: ${stopLossMultiple}, takeProfitPct: 0.5, entryFrom: "${entryFrom}", entryUntil: "14:00", exitBy: "15:45", executionsPerDay: 40${condor === null ? '' : `, strikes: ${condor.strikes}`} }`,
    'risk: { maxPositionsPerDay: 3 }',
  ];
  return lines.join('\n') + '\n';
}

/**
 * In some scenarios keel trades known strikes and someone else holds or trades the very same
 * strikes in the account (the contamination incident's shape): a close that ignores ownership
 * then touches their quantity, and the checker must see it. Mostly on keel's own side of a leg
 * (the venue nets them into one larger position), sometimes against it.
 */
function sharedStrikes(
  rng: Rng,
  spot: number,
  wingWidth: number,
): { strikes: string; positions: string[]; orders: string[] } | null {
  if (rng.next() >= 0.4) return null;
  const atm = Math.round(spot);
  const shortPut = atm - rng.int(4, 9);
  const shortCall = atm + rng.int(4, 9);
  const legs = [
    { strike: shortPut - wingWidth, right: 'P', side: 1 },
    { strike: shortPut, right: 'P', side: -1 },
    { strike: shortCall, right: 'C', side: -1 },
    { strike: shortCall + wingWidth, right: 'C', side: 1 },
  ] as const;
  const pick = () => legs[rng.int(0, legs.length - 1)] ?? legs[0];
  const terms = (l: (typeof legs)[number]) =>
    `{ symbol: XSP, expiry: "2026-02-13", strike: ${l.strike}, right: ${l.right} }`;
  const positions: string[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    const leg = pick();
    const sign = rng.next() < 0.75 ? leg.side : -leg.side;
    positions.push(
      `    - { instrument: ${terms(leg)}, qty: ${sign * rng.int(1, 30)}, avgPrice: ${round2(rng.next() * 2)} }`,
    );
  }
  const orders: string[] = [];
  if (rng.next() < 0.3) {
    const leg = pick();
    orders.push(
      `    - { at: "${hhmm(rng.int(9 * 60 + 35, 15 * 60 + 30))}", instrument: ${terms(leg)}, side: ${rng.next() < 0.5 ? 'BUY' : 'SELL'}, qty: ${rng.int(1, 5)}, type: MKT }`,
    );
  }
  const strikes = `{ longPut: ${legs[0].strike}, shortPut: ${shortPut}, shortCall: ${shortCall}, longCall: ${legs[3].strike} }`;
  return { strikes, positions, orders };
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
