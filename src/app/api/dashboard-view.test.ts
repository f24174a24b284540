// The dashboard's picture, taken while the shipped examples run in the simulator (as the API sees
// them through the run's control): an open condor's stop-loss usage and next exit agree with its
// own PnL and credit, a bracket's stop is measured from its entry, realized PnL today and this
// week add up to what the run's report books per day, and closed trades carry their exit reason.
import { describe, expect, it } from 'vitest';
import { localDate } from '../../domain';
import type { SimControl } from '../../sim/run';
import { runScenario } from '../../sim/run';
import { strategiesForScenario } from '../../sim/run/strategies-for-scenario';
import { loadRunConfig } from '../run-config';
import { dashboardSample, dashboardView, type DashboardView } from './dashboard-view';

async function runWatching(file: string, days: number, watch: (view: DashboardView) => void) {
  const loaded = loadRunConfig(file, { days });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const scenario = loaded.config.scenario;
  let control: SimControl | null = null;
  const picture = () => {
    const p = control?.projection() ?? null;
    return p === null ? null : dashboardView(p, control?.readout?.() ?? null, null);
  };
  const result = await runScenario(scenario, {
    strategies: strategiesForScenario,
    control: (c) => {
      control = c;
    },
    pace: async () => {
      const view = picture();
      if (view !== null) watch(view);
    },
  });
  const last = picture();
  if (last === null) throw new Error('no engine at the end');
  const c = control as SimControl | null;
  return { result, last, scenario, readout: c?.readout?.() ?? null };
}

describe('the dashboard picture during a run', () => {
  it('an open condor: legs, entry credit, stop-loss usage from its own PnL, next exit; the week adds up by day', async () => {
    const open: DashboardView['groups'] = [];
    let days = new Set<string>();
    const { result, last, scenario, readout } = await runWatching(
      'examples/iron-condor-0dte.yaml',
      2,
      (v) => {
        const g = v.groups.find((x) => x.status === 'open' && x.stopUsage !== null);
        if (g !== undefined && open.length < 50) open.push(g);
        days = days.add(v.now.slice(0, 10));
      },
    );
    expect(open.length).toBeGreaterThan(0);
    for (const g of open) {
      expect(g.legs).toHaveLength(4);
      expect(g.legs.map((l) => l.owned)).toEqual([2, -2, -2, 2]);
      for (const l of g.legs) expect(l.entryPrice).toBeGreaterThan(0);
      expect(g.entryCash).toBeGreaterThan(0); // a credit
      expect(g.pnl).not.toBeNull();
      const pnl = g.pnl ?? 0;
      expect(g.stopUsage).toBeCloseTo(Math.max(0, -pnl / (3 * g.entryCash)), 3);
      expect(g.stop).toBe(
        `mark PnL ${(-3 * g.entryCash).toFixed(2)} (3x the credit ${g.entryCash.toFixed(2)})`,
      );
      expect(g.next).toMatch(
        /^(stop-loss|take-profit|trailing stop) at [-+]?\d+\.\d\d: \d+% of the way; time exit at 15:45/,
      );
    }
    // At the end of day two: today is day two's groups, the week both days'.
    const groups = result.report.groups;
    const byDay = (day: string) =>
      groups
        .filter((g) => (g.closedAt ?? '').startsWith(day))
        .reduce((sum, g) => sum + Math.round(g.realizedPnl * 100), 0) / 100;
    const lastDay = last.now.slice(0, 10);
    const firstDay = scenario.clock.start.text.slice(0, 10);
    expect(lastDay).not.toBe(firstDay);
    expect(last.account.realizedToday).toBeCloseTo(byDay(lastDay), 2);
    expect(last.account.realizedWeek).toBeCloseTo(byDay(lastDay) + byDay(firstDay), 2);
    expect(last.account.realizedTotal).toBeCloseTo(result.report.summary.realizedPnl, 2);
    expect(last.account.equity).toBeCloseTo(100_000 + result.report.summary.realizedPnl, 2);
    expect(last.account.dayEquity).toBeCloseTo(100_000 + byDay(firstDay), 2);
    // Closed trades, newest first, each with its times, exit reason and commissions.
    expect(last.closed.length).toBe(groups.filter((g) => g.status === 'closed').length);
    const times = last.closed.map((c) => c.closedT ?? 0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const c of last.closed) {
      expect(c.exitReason).toMatch(/stop-loss|take-profit|trailing stop|time exit/);
      expect(c.commissions).toBeGreaterThan(0);
      expect(localDate(c.closedT ?? 0, scenario.timeZone)).toBe(c.closedAt?.slice(0, 10));
    }
    // A sample carries the underlying's spot.
    const sample = dashboardSample(last, readout, ['XSP']);
    expect(sample.spots['XSP']).toBeGreaterThan(600);
    expect(days.size).toBe(2);
  });

  it("a bracket's stop-loss usage is measured from its entry toward the stop resting at the venue", async () => {
    const seen: DashboardView['groups'] = [];
    await runWatching('examples/equity-bracket.yaml', 2, (v) => {
      for (const g of v.groups)
        if (g.status === 'open' && g.stopUsage !== null && seen.length < 20) seen.push(g);
    });
    expect(seen.length).toBeGreaterThan(0);
    for (const g of seen) {
      expect(g.next).toMatch(
        /^(stop-loss|take-profit) at \d+(\.\d+)? \(resting at the venue\): \d+% of the way$/,
      );
      expect(g.stop).toMatch(/^sell at \d+(\.\d+)?, entry \d+\.\d\d$/);
      const leg = g.legs[0];
      const stop = Number(/^sell at ([\d.]+)/.exec(g.stop ?? '')?.[1]);
      const entry = Number(/entry ([\d.]+)$/.exec(g.stop ?? '')?.[1]);
      if (leg?.mid == null) continue;
      expect(g.stopUsage).toBeCloseTo(Math.max(0, (entry - leg.mid) / (entry - stop)), 1);
    }
  });
});
