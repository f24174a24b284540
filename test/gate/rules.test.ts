// The one gate, rule by rule, through the whole engine on the simulated venue: each refusal rule
// fires with its stable code, a message a trader can act on, and the largest order that would
// have passed. Operator orders are the path the 2026-01-02 incident went around.
import { describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { gateYaml, keelOrders, openFills, rulesOf, type GateScenario } from './gate-scenario';

type Case = {
  readonly name: string;
  readonly scenario: Omit<GateScenario, 'name'>;
  /** [rule, maxAllowedQty] of each refusal, in order. */
  readonly refusals: [string, number | null][];
  /** One pattern per refusal message. */
  readonly messages: RegExp[];
  /** Quantities of keel's opening orders at the venue. */
  readonly sentQty: number[];
};

const pltr = (at: string, qty: number, rest = 'type: LMT, limit: 170.77') =>
  `{ at: '${at}', action: order, symbol: PLTR, side: BUY, qty: ${qty}, ${rest} }`;
const tsla = (at: string, qty: number) =>
  `{ at: '${at}', action: order, symbol: TSLA, side: BUY, qty: ${qty}, type: LMT, limit: 443.18 }`;

const cases: Case[] = [
  {
    name: 'maxPositionPct: 62 PLTR at 170.77 is past 10% of $105,000; 61 fits',
    scenario: { operator: [pltr('09:45', 62), pltr('09:50', 61)] },
    refusals: [['maxPositionPct', 61]],
    messages: [
      /^PLTR 62 @ 170\.77 = \$10,58\d is 10\.1% of equity; the per-position cap is 10% \(\$10,500\): at most 61 shares$/,
    ],
    sentQty: [61],
  },
  {
    name: 'maxRiskPerTrade: a stop 10.77 away risks more than 0.5% before the notional cap binds',
    scenario: {
      risk: { riskPerTradePct: 0.005 },
      operator: [
        pltr('09:45', 60, 'type: LMT, limit: 170.77, stop: 160'),
        pltr('09:50', 48, 'type: LMT, limit: 170.77, stop: 160'),
        // Closed before the end, so its protective stop does not stay working.
        `{ at: '15:30', action: flatten, group: operator-20260102-1 }`,
      ],
    },
    refusals: [['maxRiskPerTrade', 48]],
    messages: [
      /^a stop at 160 risks 10\.77 per unit; 0\.50% of \$105000 is the risk cap: at most 48 shares$/,
    ],
    sentQty: [48],
  },
  {
    name: 'maxDailyPct: the third order of the day after two fills',
    scenario: {
      risk: { maxPositionsPerDay: 5 },
      operator: [pltr('09:45', 60), tsla('09:50', 23), pltr('11:00', 10)],
    },
    refusals: [['maxDailyPct', 3]],
    messages: [
      /^PLTR 10 @ 170\.77 = \$1,708 would bring today's exposure to \$22,147 \(21\.1% of equity\); the daily cap is 20% \(\$21,000\), \$561 left today: at most 3 shares$/,
    ],
    sentQty: [60, 23],
  },
  {
    name: 'maxPositionsPerDay: a third position on a day capped at two',
    scenario: { operator: [pltr('09:45', 10), tsla('09:50', 5), pltr('10:00', 10)] },
    refusals: [['maxPositionsPerDay', 0]],
    messages: [
      /^PLTR would be position 3 today; the cap is 2 positions a day \(the count restarts tomorrow\): at most 0 shares/,
    ],
    sentQty: [10, 5],
  },
  {
    name: 'fatFinger: a buy limit beyond ask + 5% of mid, and a sell limit below bid - 5% of mid',
    scenario: {
      operator: [
        pltr('09:45', 10, 'type: LMT, limit: 180'),
        `{ at: '09:46', action: order, symbol: PLTR, side: SELL, qty: 10, type: LMT, limit: 162 }`,
        pltr('09:47', 10, 'type: LMT, limit: 179.31'),
      ],
    },
    refusals: [
      ['fatFinger', null],
      ['fatFinger', null],
    ],
    messages: [
      /^limit 180 is more than 5\.0% of mid above the ask 170\.78: check the price$/,
      /^limit 162 is more than 5\.0% of mid below the bid 170\.76: check the price$/,
    ],
    sentQty: [10],
  },
];

describe('the gate refuses with a stable rule, a readable message and what would pass', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const run = await runChecked(scenarioFromYaml(gateYaml({ name: 'gate-rule', ...c.scenario })));
      expect(run.verdict.violations).toEqual([]);
      expect(rulesOf(run.report.refusals)).toEqual(c.refusals);
      expect(run.report.refusals.map((r) => r.source)).toEqual(c.refusals.map(() => 'operator'));
      run.report.refusals.forEach((r, k) => expect(r.message).toMatch(c.messages[k] as RegExp));
      const opens = keelOrders(run.venueLog).filter((o) => o.clientOrderId?.endsWith('-o1'));
      expect(opens.map((o) => o.qty)).toEqual(c.sentQty);
      // The operator sees the refusal and, where something smaller passes, how much.
      for (const r of run.report.refusals) {
        expect(run.engineLog.some((l) => l.includes(`refused (${r.rule}): ${r.message}`))).toBe(true);
        if (r.maxAllowedQty !== null && r.maxAllowedQty > 0)
          expect(
            run.engineLog.some((l) => l.includes(`the largest order that passes now: ${r.maxAllowedQty}`)),
          ).toBe(true);
      }
    });
  }

  it('maxDailyPct fires only after the first two orders filled', async () => {
    const c = cases[2] as Case;
    const run = await runChecked(scenarioFromYaml(gateYaml({ name: 'gate-daily', ...c.scenario })));
    const fills = openFills(run.venueLog);
    expect(fills.map((f) => [f.instrument.symbol, f.qty])).toEqual([
      ['PLTR', 60],
      ['TSLA', 23],
    ]);
    const refusedAt = run.report.refusals[0]?.t ?? '';
    for (const f of fills) expect(Date.parse(f.t)).toBeLessThan(Date.parse(refusedAt));
  });

  it('maxPositionsPerWeek: counts carry across the days of a week', async () => {
    const day = (d: string, hhmm: string) => `2026-02-${d}T${hhmm}:00-05:00`;
    const at = (d: string, hhmm: string, symbol: string) =>
      `{ at: '${day(d, hhmm)}', action: order, symbol: ${symbol}, side: BUY, qty: 10, type: MKT }`;
    const run = await runChecked(
      scenarioFromYaml(
        gateYaml({
          name: 'gate-week',
          start: day('09', '09:30'),
          end: day('11', '16:00'),
          session: { open: '09:30', close: '16:00' },
          stepSeconds: 60,
          risk: { maxPositionsPerWeek: 3 },
          operator: [
            at('09', '09:45', 'PLTR'),
            at('09', '09:50', 'TSLA'),
            at('10', '09:45', 'PLTR'),
            at('10', '09:50', 'TSLA'),
            at('11', '09:45', 'PLTR'),
          ],
        }),
      ),
    );
    expect(run.verdict.violations).toEqual([]);
    expect(rulesOf(run.report.refusals)).toEqual([
      ['maxPositionsPerWeek', 0],
      ['maxPositionsPerWeek', 0],
    ]);
    expect(run.report.refusals.map((r) => r.t.slice(0, 16))).toEqual([
      '2026-02-10T09:50',
      '2026-02-11T09:45',
    ]);
    for (const r of run.report.refusals)
      expect(r.message).toMatch(
        /would be position 4 this week; the hard cap is 3 positions a week \(the count restarts when the week resets\)/,
      );
    expect(openFills(run.venueLog).map((f) => f.t.slice(0, 10))).toEqual([
      '2026-02-09',
      '2026-02-09',
      '2026-02-10',
    ]);
  });
});
