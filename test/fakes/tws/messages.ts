// What the fake TWS sends, field by field, as @stoqey/ib's decoder reads each message at the pinned
// server version (node_modules/@stoqey/ib/dist/core/io/decoder.js). At 193 the messages that used to
// carry a version of their own (order status, open order, executions, contract data) carry none.
import type { WireField } from './wire';

/** The one server version this fake speaks: @stoqey/ib 1.6.10's maximum (CME_TAGGING_FIELDS_IN_OPEN_ORDER). */
export const pinnedServerVersion = 193;

export const inMsg = {
  tickPrice: 1,
  orderStatus: 3,
  error: 4,
  openOrder: 5,
  nextValidId: 9,
  contractData: 10,
  executionData: 11,
  managedAccounts: 15,
  currentTime: 49,
  contractDataEnd: 52,
  openOrderEnd: 53,
  executionDataEnd: 55,
  commissionReport: 59,
  position: 61,
  positionEnd: 62,
  secDefOptParameter: 75,
  secDefOptParameterEnd: 76,
} as const;

export const tickType = { bid: 1, ask: 2, last: 4, markPrice: 37 } as const;
/** The delayed tick type of each live one (an account without a subscription, market data type 3). */
export const delayedTickType: Readonly<Record<number, number>> = { 1: 66, 2: 67, 4: 68 };

/** A contract as TWS describes it on the wire. */
export type WireContract = {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  /** YYYYMMDD for options, else empty. */
  readonly lastTradeDate: string;
  readonly strike: number;
  readonly right: string;
  readonly multiplier: number;
  readonly exchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
};

export type WireComboLeg = {
  readonly conId: number;
  readonly ratio: number;
  readonly action: string;
  readonly exchange: string;
};

/** An order as TWS echoes it back on open-order messages. */
export type WireOrder = {
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly action: string;
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly lmtPrice: number | null;
  readonly auxPrice: number | null;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly ocaType: number;
  readonly account: string;
  readonly openClose: string;
  readonly orderRef: string;
  readonly parentId: number;
  readonly comboLegs: readonly WireComboLeg[];
  readonly status: string;
};

export function serverHello(version: number, connectionTime: string): WireField[] {
  return [version, connectionTime];
}

export function managedAccounts(accounts: readonly string[]): WireField[] {
  return [inMsg.managedAccounts, 1, accounts.join(',')];
}

export function nextValidId(id: number): WireField[] {
  return [inMsg.nextValidId, 1, id];
}

export function currentTime(epochSeconds: number): WireField[] {
  return [inMsg.currentTime, 1, epochSeconds];
}

/** id -1: a notice for the session (1100, 2104...); else the order or request it concerns. */
export function errorMessage(id: number, code: number, message: string): WireField[] {
  return [inMsg.error, 2, id, code, message, ''];
}

export function orderStatus(o: {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  permId: number;
  parentId: number;
  lastFillPrice: number;
  clientId: number;
  whyHeld?: string;
}): WireField[] {
  return [
    inMsg.orderStatus,
    o.orderId,
    o.status,
    o.filled,
    o.remaining,
    o.avgFillPrice,
    o.permId,
    o.parentId,
    o.lastFillPrice,
    o.clientId,
    o.whyHeld ?? '',
    '', // mktCapPrice
  ];
}

function contractFields(c: WireContract): WireField[] {
  return [
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDate,
    c.strike,
    c.right,
    c.multiplier,
    c.exchange,
    c.currency,
    c.localSymbol,
    c.tradingClass,
  ];
}

