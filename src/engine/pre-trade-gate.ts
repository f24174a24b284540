// One gate for every order: strategy, operator (CLI, HTTP, scenario) and the engine's own closes
// all pass here before anything is journaled or sent. The sizing incident (2026-01-02) happened
// because manual orders went around the sizing script.
import {
  describeInstrument,
  isOnLot,
  isOnTick,
  legsPerOrderMax,
  localDate,
  qtyAdd,
  signedQty,
  uncoveredShorts,
  type Instrument,
  type InstrumentId,
  type OptionHolding,
  type OrderIntent,
} from '../domain';
import { remainingLegQty, type Projection } from '../ledger/projection';
import { closableQty } from './close-sizing';
import { refusal, type Refusal } from './refusal';

export type GateLimits = {
  /** Executions (leg fills) a strategy may make in one day: the cascade made 55 against 4-8. */
  readonly executionsPerDayMax: number;
  readonly ordersPerMinuteMax: number;
};

export const defaultGateLimits: GateLimits = { executionsPerDayMax: 40, ordersPerMinuteMax: 30 };

export type GateInput = {
  readonly p: Projection;
  readonly order: OrderIntent;
  readonly now: number;
  readonly limits: GateLimits;
  readonly recentOrderTimes: readonly number[];
  /** The strategy's daily execution budget. */
  readonly executionBudget: number;
};

export function checkOrder(input: GateInput): Refusal | null {
  return (
    checkTradingState(input) ??
    checkInstruments(input) ??
    checkGrid(input) ??
    checkOwnershipBound(input) ??
    checkDefinedRisk(input) ??
    checkRate(input) ??
    checkExecutionBudget(input)
  );
}

function checkTradingState({ p, order }: GateInput): Refusal | null {
  switch (p.tradingState) {
    case 'ACTIVE':
      return null;
    case 'REDUCING':
      return order.intent === 'open'
        ? refusal(
            'tradingReducing',
            `trading is REDUCING (${lastReason(p)}): only orders that reduce risk are allowed`,
            0,
          )
        : null;
    case 'HALTED':
      return refusal(
        'tradingHalted',
        `trading is HALTED (${lastReason(p)}): no orders until an operator resumes`,
        0,
      );
  }
}

function lastReason(p: Projection): string {
  return p.tradingHistory.at(-1)?.reason ?? 'no reason recorded';
}

function checkInstruments({ p, order, now }: GateInput): Refusal | null {
  if (order.legs.length === 0 || order.legs.length > legsPerOrderMax) {
    return refusal('legsMax', `an order has 1 to ${legsPerOrderMax} legs, this one has ${order.legs.length}`);
  }
  const today = localDate(now, p.utcOffsetMin);
  for (const leg of order.legs) {
    const i = p.instruments.get(leg.instrumentId);
    if (!i) return refusal('unknownInstrument', `instrument ${leg.instrumentId} is not known to keel`);
    if (i.kind === 'option' && i.expiry < today)
      return refusal('instrumentExpired', `${describeInstrument(i)} expired on ${i.expiry}`);
  }
  return null;
}

function checkGrid({ p, order }: GateInput): Refusal | null {
  if (!(order.qty > 0)) return refusal('badQuantity', `quantity must be positive, got ${order.qty}`);
  for (const leg of order.legs) {
    const i = p.instruments.get(leg.instrumentId) as Instrument;
    if (!isOnLot(order.qty * leg.ratio, i.lot))
      return refusal(
        'offLot',
        `${describeInstrument(i)}: quantity ${order.qty * leg.ratio} is not a multiple of the lot ${i.lot}`,
      );
  }
  const tick = (p.instruments.get(order.legs[0]?.instrumentId as InstrumentId) as Instrument).tick;
  for (const [name, price] of [
    ['limit', order.limitPrice],
    ['stop', order.stopPrice],
  ] as const) {
    if (price !== null && !isOnTick(Math.abs(price), tick))
      return refusal('offTick', `${name} price ${price} is not on the tick ${tick}`);
  }
  return null;
}

