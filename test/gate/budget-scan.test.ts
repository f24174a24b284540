// Budget recovery (2026-01-02 report): budget freed by a close is available at the next scheduled
// scan (10:30, 15:55), not at once. A position closed at 11:00 still counts against the day until
// 15:55: an order at 11:30 and at 15:54 is refused, the same order at 15:56 passes.
import { beforeAll, describe, expect, it } from 'vitest';
import { atLocalTime, fixedOffsetZone, localHhmm } from '../../src/domain';
import type { SimControl } from '../../src/sim/run';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { gateYaml, keelOrders, rulesOf } from './gate-scenario';

const newYork = fixedOffsetZone(-300); // the scenario's clock names only -05:00

const order = (at: string, symbol: string, qty: number, limit: number) =>
  `{ at: '${at}', action: order, symbol: ${symbol}, side: BUY, qty: ${qty}, type: LMT, limit: ${limit} }`;

const yaml = gateYaml({
  name: 'gate-budget-scan',
  risk: { maxPositionsPerDay: 5 },
  operator: [
    order('09:45', 'PLTR', 61, 170.77), // $10,416.97
    order('09:50', 'TSLA', 23, 443.18), // $10,193.14: $389.89 of the $21,000 day left
    `{ at: '11:00', action: flatten, group: operator-20260102-1 }`,
    order('11:30', 'PLTR', 30, 170.77),
    order('15:54', 'PLTR', 30, 170.77),
    order('15:56', 'PLTR', 30, 170.77),
  ],
});

type Sample = { hhmm: string; pendingFree: number; usedToday: number };
const samples: Sample[] = [];
let run: Awaited<ReturnType<typeof runChecked>>;

beforeAll(async () => {
  let control: SimControl | null = null;
  run = await runChecked(scenarioFromYaml(yaml), {
    control: (c) => (control = c),
    // Before each simulated event: the budget as the running engine holds it.
    pace: async (t) => {
      const account = (control as SimControl | null)?.projection()?.budget.remaining()?.account;
      if (account === undefined) return;
      samples.push({
        hhmm: localHhmm(t, newYork),
        pendingFree: account.usage.pendingFreeMicros / 1e6,
        usedToday: (account.usage.consumedTodayMicros + account.usage.reservedTodayMicros) / 1e6,
      });
    },
  });
});

const at = (hhmm: string) => samples.filter((s) => s.hhmm === hhmm).at(-1);

describe('budget freed at the next scan, not at the close', () => {
  it('refuses at 11:30 and 15:54 with what is left of the day; passes at 15:56', () => {
    expect(run.verdict.violations).toEqual([]);
    expect(rulesOf(run.report.refusals)).toEqual([
      ['maxDailyPct', 2],
      ['maxDailyPct', 2],
    ]);
    expect(run.report.refusals.map((r) => r.t.slice(11, 16))).toEqual(['11:30', '15:54']);
    for (const r of run.report.refusals) expect(r.message).toContain('$390 left today');
    const opens = keelOrders(run.venueLog).filter((o) => o.clientOrderId?.endsWith('-o1'));
    expect(opens.map((o) => [o.t.slice(11, 16), o.legs[0]?.instrument.symbol, o.qty])).toEqual([
      ['09:45', 'PLTR', 61],
      ['09:50', 'TSLA', 23],
      ['15:56', 'PLTR', 30],
    ]);
  });

  it('the PLTR close is pending free from 11:00 until the 15:55 scan, then freed', () => {
    const closed = run.report.groups.find((g) => g.id === 'operator-20260102-1');
    expect(closed?.status).toBe('closed');
    const closedAt = Date.parse(closed?.closedAt ?? '');
    expect(closedAt).toBeGreaterThanOrEqual(atLocalTime(closedAt, '11:00', newYork));
    expect(closedAt).toBeLessThan(atLocalTime(closedAt, '11:30', newYork));
    const pltr = 10_416.97;
    expect(at('10:45')).toMatchObject({ pendingFree: 0 });
    expect(at('11:15')?.pendingFree).toBeCloseTo(pltr, 2);
    expect(at('15:50')?.pendingFree).toBeCloseTo(pltr, 2);
    expect(at('15:50')?.usedToday).toBeCloseTo(pltr + 10_193.14, 2);
    expect(at('15:55')?.pendingFree).toBe(0);
    expect(at('15:55')?.usedToday).toBeCloseTo(10_193.14, 2);
  });
});
