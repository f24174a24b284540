// 2026-01-28 naked short after a partial close, replayed. The safe outcome: at no venue event is a
// keel short uncovered; the group ends residual with the short call and its covering long; trading
// halts and the report says why. Never "success".
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const file = 'scenarios/incidents/2026-01-28-naked-short-after-partial-close.yaml';
let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  run = await runChecked(scenarioFromFile(file));
});

describe('jan28 naked short', () => {
  it('never has an uncovered keel short at any venue event (outside checker)', () => {
    expect(run.verdict.violations).toEqual([]);
  });

  it('ends residual with exactly the short 460C and its covering long 465C', () => {
    const g = run.report.groups[0];
    expect(g?.status).toBe('residual');
    const left = (g?.residualLegs ?? [])
      .map((l) => `${l.qty} ${l.instrument.strike}${l.instrument.right}`)
      .sort();
    expect(left).toEqual(['-1 460C', '1 465C']);
  });

  it('never sent an order to sell the 465C that covers the failed short', () => {
    const sells465 = run.venueLog.filter(
      (l) =>
        l.type === 'order' &&
        l.origin === 'keel' &&
        l.legs.some((x) => x.instrument.strike === 465 && x.side === 'SELL'),
    );
    expect(sells465).toEqual([]);
  });

  it('halts trading with the residual as the reason', () => {
    const halted = run.report.tradingState.find((s) => s.state === 'HALTED');
    expect(halted?.reason).toMatch(/residual .*460C/);
    expect(run.report.discrepancies.some((d) => d.kind === 'residual' && /460C/.test(d.detail))).toBe(true);
  });
});
