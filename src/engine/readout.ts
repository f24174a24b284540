// What the operator's dashboard reads from a running engine: the projection, the quote book, the
// engine's clock, the configured equity and each open group marked to mid with its exit outlook.
// Read-only: nothing here records an event, sends an order or changes a strategy's state.
import { microsToNumber, ZERO_MICROS, type GroupId } from '../domain';
import { isActiveGroup, type GroupRecord, type Projection } from '../ledger/projection';
import type { MarketData, QuoteBook } from '../venues/venue';
import { groupView } from './group-view';
import type { ExitOutlook, GroupView, Strategy } from './strategy';

/** One active group as the operator sees it: marked to mid, with its exits. */
export type GroupReadout = {
  readonly view: GroupView;
  readonly outlook: ExitOutlook | null;
};

export type EngineReadout = {
  readonly projection: Projection;
  readonly market: QuoteBook;
  /** The engine's clock: simulated time in a simulation, the wall clock live. */
  readonly now: number;
  /** The equity the risk settings give the account (before anything realized); null without them. */
  readonly accountEquity: number | null;
  /** Active groups, marked to mid, with their exit outlook. */
  readonly groups: ReadonlyMap<GroupId, GroupReadout>;
};

export function engineReadout(
  p: Projection,
  market: MarketData,
  now: number,
  accountEquity: number | null,
  strategies: readonly Strategy[],
): EngineReadout {
  const groups = new Map<GroupId, GroupReadout>();
  for (const g of p.groups.values()) {
    if (!isActiveGroup(g)) continue;
    const view = groupView(p, market, g);
    const strategy = strategies.find((s) => s.id === g.strategyId);
    const outlook =
      g.status !== 'open'
        ? null
        : strategy?.exitOutlook !== undefined
          ? strategy.exitOutlook({ now, timeZone: p.timeZone, market }, view)
          : protectiveOutlook(g, view);
    groups.set(g.id, { view, outlook });
  }
  return { projection: p, market, now, accountEquity, groups };
}

/**
 * A group opened with a protective stop (and maybe a target) resting at the venue: how far the
 * price has gone from the entry toward the stop, and which of the two is nearer.
 */
export function protectiveOutlook(g: GroupRecord, view: GroupView): ExitOutlook | null {
  const stop = g.entry?.stopPrice ?? null;
  const target = g.entry?.targetPrice ?? null;
  const leg = view.legs.find((l) => l.owned !== 0);
  if (stop === null || leg === undefined || leg.mid === null) return null;
  const cash = microsToNumber(g.pnl.byInstrument.get(leg.instrument.id)?.openCash ?? ZERO_MICROS);
  const entry = Math.abs(cash / (leg.owned * leg.instrument.multiplier));
  if (!(entry > 0) || entry === stop) return null;
  const long = leg.owned > 0;
  const stopUsage = Math.max(0, (entry - leg.mid) / (entry - stop));
  const toTarget =
    target === null || target === entry ? null : Math.max(0, (leg.mid - entry) / (target - entry));
  const nearer =
    toTarget !== null && toTarget > stopUsage
      ? `take-profit at ${target} (resting at the venue): ${Math.round(Math.min(toTarget, 1) * 100)}% of the way`
      : `stop-loss at ${stop} (resting at the venue): ${Math.round(Math.min(stopUsage, 1) * 100)}% of the way`;
  return {
    stopUsage,
    stop: `${long ? 'sell' : 'buy'} at ${stop}, entry ${entry.toFixed(2)}`,
    next: nearer,
  };
}
