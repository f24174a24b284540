// The Alpaca incident replayed through the alpaca adapter, @alpacahq/alpaca-trade-api and the fake
// Alpaca (`keel sim --through alpaca`): the 2026-01-02 sizing overexposure (291 PLTR and 76 TSLA
// entered by hand on a $105k account) gives the in-process checker verdict and the same refusals,
// 61 and 23 shares being what fits, and nothing reaches the venue. The same two orders at sizes
// that fit open two groups protected by a native OCO (stop-loss and take-profit) through the wire,
// with the in-process verdict and money.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alpacaThroughLink } from '../fakes/alpaca/through';
import { runChecked, scenarioFromFile, scenarioFromYaml } from '../support/run-scenario';

const file = 'scenarios/incidents/2026-01-02-position-sizing-overexposure.yaml';

describe('the Alpaca sizing incident through the wire (--through alpaca)', () => {
  it(`${file}: the same checker verdict and refusals as in-process`, async () => {
    const scenario = scenarioFromFile(file);
    const inProcess = await runChecked(scenario);
    const lines: string[] = [];
    const wire = await runChecked(scenario, {
      through: (sim, clock) => alpacaThroughLink(sim, clock, (l) => lines.push(l)),
    });
    expect(wire.verdict.ok).toBe(inProcess.verdict.ok);
    expect(wire.verdict.violations).toEqual(inProcess.verdict.violations);
    expect(wire.verdict.violations).toEqual([]);
    expect(wire.report.summary.crashes).toBe(0);
    const refusals = (r: typeof wire) => r.report.refusals.map((x) => [x.rule, x.maxAllowedQty]);
    expect(refusals(wire)).toEqual(refusals(inProcess));
    expect(refusals(wire)).toEqual([
      ['maxPositionPct', 61],
      ['maxPositionPct', 23],
    ]);
    expect(wire.venueLog.filter((l) => l.type === 'order' || l.type === 'fill')).toEqual([]);
    expect(lines.filter((l) => /cannot read|unexpected|did not place/.test(l))).toEqual([]);
  });
});

describe('orders that fit, protected by a native OCO, through the wire (--through alpaca)', () => {
  it('50 PLTR and 20 TSLA with their stops: the same groups, fills, money and clean verdict as in-process', async () => {
    const text = readFileSync(file, 'utf8')
      .replace('qty: 291', 'qty: 50')
      .replace('qty: 76', 'qty: 20')
      .replace('name: jan02-sizing', 'name: jan02-sizing-fits');
    const scenario = scenarioFromYaml(text);
    const inProcess = await runChecked(scenario);
    const lines: string[] = [];
    const wire = await runChecked(scenario, {
      through: (sim, clock) => alpacaThroughLink(sim, clock, (l) => lines.push(l)),
    });
    expect(inProcess.verdict.violations).toEqual([]);
    expect(wire.verdict.violations).toEqual([]);
    const money = (r: typeof wire) => [
      r.report.summary.executions,
      r.report.summary.realizedPnl,
      r.report.summary.groups,
      r.report.summary['openGroups'],
    ];
    expect(money(wire)).toEqual(money(inProcess));
    expect(lines.filter((l) => l.includes('go as one OCO order'))).toHaveLength(2);
    const exits = wire.venueLog.filter((l) => l.type === 'order' && l.reduceOnly);
    expect(
      exits.map((l) => (l.type === 'order' ? [l.orderType, l.parentVenueOrderId !== null] : [])),
    ).toEqual([
      ['LMT', true],
      ['STP', true],
      ['LMT', true],
      ['STP', true],
    ]);
  });
});

describe('the stream drops while an entry fills (--through alpaca)', () => {
  it('the fill made while the link was down is caught up, and the run matches in-process', async () => {
    const text =
      readFileSync(file, 'utf8')
        .replace('qty: 291', 'qty: 50')
        .replace('qty: 76', 'qty: 20')
        .replace('name: jan02-sizing', 'name: jan02-sizing-link-drop') +
      'faults:\n  - { at: "09:45:02", disconnect: { seconds: 40 } }\n';
    const scenario = scenarioFromYaml(text);
    const inProcess = await runChecked(scenario);
    const lines: string[] = [];
    const wire = await runChecked(scenario, {
      through: (sim, clock) => alpacaThroughLink(sim, clock, (l) => lines.push(l)),
    });
    expect(wire.verdict.violations).toEqual(inProcess.verdict.violations);
    expect(wire.verdict.violations).toEqual([]);
    const summary = (r: typeof wire) => [r.report.summary.executions, r.report.summary.realizedPnl];
    expect(summary(wire)).toEqual(summary(inProcess));
    expect(lines.some((l) => l.includes('the trade_updates stream dropped'))).toBe(true);
    expect(lines.some((l) => l.includes('is back and caught up'))).toBe(true);
    expect(lines.filter((l) => l.includes('happened while the stream was down: passed on now'))).toHaveLength(
      1,
    );
  });
});
