// What the fake TWS reads from the client, field by field, as @stoqey/ib's encoder writes each
// request at the pinned server version (node_modules/@stoqey/ib/dist/core/io/encoder.js). Only the
// fields keel's adapter can set are kept; a place-order's trailing fields (algo, conditions, MiFID...)
// are read past, since nothing after the combo legs changes what the simulated venue does.
import type { FieldReader } from './wire';

export const outMsg = {
  reqMktData: 1,
  cancelMktData: 2,
  placeOrder: 3,
  cancelOrder: 4,
  reqOpenOrders: 5,
  reqExecutions: 7,
  reqIds: 8,
  reqContractData: 9,
  reqAllOpenOrders: 16,
  reqManagedAccts: 17,
  reqCurrentTime: 49,
  reqMarketDataType: 59,
  reqPositions: 61,
  cancelPositions: 64,
  startApi: 71,
  reqSecDefOptParams: 78,
} as const;

export type RequestContract = {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDate: string;
  readonly strike: number | null;
  readonly right: string;
  readonly multiplier: string;
  readonly exchange: string;
  readonly currency: string;
  readonly localSymbol: string;
};

function readContract(r: FieldReader): RequestContract {
  const conId = r.int();
  const symbol = r.str();
  const secType = r.str();
  const lastTradeDate = r.str();
  const strike = r.num();
  const right = r.str();
  const multiplier = r.str();
  const exchange = r.str();
  r.str(); // primaryExch
  const currency = r.str();
  const localSymbol = r.str();
  r.str(); // tradingClass
  return {
    conId,
    symbol,
    secType,
    lastTradeDate,
    strike,
    right,
    multiplier,
    exchange,
    currency,
    localSymbol,
  };
}

export type PlaceOrderRequest = {
  readonly orderId: number;
  readonly contract: RequestContract;
  readonly action: string;
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly lmtPrice: number | null;
  readonly auxPrice: number | null;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly account: string;
  readonly openClose: string;
  readonly orderRef: string;
  readonly transmit: boolean;
  readonly parentId: number;
  readonly comboLegs: readonly { conId: number; ratio: number; action: string; exchange: string }[];
};

/** PLACE_ORDER at >= ORDER_CONTAINER (145): no message version; the fields up to the combo legs. */
export function readPlaceOrder(r: FieldReader): PlaceOrderRequest {
  const orderId = r.int();
  const contract = readContract(r);
  r.str(); // secIdType
  r.str(); // secId
  const action = r.str();
  const totalQuantity = Number(r.str());
  const orderType = r.str();
  const lmtPrice = r.num();
  const auxPrice = r.num();
  const tif = r.str();
  const ocaGroup = r.str();
  const account = r.str();
  const openClose = r.str();
  r.int(); // origin
  const orderRef = r.str();
  const transmit = r.str() !== '0';
  const parentId = r.int();
  r.skip(5); // blockOrder, sweepToFill, displaySize, triggerMethod, outsideRth
  r.str(); // hidden
  const comboLegs: { conId: number; ratio: number; action: string; exchange: string }[] = [];
  if (contract.secType.toUpperCase() === 'BAG') {
    const n = r.int();
    for (let i = 0; i < n; i++) {
      const conId = r.int();
      const ratio = r.int();
      const legAction = r.str();
      const exchange = r.str();
      r.skip(4); // openClose, shortSaleSlot, designatedLocation, exemptCode
      comboLegs.push({ conId, ratio, action: legAction, exchange });
    }
  }
  return {
    orderId,
    contract,
    action,
    totalQuantity,
    orderType,
    lmtPrice,
    auxPrice,
    tif,
    ocaGroup,
    account,
    openClose,
    orderRef,
    transmit,
    parentId,
    comboLegs,
  };
}

/** CANCEL_ORDER at >= CME_TAGGING_FIELDS (192): no version; order id, then cancel attributes. */
export function readCancelOrder(r: FieldReader): { orderId: number } {
  return { orderId: r.int() };
}

/** REQ_CONTRACT_DATA, message version 8. */
export function readContractDataRequest(r: FieldReader): { reqId: number; contract: RequestContract } {
  r.int(); // version
  const reqId = r.int();
  return { reqId, contract: readContract(r) };
}

/** REQ_MKT_DATA, message version 11 (a BAG's legs are not asked for by keel). */
export function readMktDataRequest(r: FieldReader): { reqId: number; contract: RequestContract } {
  r.int(); // version
  const reqId = r.int();
  return { reqId, contract: readContract(r) };
}

/** REQ_EXECUTIONS, message version 3: the filter's time is "yyyymmdd-hh:mm:ss" (UTC) or empty. */
export function readExecutionsRequest(r: FieldReader): { reqId: number; clientId: number; time: string } {
  r.int(); // version
  const reqId = r.int();
  const clientId = r.int();
  r.str(); // acctCode
  const time = r.str();
  return { reqId, clientId, time };
}

export function readSecDefOptParamsRequest(r: FieldReader): {
  reqId: number;
  symbol: string;
  underConId: number;
} {
  const reqId = r.int();
  const symbol = r.str();
  r.str(); // futFopExchange
  r.str(); // underlyingSecType
  return { reqId, symbol, underConId: r.int() };
}
