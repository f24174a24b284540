// Pricing speed and accuracy, side by side in one run on a 10,000-option chain (0DTE to 30 days):
// keel's chain pricer and implied-vol solver against the npm packages people reach for, against a
// plain typed-array loop (the floor for price + delta) and a Newton-with-bisection solver (the
// usual implied vol), with each one's largest disagreement with QuantLib on the fixture grid.
// Timings are interleaved round by round and the median is quoted; nothing here is asserted.
// Run: node --import tsx bench/pricing.bench.ts
import { loadQuantLibGrid, type QuantLibRow } from '../test/fixtures/pricing/quantlib-grid';
import { pathToFileURL } from 'node:url';
import { BlackScholes } from '@uqee/black-scholes';
import { blackScholes } from 'black-scholes';
import { getDelta } from 'greeks';
import { getImpliedVolatility } from 'implied-volatility';
import { impliedVolChain, normCdf, priceChain } from '../src/pricing';

const spot = 683.38;
const rate = 0.04;
// None of the packages takes a dividend yield: the chain has none, so every implementation gets the
// same inputs. (The QuantLib grid has one; packages get it as a spot of S e^{-qT} there.)
const dividendYield = 0;
const strikesPerExpiry = 200; // 583 to 782, $1 apart, as XSP lists them
const firstStrike = 583;
// calendar minutes to expiry: a 0DTE expiry with 45 minutes left, then 1 to 30 days
const expiryMinutes = [
  45,
  ...[...Array(21).keys()].map((d) => (d + 1) * 1440),
  24 * 1440,
  27 * 1440,
  30 * 1440,
];
const minutesPerYear = 525_600;
const slowStride = 37;
const INV_SQRT_2PI = 0.3989422804014327;

/** Options in typed arrays; `vols` for pricing, `prices` for implied vol. */
type Chain = {
  readonly spot: number;
  readonly rate: number;
  readonly q: number;
  readonly strikes: Float64Array;
  readonly tYears: Float64Array;
  readonly vols: Float64Array;
  readonly prices: Float64Array;
  readonly isCall: Uint8Array;
};

type PriceDelta = (c: Chain, price: Float64Array, delta: Float64Array) => void;
type IvSolve = (c: Chain, vol: Float64Array) => void;

function emptyChain(n: number, s: number, r: number, q: number): Chain {
  return {
    spot: s,
    rate: r,
    q,
    strikes: new Float64Array(n),
    tYears: new Float64Array(n),
    vols: new Float64Array(n),
    prices: new Float64Array(n),
    isCall: new Uint8Array(n),
  };
}

/**
 * A call and a put at each strike and expiry, grouped by expiry as a venue sends them. Vols skew
 * like an index's: higher on the put wing, a short-dated term premium, flat beyond 8 s.d.
 */
function buildChain(): Chain {
  const c = emptyChain(expiryMinutes.length * strikesPerExpiry * 2, spot, rate, dividendYield);
  let i = 0;
  for (const minutes of expiryMinutes) {
    const t = minutes / minutesPerYear;
    const atm = 0.14 + 0.06 * Math.exp(-minutes / 1440 / 5);
    for (let k = 0; k < strikesPerExpiry; k++) {
      const strike = firstStrike + k;
      const z = Math.max(-8, Math.min(8, Math.log(strike / spot) / (atm * Math.sqrt(t))));
      for (const call of [1, 0]) {
        c.strikes[i] = strike;
        c.tYears[i] = t;
        c.vols[i] = atm * (1 - 0.12 * z + 0.025 * z * z);
        c.isCall[i] = call;
        i++;
      }
    }
  }
  const price = new Float64Array(i);
  priceChain(c, { price });
  c.prices.set(price);
  return c;
}

// ---- price + delta ----

