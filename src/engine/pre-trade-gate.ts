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
import type { BudgetClaim } from '../ledger/events';
import { entryId, remainingLegQty, type Projection } from '../ledger/projection';
import { reserveRefusal, sizePosition } from '../risk';
import type { QuoteBook, VenueCapabilities } from '../venues/venue';
import { closableQty, protectableQty } from './close-sizing';
import { matchedAtVenue } from './matched-quantity';
import { refusal, type Refusal } from './refusal';
import type { GateLimits, RiskSettings } from './settings';

export type GateInput = {
  readonly p: Projection;
  readonly order: OrderIntent;
  readonly now: number;
  readonly limits: GateLimits;
  readonly recentOrderTimes: readonly number[];
  /** The strategy's daily execution budget. */
  readonly executionBudget: number;
  readonly risk: RiskSettings | null;
  readonly market: QuoteBook;
  /** A new structure checked as one unit before its group exists (bracket: entry with its stop). */
  readonly open: OpenCheck | null;
};

export type OpenCheck = {
  /** null: the structure's exposure is unbounded (the defined-risk rule refuses it). */
  readonly claim: BudgetClaim | null;
  readonly protectiveStop: number | null;
  readonly multiplier: number;
};

export function checkOrder(input: GateInput): Refusal | null {
  return (
    checkTradingState(input) ??
    checkInstruments(input) ??
    checkGrid(input) ??
    checkFatFinger(input) ??
    checkBudget(input) ??
    checkOwnershipBound(input) ??
    checkNettingForeign(input) ??
    checkDefinedRisk(input) ??
    checkRate(input) ??
    checkExecutionBudget(input)
  );
}

/**
 * What this venue takes: keel's client order id within its length and characters (Alpaca: 48),
 * a combo within its legs. The venue's own rules, from its capabilities, never constants here.
 */
export function checkVenueLimits(order: OrderIntent, venue: VenueCapabilities): Refusal | null {
  const id = order.clientOrderId;
  if (id.length > venue.clientOrderId.maxLength || !venue.clientOrderId.allowed.test(id))
    return refusal(
      'venueLimits',
      `client order id ${id} does not fit the venue (at most ${venue.clientOrderId.maxLength} characters of ${venue.clientOrderId.allowed.source}): use a shorter strategy id`,
      0,
    );
  if (order.legs.length > 1 && order.legs.length > venue.comboLegsMax)
    return refusal(
      'venueLimits',
      `the venue takes combos of at most ${venue.comboLegsMax} legs, this one has ${order.legs.length}`,
      0,
    );
  return null;
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
    case 'HALTED': {
      // New risk stops; closing keel's own quantity where the venue still shows it goes on.
      if (order.intent === 'open')
        return refusal(
          'tradingHalted',
          `trading is HALTED (${lastReason(p)}): no new positions until an operator resumes`,
          0,
        );
      const unmatched = order.legs.find((l) => !matchedAtVenue(p, l.instrumentId));
      if (unmatched === undefined) return null;
      const i = p.instruments.get(unmatched.instrumentId);
      return refusal(
        'tradingHalted',
        `trading is HALTED (${lastReason(p)}) and the venue's ${i ? describeInstrument(i) : unmatched.instrumentId} does not match what keel owns: that leg waits for an operator`,
        0,
      );
    }
  }
}

function lastReason(p: Projection): string {
  return p.tradingHistory.at(-1)?.reason ?? 'no reason recorded';
}

function checkInstruments({ p, order, now }: GateInput): Refusal | null {
  if (order.legs.length === 0 || order.legs.length > legsPerOrderMax) {
    return refusal('legsMax', `an order has 1 to ${legsPerOrderMax} legs, this one has ${order.legs.length}`);
  }
  const today = localDate(now, p.timeZone);
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
  return offTick('limit', order.limitPrice, tick) ?? offTick('stop', order.stopPrice, tick);
}

function offTick(name: 'limit' | 'stop', price: number | null, tick: number): Refusal | null {
  if (price !== null && !isOnTick(Math.abs(price), tick))
    return refusal('offTick', `${name} price ${price} is not on the tick ${tick}`);
  return null;
}

/** A limit far beyond the far side of the quote is a typo, not a price. */
function checkFatFinger({ order, risk, market }: GateInput): Refusal | null {
  if (risk === null || order.limitPrice === null || order.legs.length !== 1) return null;
  const leg = order.legs[0] as OrderIntent['legs'][number];
  const q = market.quote(leg.instrumentId);
  if (!q || !(q.mid > 0)) return null;
  const band = risk.fatFingerPct * q.mid;
  const limit = order.limitPrice;
  const beyond = leg.side === 'BUY' ? limit - (q.ask + band) : q.bid - band - limit;
  if (beyond <= 1e-9) return null;
  const side = leg.side === 'BUY' ? `above the ask ${q.ask}` : `below the bid ${q.bid}`;
  return refusal(
    'fatFinger',
    `limit ${limit} is more than ${(risk.fatFingerPct * 100).toFixed(1)}% of mid ${side}: check the price`,
    null,
  );
}

/**
 * Exposure budgets and the dual-cap size (2026-01-02): a new structure must fit the per-position
 * cap, the risk at its stop, the day's and week's budgets and the position counts. Orders of an
 * existing group spend the reservation its open took; an open order of a group without one would
 * be a way around the budgets, so it is refused.
 */