/** The open-order message at 193: every field OrderDecoder reads, in its order. */
export function openOrder(c: WireContract, o: WireOrder): WireField[] {
  const u = undefined; // an unset double / int: empty on the wire
  return [
    inMsg.openOrder,
    o.orderId,
    ...contractFields(c),
    o.action,
    o.totalQuantity,
    o.orderType,
    o.lmtPrice,
    o.auxPrice,
    o.tif,
    o.ocaGroup,
    o.account,
    o.openClose,
    0, // origin: customer
    o.orderRef,
    o.clientId,
    o.permId,
    false, // outsideRth
    0, // hidden
    0, // discretionaryAmt
    '', // goodAfterTime
    '', // sharesAllocation (deprecated)
    '', // faGroup
    '', // faMethod
    '', // faPercentage
    '', // modelCode
    '', // goodTillDate
    '', // rule80A
    u, // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    u, // startingPrice
    u, // stockRefPrice
    u, // delta
    u, // stockRangeLower
    u, // stockRangeUpper
    u, // displaySize
    false, // blockOrder
    false, // sweepToFill
    false, // allOrNone
    u, // minQty
    o.ocaType,
    false, // eTradeOnly
    false, // firmQuoteOnly
    u, // nbboPriceCap
    o.parentId,
    0, // triggerMethod
    u, // volatility
    0, // volatilityType
    '', // deltaNeutralOrderType (empty: no delta-neutral fields follow)
    u, // deltaNeutralAuxPrice
    0, // continuousUpdate
    0, // referencePriceType
    u, // trailStopPrice
    u, // trailingPercent
    u, // basisPoints
    u, // basisPointsType
    '', // comboLegsDescription
    o.comboLegs.length,
    ...o.comboLegs.flatMap((l) => [l.conId, l.ratio, l.action, l.exchange, 0, 0, '', -1]),
    0, // orderComboLegs
    0, // smartComboRoutingParams
    u, // scaleInitLevelSize
    u, // scaleSubsLevelSize
    u, // scalePriceIncrement (unset: no scale fields follow)
    '', // hedgeType (empty: no hedge param)
    false, // optOutSmartRouting
    '', // clearingAccount
    '', // clearingIntent
    false, // notHeld
    false, // deltaNeutralContract present
    '', // algoStrategy (empty: no params)
    false, // solicited
    false, // whatIf
    o.status,
    u,
    u,
    u,
    u,
    u,
    u, // margins before / change (WHAT_IF_EXT_FIELDS)
    u,
    u,
    u, // margins after
    u,
    u,
    u, // commission, min, max
    '', // commissionCurrency
    '', // warningText
    false, // randomizeSize
    false, // randomizePrice
    0, // conditions
    '', // adjustedOrderType
    u, // triggerPrice
    u, // trailStopPrice
    u, // lmtPriceOffset
    u, // adjustedStopPrice
    u, // adjustedStopLimitPrice
    u, // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    '', // softDollarTier name
    '', // softDollarTier value
    '', // softDollarTier displayName
    u, // cashQty
    false, // dontUseAutoPriceForHedge
    false, // isOmsContainer
    false, // discretionaryUpToLimitPrice
    false, // usePriceMgmtAlgo
    0, // duration
    u, // postToAts
    false, // autoCancelParent
    u, // minTradeQty
    u, // minCompeteSize
    u, // competeAgainstBestOffset
    u, // midOffsetAtWhole
    u, // midOffsetAtHalf
    '', // customerAccount
    false, // professionalCustomer
    '', // bondAccruedInterest
    false, // includeOvernight
    '', // extOperator
    u, // manualOrderIndicator
  ];
}

export function openOrderEnd(): WireField[] {
  return [inMsg.openOrderEnd, 1];
}

export type WireExecution = {
  readonly reqId: number;
  readonly orderId: number;
  readonly contract: WireContract;
  readonly execId: string;
  /** "YYYYMMDD-HH:MM:SS" in UTC. */
  readonly time: string;
  readonly account: string;
  readonly side: 'BOT' | 'SLD';
  readonly shares: number;
  readonly price: number;
  readonly permId: number;
  readonly clientId: number;
  readonly cumQty: number;
  readonly avgPrice: number;
  readonly orderRef: string;
};