/** The floor: the same formulas and N(x) as keel, inline, with no checks and nothing reused. */
const plainLoop: PriceDelta = (c, price, delta) => {
  const { spot: s, rate: r, q, strikes, tYears, vols, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const k = strikes[i] as number;
    const t = tYears[i] as number;
    const sign = isCall[i] === 1 ? 1 : -1;
    const sqrtT = Math.sqrt(t);
    const stdDev = (vols[i] as number) * sqrtT;
    const d1 = (Math.log(s / k) + (r - q) * t) / stdDev + 0.5 * stdDev;
    const divDiscount = Math.exp(-q * t);
    const nd1 = normCdf(sign * d1);
    const nd2 = normCdf(sign * (d1 - stdDev));
    price[i] = sign * (s * divDiscount * nd1 - k * Math.exp(-r * t) * nd2);
    delta[i] = sign * divDiscount * nd1;
  }
};

const keelPriceChain: PriceDelta = (c, price, delta) => priceChain(c, { price, delta });

// its defaults: single-precision N (its speed setting), and for implied vol bisection on [0, 2] to
// 0.001 in price
const uqeeModel = new BlackScholes();

const uqeePriceDelta: PriceDelta = (c, price, delta) => {
  const { spot: s, rate: r, q, strikes, tYears, vols, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const t = tYears[i] as number;
    const carry = q === 0 ? 1 : Math.exp(-q * t);
    const o = uqeeModel.option({
      rate: r,
      sigma: vols[i] as number,
      strike: strikes[i] as number,
      time: t,
      type: isCall[i] === 1 ? 'call' : 'put',
      underlying: s * carry,
    });
    price[i] = o.price;
    delta[i] = o.delta * carry;
  }
};

const blackScholesGreeks: PriceDelta = (c, price, delta) => {
  const { spot: s, rate: r, q, strikes, tYears, vols, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const t = tYears[i] as number;
    const carry = q === 0 ? 1 : Math.exp(-q * t);
    const right = isCall[i] === 1 ? 'call' : 'put';
    const k = strikes[i] as number;
    const v = vols[i] as number;
    price[i] = blackScholes(s * carry, k, t, v, r, right);
    delta[i] = getDelta(s * carry, k, t, v, r, right) * carry;
  }
};

// ---- implied vol ----

let referenceSteps = 0;
// of the usual starts (0.2, 0.3, 0.5, Manaster-Koehler's sqrt(2 |ln(F/K)| / T)) the one that
// takes the fewest steps on this chain
const referenceStart = 0.3;

/**
 * The usual solver: Newton on the price from a fixed start, bisection whenever a step leaves the
 * bracket, to full double precision (a step below 1e-12 of the vol, or a price error within the
 * price's own rounding). Refuses, as keel does, a price with no time value or above the bound.
 */
function newtonBisection(
  price: number,
  s: number,
  k: number,
  t: number,
  r: number,
  q: number,
  call: boolean,
): number {
  const sign = call ? 1 : -1;
  const spotPv = s * Math.exp(-q * t);
  const strikePv = k * Math.exp(-r * t);
  const intrinsic = Math.max(sign * (spotPv - strikePv), 0);
  const noise = 4 * Number.EPSILON * (spotPv + strikePv);
  if (price - intrinsic <= noise || price >= (call ? spotPv : strikePv)) return NaN;
  const sqrtT = Math.sqrt(t);
  const logMoneyness = Math.log(s / k) + (r - q) * t;
  let lo = 0;
  let hi = Infinity;
  let vol = referenceStart;
  for (let step = 1; step <= 200; step++) {
    referenceSteps++;
    const stdDev = vol * sqrtT;
    const d1 = logMoneyness / stdDev + 0.5 * stdDev;
    const a = spotPv * normCdf(sign * d1);
    const b = strikePv * normCdf(sign * (d1 - stdDev));
    const f = sign * (a - b) - price;
    const vega = spotPv * sqrtT * INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1);
    if (f > 0) hi = vol;
    else lo = vol;
    if (Math.abs(f) <= 4 * Number.EPSILON * (a + b)) return vol;
    let next = vol - f / vega;
    if (!(next > lo && next < hi)) next = hi === Infinity ? 2 * vol : 0.5 * (lo + hi);
    if (Math.abs(next - vol) <= 1e-12 * vol) return next;
    if (hi < Infinity && hi - lo <= 4 * Number.EPSILON * hi) return next;
    vol = next;
  }
  return NaN;
}
const keelIv: IvSolve = (c, vol) => impliedVolChain(c, { vol });

