// A halt stops new risk, never the management of what keel owns (the short condor that rode to
// expiry unmanaged because HALTED froze its stop and its time exit). While HALTED the condor's own
// exits and an operator flatten still close its legs through the gate, shorts first; nothing opens.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, keelOrders, legName } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let exitRun: Run;
let flatten: Run;

beforeAll(async () => {
  exitRun = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'halted-time-exit',
        operator: ['{ at: "11:00", action: halt, reason: "operator checks the account" }'],
      }),
    ),
  );
  flatten = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'halted-flatten',
        combos: false,
        operator: [
          '{ at: "11:00", action: halt, reason: "operator checks the account" }',
          '{ at: "11:30", action: flatten, strategy: ic-0dte }',
        ],
      }),
    ),
  );
});

const at = (t: string) => t.slice(11, 16);

describe('closes while HALTED', () => {
  it("the condor's own exit (its take-profit) still closes it; nothing opens after the halt", () => {
    expect(exitRun.verdict.violations).toEqual([]);
    expect(exitRun.report.tradingState.map((s) => s.state)).toEqual(['HALTED']);
    const [group, ...more] = exitRun.report.groups;
    expect(more).toEqual([]);
    expect(group?.status).toBe('closed');
    expect(group?.exitReason ?? '').toMatch(/^take-profit: mark PnL/);
    const afterHalt = keelOrders(exitRun.venueLog).filter((o) => at(o.t) >= '11:00');
    expect(afterHalt.length).toBeGreaterThan(0);
    expect(afterHalt.every((o) => /-c\d+$/.test(o.clientOrderId ?? ''))).toBe(true);
    // Before the halt the condor opened; the only orders after it are that exit's closes.
    expect(
      keelOrders(exitRun.venueLog)
        .filter((o) => at(o.t) < '11:00')
        .every((o) => /-o\d+$/.test(o.clientOrderId ?? '')),
    ).toBe(true);
  });

  it('an operator flatten while HALTED closes per leg, shorts bought back before any long is sold', () => {
    expect(flatten.verdict.violations).toEqual([]);
    const [group] = flatten.report.groups;
    expect(group?.status).toBe('closed');
    const closes = keelOrders(flatten.venueLog).filter((o) => /-c\d+$/.test(o.clientOrderId ?? ''));
    expect(closes.every((o) => at(o.t) >= '11:30' && at(o.t) < '11:45')).toBe(true);
    const firstSell = closes.findIndex((o) => o.legs[0]?.side === 'SELL');
    const buys = closes
      .filter((o) => o.legs[0]?.side === 'BUY')
      .map((o) => legName(o.legs[0] ?? { instrument: {} }));
    expect(new Set(buys)).toEqual(new Set(['672P', '692C']));
    expect(closes.slice(0, firstSell).map((o) => o.legs[0]?.side)).toEqual(
      closes.slice(0, firstSell).map(() => 'BUY'),
    );
    expect(flatten.report.tradingState.at(-1)?.state).toBe('HALTED');
  });
});
