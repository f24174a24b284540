// Fault matchers: which orders a fault applies to. Faults apply in file order and the first that
// matches wins. Each fault below has its own reject code and is narrowed to its own instruments,
// and outside orders hit it at known times, so the venue log shows exactly which orders each
// matcher caught. keel's condor trades beside them and is touched by none of them.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import type { VenueLogLine } from '../../src/venues/sim/venue-log';
import { condorYaml, keelOrders, legName, linesOf, xsp } from './condor';

const spy450 = '{ symbol: SPY, expiry: "2026-02-13", strike: 450, right: C }';
const reject = (code: number) => `reject: { code: ${code}, message: "matcher ${code}" }`;
const order = (at: string, instrument: string, side = 'BUY') =>
  `{ at: "${at}", instrument: ${instrument}, side: ${side}, qty: 1, type: MKT }`;

const probabilityTimes = Array.from({ length: 10 }, (_, i) => `11:0${i}`);

const yaml = condorYaml({
  name: 'matchers',
  seed: 11,
  markets: ['{ symbol: SPY, kind: equity, spot: 450, vol: 0.2, path: flat, stepSeconds: 5 }'],
  faults: [
    `{ match: { combo: false, origin: keel }, ${reject(301)} }`, // keel trades combos only: never
    `{ match: { side: SELL, instrument: ${xsp(700, 'C')} }, ${reject(302)} }`,
    `{ match: { symbol: SPY }, ${reject(303)} }`,
    `{ match: { instrument: ${xsp(701, 'C')}, from: "10:10", until: "10:20" }, ${reject(304)} }`,
    `{ match: { instrument: ${xsp(702, 'C')}, nth: 2 }, ${reject(305)} }`,
    `{ match: { origin: keel, instrument: ${xsp(703, 'C')} }, ${reject(306)} }`,
    `{ match: { instrument: ${xsp(704, 'C')}, probability: 0.5 }, ${reject(307)} }`,
    `{ match: { instrument: ${xsp(705, 'C')}, probability: 0 }, ${reject(308)} }`,
  ],
  orders: [
    order('10:00', xsp(700, 'C')),
    order('10:01', xsp(700, 'C'), 'SELL'),
    order('10:02', spy450),
    order('10:05', xsp(701, 'C')),
    order('10:10', xsp(701, 'C')),
    order('10:19', xsp(701, 'C')),
    order('10:20', xsp(701, 'C')),
    order('10:30', xsp(702, 'C')),
    order('10:31', xsp(702, 'C')),
    order('10:32', xsp(702, 'C')),
    order('10:40', xsp(703, 'C')),
    ...probabilityTimes.map((t) => order(t, xsp(704, 'C'))),
    ...probabilityTimes.map((t) => order(t, xsp(705, 'C'))),
  ],
});

type Run = Awaited<ReturnType<typeof runChecked>>;
let run: Run;
let again: Run;

beforeAll(async () => {
  run = await runChecked(scenarioFromYaml(yaml));
  again = await runChecked(scenarioFromYaml(yaml));
});

/** Each outside order as "HH:MM SIDE STRIKE: filled | rejected CODE". */
function outcomes(log: readonly VenueLogLine[], strike?: number): string[] {
  const rejects = new Map(linesOf(log, 'reject').map((r) => [r.venueOrderId, r.code]));
  const filled = new Set(linesOf(log, 'fill').map((f) => f.venueOrderId));
  return linesOf(log, 'order')
    .filter(
      (o) => o.origin === 'external' && (strike === undefined || o.legs[0]?.instrument.strike === strike),
    )
    .map((o) => {
      const leg = o.legs[0];
      const what = `${o.t.slice(11, 16)} ${leg?.side} ${leg?.instrument.symbol} ${leg === undefined ? '' : legName(leg)}`;
      const code = rejects.get(o.venueOrderId);
      return `${what}: ${code !== undefined ? `rejected ${code}` : filled.has(o.venueOrderId) ? 'filled' : 'working'}`;
    });
}

describe('fault matchers', () => {
  it('side: only the SELL of 700C is rejected', () => {
    expect(outcomes(run.venueLog, 700)).toEqual([
      '10:00 BUY XSP 700C: filled',
      '10:01 SELL XSP 700C: rejected 302',
    ]);
  });

  it('symbol: the SPY order is rejected; XSP orders are not matched by it', () => {
    expect(outcomes(run.venueLog, 450)).toEqual(['10:02 BUY SPY 450C: rejected 303']);
    expect(outcomes(run.venueLog).filter((o) => o.endsWith('rejected 303'))).toHaveLength(1);
  });

  it('instrument with from/until: rejected from 10:10 up to, not including, 10:20', () => {
    expect(outcomes(run.venueLog, 701)).toEqual([
      '10:05 BUY XSP 701C: filled',
      '10:10 BUY XSP 701C: rejected 304',
      '10:19 BUY XSP 701C: rejected 304',
      '10:20 BUY XSP 701C: filled',
    ]);
  });

  it('nth: only the second matching order is rejected', () => {
    expect(outcomes(run.venueLog, 702)).toEqual([
      '10:30 BUY XSP 702C: filled',
      '10:31 BUY XSP 702C: rejected 305',
      '10:32 BUY XSP 702C: filled',
    ]);
  });

  it('origin: a keel-only fault leaves an outside order on its instrument alone', () => {
    expect(outcomes(run.venueLog, 703)).toEqual(['10:40 BUY XSP 703C: filled']);
  });

  it('probability: 0.5 rejects some and fills others, the same ones for the same seed; 0 never fires', () => {
    const half = outcomes(run.venueLog, 704);
    expect(half).toHaveLength(probabilityTimes.length);
    const rejected = half.filter((o) => o.endsWith('rejected 307')).length;
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThan(probabilityTimes.length);
    expect(outcomes(again.venueLog, 704)).toEqual(half);
    expect(outcomes(run.venueLog, 705).every((o) => o.endsWith('filled'))).toBe(true);
  });

  it("combo / origin: keel's combos match none of the faults; its condor opens and closes clean", () => {
    const keelIds = new Set(keelOrders(run.venueLog).map((o) => o.venueOrderId));
    expect(linesOf(run.venueLog, 'reject').filter((r) => keelIds.has(r.venueOrderId))).toEqual([]);
    expect(keelOrders(run.venueLog).every((o) => o.combo)).toBe(true);
    expect(run.report.groups.map((g) => g.status)).toEqual(['closed']);
    expect(run.verdict.violations).toEqual([]);
  });
});