const referenceIv: IvSolve = (c, vol) => {
  const { spot: s, rate: r, q, strikes, tYears, prices, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const k = strikes[i] as number;
    const t = tYears[i] as number;
    vol[i] = newtonBisection(prices[i] as number, s, k, t, r, q, isCall[i] === 1);
  }
};

const uqeeIv: IvSolve = (c, vol) => {
  const { spot: s, rate: r, q, strikes, tYears, prices, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const t = tYears[i] as number;
    vol[i] = uqeeModel.sigma({
      price: prices[i] as number,
      rate: r,
      strike: strikes[i] as number,
      time: t,
      type: isCall[i] === 1 ? 'call' : 'put',
      underlying: q === 0 ? s : s * Math.exp(-q * t),
    });
  }
};

const impliedVolatilityPackage: IvSolve = (c, vol) => {
  const { spot: s, rate: r, q, strikes, tYears, prices, isCall } = c;
  for (let i = 0; i < strikes.length; i++) {
    const t = tYears[i] as number;
    const carry = q === 0 ? 1 : Math.exp(-q * t);
    const right = isCall[i] === 1 ? 'call' : 'put';
    vol[i] = getImpliedVolatility(prices[i] as number, s * carry, strikes[i] as number, t, r, right);
  }
};

// ---- QuantLib ----

type FixtureRow = QuantLibRow;

function loadFixture(): FixtureRow[] {
  return loadQuantLibGrid().rows;
}

/** Each fixture row as a chain of one (rows differ in spot, rate and dividend yield). */
function fixtureChain(row: FixtureRow): Chain {
  const [s, k, t, vol, r, q, right, price] = row;
  const c = emptyChain(1, s, r, q);
  c.strikes[0] = k;
  c.tYears[0] = t;
  c.vols[0] = vol;
  c.prices[0] = price;
  c.isCall[0] = right === 'C' ? 1 : 0;
  return c;
}

type Disagreement = { price: number; delta: number; failed: number };

function priceDeltaVsQuantLib(fn: PriceDelta, rows: FixtureRow[]): Disagreement {
  const price = new Float64Array(1);
  const delta = new Float64Array(1);
  const worst = { price: 0, delta: 0, failed: 0 };
  for (const row of rows) {
    fn(fixtureChain(row), price, delta);
    const dp = Math.abs((price[0] as number) - row[7]);
    const dd = Math.abs((delta[0] as number) - row[8]);
    if (!(dp < Infinity && dd < Infinity)) worst.failed++;
    else {
      worst.price = Math.max(worst.price, dp);
      worst.delta = Math.max(worst.delta, dd);
    }
  }
  return worst;
}

/** keel and the reference answer NaN where there is no vol, @uqee/black-scholes 0 (or < 0). */
const solvedVol = (v: number) => v > 0 && v < Infinity;

/** Rows where QuantLib's vol is meaningful: the quantlib test's own selection. */
const volPinned = (row: FixtureRow) =>
  row[13] !== null && (64 * Number.EPSILON * (row[0] + row[1])) / row[10] <= 1e-11;

function ivVsQuantLib(fn: IvSolve, rows: FixtureRow[]): { vol: number; failed: number } {
  const vol = new Float64Array(1);
  const worst = { vol: 0, failed: 0 };
  for (const row of rows) {
    if (!volPinned(row)) continue;
    fn(fixtureChain(row), vol);
    const v = vol[0] as number;
    if (solvedVol(v)) worst.vol = Math.max(worst.vol, Math.abs(v - (row[13] as number)));
    else worst.failed++;
  }
  return worst;
}

// ---- timing ----

/** A pass over `options` options. */
type Entry = { name: string; run: () => void; options: number };

/**
 * ns per option for each entry, median over samples taken round by round (A B C A B C ...), so a
 * machine that speeds up or slows down affects all alike. A sample is enough passes to last ~2 ms;
 * slow entries get fewer samples.
 */
