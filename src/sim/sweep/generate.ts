// Random scenarios from a seed: market path, faults at random times, crash points, external
// trades. Everything derives from the seed, so a failing seed is reproduced by its number alone.
import { seededRng, type Rng } from '../../domain';
import { parseScenario, type Scenario } from '../scenario';

const strikesAroundSpot = 12;

/** The share of seeds that run several sessions and hold positions overnight. */
const multiDayShare = 0.25;

export function generateScenarioYaml(seed: number): string {
  // Its own stream decides, so every single-day seed keeps the scenario it always had.
  const days = seededRng(seed).fork('multi-day');
  if (days.next() < multiDayShare)
    return days.next() < 0.5 ? bracketWeekYaml(seed, days) : cryptoWeekendYaml(seed, days);
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

/**
 * Equity brackets over three sessions, Thursday 2026-02-12, Friday and Tuesday (Monday is
 * Washington's Birthday): stops and targets far enough that positions are held overnight and over
 * the long weekend, faults and crashes on every day, someone else's shares of a traded symbol.
 */
function bracketWeekYaml(seed: number, rng: Rng): string {
  const days = ['2026-02-12', '2026-02-13', '2026-02-17'];
  const symbols = ['PLTR', 'TSLA', 'NVDA'];
  const spots = symbols.map(() => round2(80 + rng.next() * 400));
  const market = symbols.map(
    (symbol, i) =>
      `  - { symbol: ${symbol}, kind: equity, spot: ${spots[i]}, vol: ${round2(0.25 + rng.next() * 0.5)}, path: gbm, stepSeconds: 5 }`,
  );
  // Stops 2-8% away: some are hit within the day, most ride overnight; a few shorts.
  const signals = symbols.map((symbol, i) => {
    const spot = spots[i] ?? 100;
    const short = rng.next() < 0.3;
    const away = 0.02 + rng.next() * 0.06;
    const entry = round2(spot * (short ? 0.999 : 1.001));
    const stop = round2(short ? entry * (1 + away) : entry * (1 - away));
    return `{ symbol: ${symbol}, score: ${rng.int(70, 95)}, entry: ${entry}, stop: ${stop} }`;
  });
  const at = (minFrom: number, minTo: number) =>
    `${days[rng.int(0, days.length - 1)]}T${hhmm(rng.int(minFrom, minTo))}:00-05:00`;
  const faultLines = [
    ...(rng.next() < 0.5
      ? [
          `  - { match: { probability: ${round2(rng.next() * 0.5)} }, partialFill: 0.5, delayFill: ${rng.int(10, 400)} }`,
        ]
      : []),
    ...(rng.next() < 0.3
      ? [
          `  - { match: { probability: ${round2(rng.next() * 0.3)} }, reject: { code: 201, message: "Order rejected" } }`,
        ]
      : []),
    ...Array.from(
      { length: rng.int(1, 3) },
      () =>
        `  - { at: "${at(9 * 60 + 35, 15 * 60 + 50)}", crashEngine: { restartAfter: ${rng.int(1, 3600)} } }`,
    ),
    ...(rng.next() < 0.4
      ? [`  - { at: "${at(9 * 60 + 35, 15 * 60 + 30)}", disconnect: { seconds: ${rng.int(5, 180)} } }`]
      : []),
    ...(rng.next() < 0.4 ? [`  - { at: "${at(9 * 60 + 35, 15 * 60 + 30)}", duplicateFill: true }`] : []),
  ];
  faultLines.push(...journalStepCrash(seed));
  const foreign = symbols[rng.int(0, symbols.length - 1)] ?? 'PLTR';
  return (
    [
      `name: generated-${seed}`,
      `seed: ${seed}`,
      `clock: { start: "${days[0]}T09:30:00-05:00", end: "${days[2]}T16:00:00-05:00", session: { open: "09:30", close: "16:00" }, timeZone: America/New_York }`,
      'account: { equity: 105000 }',
      'market:',
      ...market,
      `venue: { products: equities, combos: false, latencyMs: ${rng.int(5, 300)} }`,
      'faults:',
      ...faultLines,
      'external:',
      `  positions: [{ instrument: { symbol: ${foreign} }, qty: ${rng.int(1, 50) * (rng.next() < 0.5 ? -1 : 1)}, avgPrice: ${spots[symbols.indexOf(foreign)]} }]`,
      '  orders: []',
      'strategies:',
      '  - id: swing',
      '    kind: equity-bracket',
      `    params: { executeMax: 2, threshold: 70, targetR: ${rng.int(2, 4)}, signals: [${signals.join(', ')}] }`,
      'risk: { maxPositionsPerDay: 2, maxPositionsPerWeek: 10 }',
    ].join('\n') + '\n'
  );
}

/**
 * A BTC perpetual from Friday 2026-02-13 through Sunday (calendar 24/7: the weekend trades), its
 * stop and target wide enough that a position is often held overnight, with crashes (some long
 * enough that the stop or target fills while keel is down) and disconnects on any day.
 */
function cryptoWeekendYaml(seed: number, rng: Rng): string {
  const days = ['2026-02-13', '2026-02-14', '2026-02-15'];
  const at = (minFrom: number, minTo: number) =>
    `${days[rng.int(0, days.length - 1)]}T${hhmm(rng.int(minFrom, minTo))}:00+00:00`;
  const faultLines = [
    ...(rng.next() < 0.5
      ? [
          `  - { match: { probability: ${round2(rng.next() * 0.5)} }, partialFill: 0.5, delayFill: ${rng.int(10, 400)} }`,
        ]
      : []),
    ...Array.from(
      { length: rng.int(1, 3) },
      () => `  - { at: "${at(10, 23 * 60 + 30)}", crashEngine: { restartAfter: ${rng.int(1, 7200)} } }`,
    ),
    ...(rng.next() < 0.4
      ? [`  - { at: "${at(10, 23 * 60 + 30)}", disconnect: { seconds: ${rng.int(5, 180)} } }`]
      : []),
    ...(rng.next() < 0.4 ? [`  - { at: "${at(10, 23 * 60 + 30)}", duplicateFill: true }`] : []),
  ];
  faultLines.push(...journalStepCrash(seed));
  // Its own stream: a venue with no position history (the restart then books a close from fills alone).
  const positionHistory = seededRng(seed).fork('position-history').next() < 0.75;
  const side = rng.next() < 0.5 ? 'long' : 'short';
  const params = [
    'symbol: BTC-USDT',
    `side: ${side}`,
    `qty: ${(rng.int(1, 20) / 100).toFixed(2)}`,
    `entryAt: "${hhmm(rng.int(0, 23 * 60))}"`,
    `stopPct: ${(0.01 + rng.next() * 0.04).toFixed(3)}`,
    `targetPct: ${(0.01 + rng.next() * 0.04).toFixed(3)}`,
  ];
  return (
    [
      `name: generated-${seed}`,
      `seed: ${seed}`,
      `clock: { start: "${days[0]}T00:00:00+00:00", end: "${days[2]}T23:59:00+00:00", session: { open: "00:00", close: "23:59" }, timeZone: UTC }`,
      'account: { equity: 100000 }',
      `market: [{ symbol: BTC-USDT, kind: crypto, spot: ${round2(60_000 + rng.next() * 60_000)}, vol: ${round2(0.3 + rng.next() * 0.5)}, path: gbm, stepSeconds: 5, tick: 0.1 }]`,
      `venue: { products: futures, combos: false, latencyMs: ${rng.int(5, 300)}, commission: { perContract: 0, perShare: 0, rate: 0.0005, minimum: 0 }, positionIds: distinct, positionHistory: ${positionHistory} }`,
      'faults:',
      ...(faultLines.length > 0 ? faultLines : ['  - { match: { probability: 0 }, delayFill: 1 }']),
      'strategies:',
      '  - id: btc-perp',
      '    kind: futures-protected',
      `    params: { ${params.join(', ')} }`,
      'risk: { maxPositionPct: 1, maxDailyPct: 1, maxWeeklyPct: 1 }',
    ].join('\n') + '\n'
  );
}

/**
 * A crash at the engine's Nth journal append (between an order's intent and its send, a fill and
 * its booking, ...), from its own stream so a seed's other draws stay what they were.
 */
function journalStepCrash(seed: number): string[] {
  const rng = seededRng(seed).fork('journal-step-crash');
  if (rng.next() >= 0.4) return [];
  return [`  - { afterAppends: ${rng.int(1, 400)}, crashEngine: { restartAfter: ${rng.int(1, 600)} } }`];
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
