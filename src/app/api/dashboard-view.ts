// The dashboard's picture of a running engine, built from its readout (or the projection alone
// while no readout is offered): trading state, the account's equity and PnL today and this week,
// the budgets, each owned group marked to mid with its stop usage and next exit, closed trades,
// refusals, discrepancies, incidents and foreign positions. Read-only.
import {
  addDays,
  describeInstrument,
  formatIso,
  localDate,
  localWeekday,
  microsToCents,
  microsToNumber,
  netRealized,
  ZERO_MICROS,
  type Micros,
} from '../../domain';
import { budgetView, type BudgetView } from '../../engine/report';
import type { EngineReadout } from '../../engine/readout';
import { isActiveGroup, type GroupRecord, type Projection } from '../../ledger/projection';
import { statusOf } from '../commands/status';
import type { VenueView } from './operator-api';

export type DashboardLeg = {
  instrument: string;
  qtyPerUnit: number;
  owned: number;
  /** Average price of the owned quantity; null when flat. */
  entryPrice: number | null;
  mid: number | null;
};

export type DashboardGroup = {
  id: string;
  strategy: string;
  kind: string;
  status: string;
  units: number;
  openedAt: string;
  openedT: number;
  ageMinutes: number;
  legs: DashboardLeg[];
  /** Cash of the open quantity: a credit taken in (+) or a cost paid (−). */
  entryCash: number;
  pnl: number | null;
  realized: number;
  stopUsage: number | null;
  stop: string | null;
  next: string | null;
  note: string | null;
};

export type DashboardClosed = {
  id: string;
  strategy: string;
  openedAt: string;
  closedAt: string | null;
  openedT: number;
  closedT: number | null;
  legs: string;
  exitReason: string | null;
  realizedPnl: number;
  commissions: number;
};

export type DashboardView = {
  t: number;
  now: string;
  timeZone: string;
  tradingState: string;
  reason: string | null;
  since: string | null;
  venue: VenueView | null;
  account: {
    /** Configured equity plus everything realized plus the open groups at mid; null without risk settings. */
    equity: number | null;
    dayEquity: number | null;
    realizedToday: number;
    realizedWeek: number;
    realizedTotal: number;
    /** Open groups marked to mid (what closing them at mid would add); null when a leg has no quote. */
    open: number | null;
  };
  budget: BudgetView | null;
  groups: DashboardGroup[];
  openOrders: ReturnType<typeof statusOf>['openOrders'];
  closed: DashboardClosed[];
  refusals: { t: string; source: string; rule: string; message: string; maxAllowedQty: number | null }[];
  discrepancies: {
    id: string;
    t: string;
    kind: string;
    detail: string;
    resolved: boolean;
    resolution: string | null;
  }[];
  /** The engine's own moves toward safety (breaker trips, halts on a discrepancy). */
  incidents: { t: string; state: string; reason: string }[];
  foreign: ReturnType<typeof statusOf>['foreign'];
  events: number;
};

/** One point of the equity and underlying curves. */
export type DashboardSample = {
  t: number;
  equity: number | null;
  realized: number;
  open: number | null;
  spots: Record<string, number | null>;
};

const closedShown = 200;
const refusalsShown = 100;