function timeInterleaved(entries: Entry[], budgetMs: number): Map<string, number> {
  const plan = entries.map((e) => {
    const start = process.hrtime.bigint();
    e.run();
    const passMs = Math.max(Number(process.hrtime.bigint() - start) / 1e6, 1e-3);
    for (let w = 0; w * passMs < 100 && w < 30; w++) e.run(); // warm-up: let the JIT settle
    const passes = Math.max(1, Math.ceil(2 / passMs));
    const samples = Math.max(3, Math.min(41, Math.floor(budgetMs / (passes * passMs))));
    return { ...e, passes, samples, ns: [] as number[] };
  });
  const rounds = Math.max(...plan.map((p) => p.samples));
  for (let round = 0; round < rounds; round++) {
    for (const p of plan) {
      if (round >= p.samples) continue;
      const start = process.hrtime.bigint();
      for (let pass = 0; pass < p.passes; pass++) p.run();
      p.ns.push(Number(process.hrtime.bigint() - start) / (p.passes * p.options));
    }
  }
  return new Map(plan.map((p) => [p.name, median(p.ns)]));
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

// ---- the bench ----

export type PricingBenchResult = {
  options: number;
  priceDelta: { name: string; nsPerOption: number; quantlib: Disagreement }[];
  ivOptions: number;
  iv: {
    name: string;
    nsPerOption: number;
    stepsPerOption: number | null;
    worstVsTrue: number;
    unsolved: number;
    quantlib: { vol: number; failed: number };
  }[];
};

/** The chain's options whose price pins the vol to 1e-10: elsewhere there is no usable time value. */
function volPinnedOptions(c: Chain): number[] {
  const vega = new Float64Array(c.strikes.length);
  priceChain(c, { price: new Float64Array(c.strikes.length), vega });
  const picked: number[] = [];
  for (let i = 0; i < c.strikes.length; i++) {
    if ((64 * Number.EPSILON * (c.spot + (c.strikes[i] as number))) / (vega[i] as number) <= 1e-10) {
      picked.push(i);
    }
  }
  return picked;
}

function pick(c: Chain, indices: number[]): Chain {
  const sub = emptyChain(indices.length, c.spot, c.rate, c.q);
  indices.forEach((i, j) => {
    sub.strikes[j] = c.strikes[i] as number;
    sub.tYears[j] = c.tYears[i] as number;
    sub.vols[j] = c.vols[i] as number;
    sub.prices[j] = c.prices[i] as number;
    sub.isCall[j] = c.isCall[i] as number;
  });
  return sub;
}

export function main(): PricingBenchResult {
  const chain = buildChain();
  const n = chain.strikes.length;
  const rows = loadFixture();
  const price = new Float64Array(n);
  const delta = new Float64Array(n);

  const pricers: [string, PriceDelta][] = [
    ['plain typed-array loop (floor)', plainLoop],
    ['keel priceChain', keelPriceChain],
    ['@uqee/black-scholes', uqeePriceDelta],
    ['black-scholes + greeks', blackScholesGreeks],
  ];
  const priceTimes = timeInterleaved(
    pricers.map(([name, fn]) => ({ name, run: () => fn(chain, price, delta), options: n })),
    3000,
  );
  const priceDelta = pricers.map(([name, fn]) => ({
    name,
    nsPerOption: priceTimes.get(name) as number,
    quantlib: priceDeltaVsQuantLib(fn, rows),
  }));

  const ivChain = pick(chain, volPinnedOptions(chain));
  const m = ivChain.strikes.length;
  // implied-volatility bisects 100 times with a 100-term series for N: ~5 ms an option, so it is
  // timed on every 37th option (~200)
  const sample = pick(
    ivChain,
    [...Array(Math.ceil(m / slowStride)).keys()].map((i) => i * slowStride),
  );
  const solvers: { name: string; fn: IvSolve; on: Chain }[] = [
    { name: 'keel impliedVolChain', fn: keelIv, on: ivChain },
    { name: 'Newton + bisection (reference)', fn: referenceIv, on: ivChain },
    { name: '@uqee/black-scholes sigma', fn: uqeeIv, on: ivChain },
    { name: `implied-volatility (1 in ${slowStride})`, fn: impliedVolatilityPackage, on: sample },
  ];
  const vol = new Float64Array(m);
  const ivTimes = timeInterleaved(
    solvers.map(({ name, fn, on }) => ({ name, run: () => fn(on, vol), options: on.strikes.length })),
    3000,
  );
  const keelSteps = new Uint8Array(m);
  impliedVolChain(ivChain, { vol, iterations: keelSteps });
  const keelStepsPerOption = keelSteps.reduce((a, b) => a + b, 0) / m;
  const iv = solvers.map(({ name, fn, on }) => {
    referenceSteps = 0;
    fn(on, vol);
    const size = on.strikes.length;
    let worstVsTrue = 0;
    let unsolved = 0;
    for (let i = 0; i < size; i++) {
      const v = vol[i] as number;
      if (solvedVol(v)) worstVsTrue = Math.max(worstVsTrue, Math.abs(v - (on.vols[i] as number)));
      else unsolved++;
    }
    const stepsPerOption =
      fn === keelIv ? keelStepsPerOption : fn === referenceIv ? referenceSteps / size : null;
    return {
      name,
      nsPerOption: ivTimes.get(name) as number,
      stepsPerOption,
      worstVsTrue,
      unsolved,
      quantlib: ivVsQuantLib(fn, rows),
    };
  });

  const result = { options: n, priceDelta, ivOptions: m, iv };
  printTables(result, rows.length);
  return result;
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1));

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

