// `external.positions`: quantities at the venue before keel starts that are not keel's, here on
// the very strikes keel trades (24 long 693C beside keel's long wing, 5 short 672P beside keel's
// short put). The venue nets them with keel's own; keel acts only on what it owns: its PnL, its
// close sizes and its view of the group exclude them, and they are still there at expiry.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, keelOrders, legName, linesOf, positionsOf, xsp } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let sameSide: Run;
let againstShort: Run;

beforeAll(async () => {
  sameSide = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'foreign-same-side',
        positions: [
          `{ instrument: ${xsp(693, 'C')}, qty: 24, avgPrice: 0.48 }`,
          `{ instrument: ${xsp(672, 'P')}, qty: -5, avgPrice: 0.9 }`,
        ],
      }),
    ),
  );
  againstShort = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'foreign-against-short',
        positions: [`{ instrument: ${xsp(692, 'C')}, qty: 24, avgPrice: 0.48 }`],
      }),
    ),
  );
});

describe('external.positions', () => {
  it("the venue shows the outside quantities before keel's first order and nets keel's own into them", () => {
    const first = keelOrders(sameSide.venueLog)[0]?.seq ?? 0;
    const opening = linesOf(sameSide.venueLog, 'position').filter((p) => p.seq < first);
    expect(opening.map((p) => `${p.qty} ${legName(p)}`)).toEqual(['24 693C', '-5 672P']);
    expect(positionsOf(sameSide.venueLog, 693, 'C')).toEqual([24, 25, 24, 0]);
    expect(positionsOf(sameSide.venueLog, 672, 'P')).toEqual([-5, -6, -5, 0]);
    const settled = linesOf(sameSide.venueLog, 'settle').map((s) => `${s.qty} ${legName(s)}`);
    expect(settled.sort()).toEqual(['-5 672P', '24 693C']);
  });

  it('keel orders and closes one lot of each of its own legs, never the outside quantity', () => {
    expect(sameSide.verdict.violations).toEqual([]); // foreign-untouched, no-flip, PnL from own fills
    for (const o of keelOrders(sameSide.venueLog)) expect(o.qty).toBe(1);
    const g = sameSide.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(g?.legs.map((l) => `${l.qty} ${legName(l)}`)).toEqual(['1 671P', '-1 672P', '-1 692C', '1 693C']);
    const foreign = sameSide.report.discrepancies.filter((d) => d.kind === 'foreign-position');
    expect(foreign.map((d) => (d.instrument === null ? '' : legName({ instrument: d.instrument })))).toEqual([
      '693C',
      '672P',
    ]);
    expect(sameSide.report.tradingState).toEqual([]);
  });

  it('an outside long on the strike keel shorts: the checker finds nothing unsafe', () => {
    expect(againstShort.verdict.violations).toEqual([]);
    expect(positionsOf(againstShort.venueLog, 692, 'C')[0]).toBe(24);
  });

  // Selling 1 692C into an outside long of 24 would not open a short: the venue keeps one net
  // position, so it would close one of someone else's calls. The gate refuses such an open
  // (nettingForeign) instead of letting keel's own fill trip the containment check and halt.
  it('keel does not halt itself over its own fill, and leaves no group open at the close', () => {
    expect(againstShort.report.refusals.map((r) => r.rule)).toContain('nettingForeign');
    expect(againstShort.report.tradingState.filter((s) => s.state === 'HALTED')).toEqual([]);
    expect(againstShort.report.groups.filter((g) => g.status !== 'closed')).toEqual([]);
  });
});
