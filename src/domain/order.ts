// Orders as keel sends them. Every order carries keel's own ClientOrderId to the venue, belongs to
// exactly one position group, and says why it exists (open / close / reduce / protect).
import type { ClientOrderId, GroupId, InstrumentId, StrategyId } from './ids';

export type Side = 'BUY' | 'SELL';
/**
 * MIT (market if touched) is a take-profit: it triggers when the price reaches `stopPrice` from
 * below for a sell (above for a buy) and then executes at market (BingX TAKE_PROFIT_MARKET, IB MIT).
 */
export type OrderType = 'MKT' | 'LMT' | 'STP' | 'STP_LMT' | 'MIT';
export type TimeInForce = 'DAY' | 'GTC' | 'IOC';
export type OrderIntentKind = 'open' | 'close' | 'reduce' | 'protect';
export type OrderSource = 'strategy' | 'operator' | 'engine';

export const legsPerOrderMax = 4;

/** One leg of an order: for a combo, `ratio` units of this instrument per unit of the combo. */
export type OrderLeg = { readonly instrumentId: InstrumentId; readonly side: Side; readonly ratio: number };

/** What goes to the venue. For a combo, `limitPrice` is the net price per unit: positive is a debit. */
export type OrderSpec = {
  readonly clientOrderId: ClientOrderId;
  readonly legs: readonly OrderLeg[];
  readonly qty: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  readonly parentClientOrderId: ClientOrderId | null;
};

/** An order as keel intends it: the spec plus who asked for it and which group it serves. */
export type OrderIntent = OrderSpec & {
  readonly groupId: GroupId;
  readonly strategyId: StrategyId;
  readonly source: OrderSource;
  readonly intent: OrderIntentKind;
};

export function opposite(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

export function signedQty(side: Side, qty: number): number {
  return side === 'BUY' ? qty : -qty;
}

export function isCombo(order: Pick<OrderSpec, 'legs'>): boolean {
  return order.legs.length > 1;
}

/**
 * Why the venue (or its client library) refused an order. `notSent`: it never left keel's side
 * (the link was down), so it says nothing about the order and may be sent again after reconnecting.
 */
export type RejectReason =
  'notSent' | 'refused' | 'duplicateId' | 'offTick' | 'offLot' | 'unknownInstrument' | 'unsupported';

/**
 * Why an order stopped working without filling completely: keel asked (`requested`), its time in
 * force or its instrument ran out (`expired`), or the venue ended it (`venue`: an OCO sibling
 * filled, a reduce-only order whose position went flat, a risk cancel).
 */
export type CancelReason = 'requested' | 'expired' | 'venue';