function printTables(r: PricingBenchResult, fixtureRows: number): void {
  const [loop, keel, uqeeSingle] = r.priceDelta;
  const [keelIvRow, reference] = r.iv;
  if (!loop || !keel || !uqeeSingle || !keelIvRow || !reference) throw new Error('bench rows missing');
  const minutes = expiryMinutes;
  console.log(
    `pricing bench (node ${process.version}): ${fmt(r.options)} options, calls and puts on ` +
      `${minutes.length} expiries from ${minutes[0]} minutes to ${(minutes[minutes.length - 1] as number) / 1440} days, ` +
      `strikes ${firstStrike}-${firstStrike + strikesPerExpiry - 1} around ${spot}; QuantLib: ${fixtureRows}-row grid`,
  );
  console.log('price + delta');
  printTable(
    ['', 'ns/option', 'vs loop', 'vs keel', 'max |price - QL|', 'max |delta - QL|'],
    r.priceDelta.map((p) => [
      p.name,
      fmt(p.nsPerOption, 1),
      `${fmt(p.nsPerOption / loop.nsPerOption, 2)}x`,
      `${fmt(p.nsPerOption / keel.nsPerOption, 2)}x`,
      sci(p.quantlib.price) + (p.quantlib.failed > 0 ? ` (${p.quantlib.failed} NaN)` : ''),
      sci(p.quantlib.delta),
    ]),
  );
  console.log(`implied vol (the ${fmt(r.ivOptions)} options whose price pins the vol to 1e-10)`);
  printTable(
    ['', 'ns/option', 'vs reference', 'vs keel', 'steps/option', 'max |vol - true|', 'max |vol - QL|'],
    r.iv.map((v) => [
      v.name,
      fmt(v.nsPerOption, 0),
      `${fmt(v.nsPerOption / reference.nsPerOption, 2)}x`,
      `${fmt(v.nsPerOption / keelIvRow.nsPerOption, 2)}x`,
      v.stepsPerOption === null ? '-' : fmt(v.stepsPerOption, 2),
      sci(v.worstVsTrue) + (v.unsolved > 0 ? ` (${v.unsolved} unsolved)` : ''),
      sci(v.quantlib.vol) + (v.quantlib.failed > 0 ? ` (${v.quantlib.failed} unsolved)` : ''),
    ]),
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const vsLoop = keel.nsPerOption / loop.nsPerOption;
  const vsUqee = keel.nsPerOption / uqeeSingle.nsPerOption;
  const ivSpeedup = reference.nsPerOption / keelIvRow.nsPerOption;
  console.log('targets');
  console.log(`  price + delta within 1.1x of the plain loop: ${fmt(vsLoop, 2)}x, ${verdict(vsLoop <= 1.1)}`);
  console.log(
    `  price + delta ahead of @uqee/black-scholes: ${fmt(vsUqee, 2)}x its time, ${verdict(vsUqee < 1)}`,
  );
  console.log(
    `  implied vol >= 3x faster than Newton + bisection: ${fmt(ivSpeedup, 2)}x, ${verdict(ivSpeedup >= 3)}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