export function dashboardView(
  p: Projection,
  readout: EngineReadout | null,
  venue: VenueView | null,
): DashboardView {
  const now = readout?.now ?? p.lastT;
  const iso = (t: number) => formatIso(t, p.timeZone);
  const status = statusOf(p);
  const groups: DashboardGroup[] = [];
  let open: number | null = 0;
  for (const g of p.groups.values()) {
    if (!isActiveGroup(g)) continue;
    const r = readout?.groups.get(g.id) ?? null;
    const legs = g.legs.map((l, i) => {
      const owned = p.ownership.owned(l.instrumentId, g.id);
      const lot = g.pnl.byInstrument.get(l.instrumentId);
      const instrument = p.requireInstrument(l.instrumentId);
      const entryPrice =
        owned === 0 || lot === undefined
          ? null
          : round(Math.abs(microsToNumber(lot.openCash) / (owned * instrument.multiplier)), 4);
      return {
        instrument: describeInstrument(instrument),
        qtyPerUnit: l.qtyPerUnit,
        owned,
        entryPrice,
        mid: roundOrNull(r?.view.legs[i]?.mid ?? null, 4),
      };
    });
    const realized = microsToCents(netRealized(g.pnl));
    const pnl = r?.view.pnl ?? null;
    const held = legs.some((l) => l.owned !== 0);
    if (held) open = pnl === null || open === null ? null : open + (pnl - realized);
    groups.push({
      id: g.id,
      strategy: g.strategyId,
      kind: g.kind,
      status: g.status,
      units: g.units,
      openedAt: iso(g.openedAt),
      openedT: g.openedAt,
      ageMinutes: Math.max(0, Math.floor((now - g.openedAt) / 60_000)),
      legs,
      entryCash: round(openCash(g), 2),
      pnl: pnl === null ? null : round(pnl, 2),
      realized,
      stopUsage: r?.outlook?.stopUsage ?? null,
      stop: r?.outlook?.stop ?? null,
      next: r?.outlook?.next ?? null,
      note: g.note,
    });
  }
  const realizedTotal = sumCents([...p.groups.values()].map((g) => microsToCents(netRealized(g.pnl))));
  const account = accountFigures(p, now, realizedTotal, readout?.accountEquity ?? null);
  const closed = [...p.groups.values()]
    .filter((g) => !isActiveGroup(g))
    .sort((a, b) => (b.closedAt ?? b.openedAt) - (a.closedAt ?? a.openedAt))
    .slice(0, closedShown)
    .map((g) => ({
      id: g.id,
      strategy: g.strategyId,
      openedAt: iso(g.openedAt),
      closedAt: g.closedAt === null ? null : iso(g.closedAt),
      openedT: g.openedAt,
      closedT: g.closedAt,
      legs: g.legs
        .map((l) => `${l.qtyPerUnit * g.units} ${describeInstrument(p.requireInstrument(l.instrumentId))}`)
        .join(' / '),
      exitReason: g.status === 'failed' ? g.statusReason : g.exitReason,
      realizedPnl: microsToCents(netRealized(g.pnl)),
      commissions: microsToCents(g.pnl.commissions),
    }));
  const last = p.tradingHistory.at(-1);
  return {
    t: now,
    now: iso(now),
    timeZone: p.timeZone.name,
    tradingState: p.tradingState,
    reason: last?.reason ?? null,
    since: last === undefined ? null : iso(last.t),
    venue,
    account: {
      ...account,
      open: open === null ? null : round(open, 2),
      equity: account.equity === null || open === null ? account.equity : round(account.equity + open, 2),
    },
    budget: budgetView(p),
    groups,
    openOrders: status.openOrders,
    closed,
    refusals: p.refusals
      .slice(-refusalsShown)
      .reverse()
      .map((r) => ({
        t: iso(r.t),
        source: r.source,
        rule: r.rule,
        message: r.message,
        maxAllowedQty: r.maxAllowedQty,
      })),
    discrepancies: [...p.discrepancies.values()]
      .sort((a, b) => Number(a.resolved) - Number(b.resolved) || b.t - a.t)
      .map((d) => ({
        id: d.id,
        t: iso(d.t),
        kind: d.kind,
        detail: d.detail,
        resolved: d.resolved,
        resolution: d.resolution,
      })),
    incidents: p.tradingHistory
      .filter((h) => h.source === 'engine')
      .reverse()
      .map((h) => ({ t: iso(h.t), state: h.state, reason: h.reason })),
    foreign: status.foreign,
    events: p.eventsApplied,
  };
}

/**
 * Realized PnL today and this week. With budgets the engine journals the equity each day and week
 * started with (configured equity plus everything realized before), so the difference is exact;
 * without them, a group's realized PnL counts on the day it closed (or today while it is open).
 */
function accountFigures(
  p: Projection,
  now: number,
  realizedTotal: number,
  accountEquity: number | null,
): {
  equity: number | null;
  dayEquity: number | null;
  realizedToday: number;
  realizedWeek: number;
  realizedTotal: number;
} {
  const state = p.budget.state;
  const equity = accountEquity === null ? null : round(accountEquity + realizedTotal, 2);
  if (state !== null && equity !== null) {
    return {
      equity,
      dayEquity: round(state.day.equityMicros / 1e6, 2),
      realizedToday: round(equity - state.day.equityMicros / 1e6, 2),
      realizedWeek: round(equity - state.week.equityMicros / 1e6, 2),
      realizedTotal,
    };
  }
  const today = localDate(now, p.timeZone);
  const monday = addDays(today, -((localWeekday(now, p.timeZone) + 6) % 7));
  let day = 0;
  let week = 0;
  for (const g of p.groups.values()) {
    const on = localDate(g.closedAt ?? now, p.timeZone);
    const r = microsToCents(netRealized(g.pnl));
    if (on === today) day += r;
    if (on >= monday) week += r;
  }
  return {
    equity,
    dayEquity: null,
    realizedToday: round(day, 2),
    realizedWeek: round(week, 2),
    realizedTotal,
  };
}

function openCash(g: GroupRecord): number {
  let cash = ZERO_MICROS as Micros;
  for (const lot of g.pnl.byInstrument.values()) cash = (cash + lot.openCash) as Micros;
  return microsToNumber(cash);
}

/** One sample of the curves: equity, realized and open PnL, and the underlyings' spots. */
export function dashboardSample(
  view: DashboardView,
  readout: EngineReadout | null,
  symbols: readonly string[],
): DashboardSample {
  const spots: Record<string, number | null> = {};
  for (const s of symbols) spots[s] = readout?.market.spot(s) ?? null;
  return {
    t: view.t,
    equity: view.account.equity,
    realized: view.account.realizedTotal,
    open: view.account.open,
    spots,
  };
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

function sumCents(values: readonly number[]): number {
  return values.reduce((n, v) => n + Math.round(v * 100), 0) / 100;
}

function roundOrNull(x: number | null, places: number): number | null {
  return x === null ? null : round(x, places);
}