function checkBudget({ p, order, open, risk, market }: GateInput): Refusal | null {
  if (order.intent !== 'open' || risk === null) return null;
  const state = p.budget.state;
  if (state === null) return null;
  if (open === null) {
    const group = p.groups.get(order.groupId);
    if (group?.budget !== null && group?.budget !== undefined)
      return group.legs.length === 1 ? checkWithinClaim(p, order, group.budget, market) : null;
    return refusal(
      'budgetUnreserved',
      `${order.groupId} holds no exposure reservation: every open goes through the gate as a whole structure`,
      0,
    );
  }
  if (open.claim === null) return null;
  const refused = reserveRefusal(state, {
    id: entryId(order.groupId),
    strategyId: order.strategyId,
    symbol: open.claim.symbol,
    qty: order.qty,
    price: open.claim.price,
    exposurePerUnit: open.claim.exposurePerUnit,
    lot: open.claim.lot,
    unit: open.claim.unit,
  });
  const byRisk = riskCapQty(open, risk, state.day.equityMicros / 1e6);
  const maxQty = Math.min(refused === null ? Infinity : refused.maxAllowedQty, byRisk?.qty ?? Infinity);
  if (refused !== null && refused.rule === 'maxPositionPct')
    return refusal('maxPositionPct', refused.message, maxQty);
  if (byRisk !== null && order.qty > byRisk.qty)
    return refusal('maxRiskPerTrade', `${byRisk.reason}: at most ${byRisk.qty} ${open.claim.unit}`, maxQty);
  if (refused !== null) return refusal(refused.rule, refused.message, maxQty);
  return null;
}

/**
 * An order of a reserved single-leg open may not fill past the price its reservation was measured
 * at: a buy fills at or below its limit; a sell at or above it, so at the market when that is
 * higher. A day order sent again after the market moved is refused rather than filled beyond it.
 */
function checkWithinClaim(
  p: Projection,
  order: OrderIntent,
  claim: BudgetClaim,
  market: QuoteBook,
): Refusal | null {
  const leg = order.legs[0];
  if (order.legs.length !== 1 || leg === undefined) return null;
  if (p.instruments.get(leg.instrumentId)?.kind === 'option') return null; // options claim max loss
  const ask = market.quote(leg.instrumentId)?.ask ?? null;
  const worst = leg.side === 'BUY' ? (order.limitPrice ?? ask) : Math.max(order.limitPrice ?? 0, ask ?? 0);
  if (worst === null || worst <= claim.price + 1e-9) return null;
  return refusal(
    'beyondReservation',
    `${leg.side} ${claim.symbol} could fill at ${worst}, past the ${claim.price} its exposure was reserved at: the market moved; open it again to size it at today's price`,
    0,
  );
}

/** The risk cap of the dual-cap sizing: loss at the protective stop within riskPerTradePct. */
function riskCapQty(
  open: OpenCheck,
  risk: RiskSettings,
  equity: number,
): { qty: number; reason: string } | null {
  const claim = open.claim;
  if (claim === null || open.protectiveStop === null || open.protectiveStop === claim.price) return null;
  const size = sizePosition({
    equity,
    entry: claim.price,
    stop: open.protectiveStop,
    riskPct: risk.riskPerTradePct,
    notionalPct: 1,
    multiplier: open.multiplier,
    lot: claim.lot,
  });
  return {
    qty: size.byRisk,
    reason: `a stop at ${open.protectiveStop} risks ${Math.abs(claim.price - open.protectiveStop).toFixed(2)} per unit; ${(risk.riskPerTradePct * 100).toFixed(2)}% of $${equity.toFixed(0)} is the risk cap`,
  };
}

/** Closes, reduces and protective orders only take off what the group owns and is not already closing. */
function checkOwnershipBound({ p, order }: GateInput): Refusal | null {
  if (order.intent !== 'close' && order.intent !== 'reduce' && order.intent !== 'protect') return null;
  const group = p.groups.get(order.groupId);
  if (!group)
    return refusal('exceedsOwned', `group ${order.groupId} is not known: keel closes only what it owns`, 0);
  let maxUnits = Infinity;
  for (const leg of order.legs) {
    // A protective stop or take-profit is bounded like a close: by what the group owns.
    const closable =
      order.intent === 'protect'
        ? protectableQty(p, group, leg.instrumentId, order.type)
        : closableQty(p, group, leg.instrumentId);
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
    // A single leg is sized in the instrument's own units (0.0846 BTC); combo units are whole.
    maxUnits = Math.min(maxUnits, leg.ratio === 1 ? closable.qty : Math.floor(closable.qty / leg.ratio));
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
 * A venue keeps one net position per instrument: an open against someone else's opposite
 * quantity would not open anything, it would close part of theirs (2026-02-13 contamination).
 */
function checkNettingForeign({ p, order }: GateInput): Refusal | null {
  if (order.intent !== 'open') return null;
  for (const leg of order.legs) {
    const foreign = p.ownership.foreign(leg.instrumentId);
    const signed = signedQty(leg.side, order.qty * leg.ratio);
    if (foreign === 0 || Math.sign(foreign) === Math.sign(signed)) continue;
    const name = describeInstrument(p.requireInstrument(leg.instrumentId));
    return refusal(
      'nettingForeign',
      `${foreign > 0 ? '+' : ''}${foreign} ${name} in the account is not keel's: a ${leg.side} would net against it instead of opening; choose another strike or instrument`,
      0,
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
  // Only an order with an option leg can leave an option short uncovered: the rest go by at once.
  if (!order.legs.some((l) => p.instruments.get(l.instrumentId)?.kind === 'option')) return null;
  const touched = new Set(order.legs.map((l) => l.instrumentId));
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