/** Closes and reduces only take off what the group owns and is not already closing. */
function checkOwnershipBound({ p, order }: GateInput): Refusal | null {
  if (order.intent !== 'close' && order.intent !== 'reduce') return null;
  const group = p.groups.get(order.groupId);
  if (!group)
    return refusal('exceedsOwned', `group ${order.groupId} is not known: keel closes only what it owns`, 0);
  let maxUnits = Infinity;
  for (const leg of order.legs) {
    const closable = closableQty(p, group, leg.instrumentId);
    const i = p.instruments.get(leg.instrumentId) as Instrument;
    if (!closable)
      return refusal(
        'exceedsOwned',
        `${group.id} owns no open ${describeInstrument(i)} that is not already being closed`,
        0,
      );
    if (closable.side !== leg.side)
      return refusal(
        'wrongSideForClose',
        `${group.id} is ${closable.side === 'SELL' ? 'long' : 'short'} ${describeInstrument(i)}: a ${leg.side} would add to it`,
        0,
      );
    maxUnits = Math.min(maxUnits, Math.floor(closable.qty / leg.ratio));
  }
  if (order.qty > maxUnits) {
    return refusal(
      'exceedsOwned',
      `${group.id} can close at most ${maxUnits} unit(s) now (owned minus working closes); asked ${order.qty}`,
      maxUnits,
    );
  }
  return null;
}

/**
 * The holdings keel would have if this order and every working order filled, counting shorts
 * pessimistically (pending longs are not yet cover), may not contain an uncovered short.
 */
function checkDefinedRisk({ p, order }: GateInput): Refusal | null {
  if (order.intent !== 'open') return null;
  const touched = new Set(order.legs.map((l) => l.instrumentId));
  if (![...touched].some((id) => p.instruments.get(id)?.kind === 'option')) return null;
  const qty = new Map<InstrumentId, number>();
  const add = (id: InstrumentId, q: number) => qty.set(id, qtyAdd(qty.get(id) ?? 0, q));
  for (const id of p.ownership.instruments()) add(id, p.ownership.ownedTotal(id));
  for (const o of p.orders.live()) {
    for (const leg of o.intent.legs) {
      const rest = remainingLegQty(o, leg.instrumentId);
      if (leg.side === 'SELL') add(leg.instrumentId, -rest);
    }
  }
  for (const leg of order.legs) add(leg.instrumentId, signedQty(leg.side, order.qty * leg.ratio));
  const holdings: OptionHolding[] = [];
  for (const [id, q] of qty) {
    const i = p.instruments.get(id);
    if (i?.kind === 'option') holdings.push({ instrument: i, qty: q });
  }
  const naked = uncoveredShorts(holdings).filter(
    (u) => touched.has(u.instrument.id) || order.legs.some((l) => l.side === 'SELL'),
  );
  if (naked.length === 0) return null;
  const list = naked.map((u) => `${u.uncoveredQty}x ${describeInstrument(u.instrument)}`).join(', ');
  return refusal(
    'uncoveredShort',
    `this order would leave keel short ${list} with no covering long: keel holds defined risk at every instant`,
    0,
  );
}

function checkRate({ order, now, limits, recentOrderTimes }: GateInput): Refusal | null {
  if (order.intent !== 'open') return null; // a close is never refused for speed: it reduces risk
  const lastMinute = recentOrderTimes.filter((t) => t > now - 60_000).length;
  if (lastMinute >= limits.ordersPerMinuteMax) {
    return refusal(
      'orderRate',
      `${lastMinute} orders in the last minute reaches the limit of ${limits.ordersPerMinuteMax}`,
      0,
    );
  }
  return null;
}

/** An open must leave room in the day's execution budget to close what it opens. */
function checkExecutionBudget({ p, order, now, executionBudget }: GateInput): Refusal | null {
  if (order.intent !== 'open') return null;
  const done = p.executionsToday(order.strategyId, now);
  const needed = 2 * order.legs.length;
  if (done + needed > executionBudget) {
    return refusal(
      'executionBudget',
      `${order.strategyId} has made ${done} executions today; opening and closing this order needs ${needed} more and the daily budget is ${executionBudget}`,
      0,
    );
  }
  return null;
}