/** Execution data at 193 (no version field; last liquidity and pending price revision at the end). */
export function executionData(x: WireExecution): WireField[] {
  return [
    inMsg.executionData,
    x.reqId,
    x.orderId,
    ...contractFields(x.contract),
    x.execId,
    x.time,
    x.account,
    x.contract.exchange,
    x.side,
    x.shares,
    x.price,
    x.permId,
    x.clientId,
    0, // liquidation
    x.cumQty,
    x.avgPrice,
    x.orderRef,
    '', // evRule
    '', // evMultiplier
    '', // modelCode
    0, // lastLiquidity
    false, // pendingPriceRevision
  ];
}

export function executionDataEnd(reqId: number): WireField[] {
  return [inMsg.executionDataEnd, 1, reqId];
}

export function commissionReport(execId: string, commission: number, currency = 'USD'): WireField[] {
  // realizedPNL and yield unset (the client reads Double.MAX_VALUE as undefined).
  return [inMsg.commissionReport, 1, execId, commission, currency, '', '', 0];
}

export function position(account: string, c: WireContract, qty: number, avgCost: number): WireField[] {
  return [inMsg.position, 3, account, ...contractFields(c), qty, avgCost];
}

export function positionEnd(): WireField[] {
  return [inMsg.positionEnd, 1];
}

export type WireContractDetails = {
  readonly contract: WireContract;
  readonly minTick: number;
  readonly sizeIncrement: number;
  readonly underConId: number;
  readonly underSymbol: string;
  readonly underSecType: string;
  readonly longName: string;
};

/** Contract data at 193: no version (SIZE_RULES), last trade date, size rules, ineligibility reasons. */
export function contractData(reqId: number, d: WireContractDetails): WireField[] {
  const c = d.contract;
  return [
    inMsg.contractData,
    reqId,
    c.symbol,
    c.secType,
    c.lastTradeDate,
    c.lastTradeDate, // lastTradeDate (LAST_TRADE_DATE)
    c.strike,
    c.right,
    c.exchange,
    c.currency,
    c.localSymbol,
    c.tradingClass, // marketName
    c.tradingClass,
    c.conId,
    d.minTick,
    c.multiplier,
    'LMT,MKT,STP,STP LMT,MIT', // orderTypes
    c.exchange, // validExchanges
    1, // priceMagnifier
    d.underConId,
    d.longName,
    '', // primaryExch
    c.lastTradeDate.slice(0, 6), // contractMonth
    '', // industry
    '', // category
    '', // subcategory
    'US/Eastern', // timeZoneId
    '', // tradingHours
    '', // liquidHours
    '', // evRule
    '', // evMultiplier
    0, // secIdList
    0, // aggGroup
    d.underSymbol,
    d.underSecType,
    '', // marketRuleIds
    c.lastTradeDate, // realExpirationDate
    '', // stockType
    d.sizeIncrement, // minSize
    d.sizeIncrement, // sizeIncrement
    d.sizeIncrement, // suggestedSizeIncrement
    0, // ineligibilityReasons
  ];
}

export function contractDataEnd(reqId: number): WireField[] {
  return [inMsg.contractDataEnd, 1, reqId];
}

export function secDefOptParameter(
  reqId: number,
  underConId: number,
  tradingClass: string,
  multiplier: number,
  expirations: readonly string[],
  strikes: readonly number[],
): WireField[] {
  return [
    inMsg.secDefOptParameter,
    reqId,
    'SMART',
    underConId,
    tradingClass,
    multiplier,
    expirations.length,
    ...expirations,
    strikes.length,
    ...strikes,
  ];
}

export function secDefOptParameterEnd(reqId: number): WireField[] {
  return [inMsg.secDefOptParameterEnd, reqId];
}

/** Tick price, message version 3: price, size, attribute mask. -1: no price. */
export function tickPrice(tickerId: number, type: number, price: number): WireField[] {
  return [inMsg.tickPrice, 3, tickerId, type, price, 0, 0];
}
