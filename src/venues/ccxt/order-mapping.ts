// keel's order as ccxt's createOrder arguments, and back from the exchange's record. Amounts and
// prices go through ccxt's own precision helpers (amountToPrecision, priceToPrecision) at the
// boundary: the result must be the number keel asked for, or the order is refused offLot / offTick
// (never moved to the grid behind keel's back). Perpetuals trade around the clock: DAY is sent as
// GTC (keel cancels its stale entries itself). Stops and take-profits that reduce are BingX's
// STOP_MARKET / TAKE_PROFIT_MARKET (stopLossPrice / takeProfitPrice), other stops trigger orders.
import type { Exchange } from 'ccxt';
import type { ClientOrderId, InstrumentId, OrderSpec, OrderType, Side, TimeInForce } from '../../domain';
import type { RejectReason } from '../venue';
import type { CcxtConfig } from './config';
import type { OrderRecord } from './records';

export type OrderRequest = {
  readonly type: 'limit' | 'market';
  readonly side: 'buy' | 'sell';
  readonly amount: number;
  readonly price: number | undefined;
  readonly params: Record<string, string | number | boolean>;
};

export function orderRequest(
  exchange: Exchange,
  symbol: string,
  spec: OrderSpec,
  side: Side,
  positionMode: CcxtConfig['positionMode'],
): { ok: true; request: OrderRequest } | { ok: false; reason: RejectReason; message: string } {
  const amount = onGrid(() => exchange.amountToPrecision(symbol, spec.qty), spec.qty);
  if (amount === null)
    return { ok: false, reason: 'offLot', message: `quantity ${spec.qty} is not on ${symbol}'s amount step` };
  const price = (p: number | null, what: string): number | null | string => {
    if (p === null) return null;
    const on = onGrid(() => exchange.priceToPrecision(symbol, p), p);
    return on === null ? `${what} ${p} is not on ${symbol}'s tick` : on;
  };
  const limit = price(spec.limitPrice, 'limit price');
  const stop = price(spec.stopPrice, 'stop price');
  if (typeof limit === 'string') return { ok: false, reason: 'offTick', message: limit };
  if (typeof stop === 'string') return { ok: false, reason: 'offTick', message: stop };
  const params: Record<string, string | number | boolean> = { clientOrderId: spec.clientOrderId };
  if (spec.tif === 'IOC') params['timeInForce'] = 'IOC';
  else params['timeInForce'] = 'GTC';
  if (positionMode === 'hedge') params['hedged'] = true;
  if (spec.reduceOnly) params['reduceOnly'] = true;
  const base = { side: side === 'BUY' ? ('buy' as const) : ('sell' as const), amount };
  const missing = (what: string) => ({
    ok: false as const,
    reason: 'refused' as const,
    message: `a ${spec.type} order without its ${what}`,
  });
  switch (spec.type) {
    case 'MKT':
      return { ok: true, request: { ...base, type: 'market', price: undefined, params } };
    case 'LMT':
      if (limit === null) return missing('limit price');
      return { ok: true, request: { ...base, type: 'limit', price: limit, params } };
    case 'STP':
      if (stop === null) return missing('stop price');
      return {
        ok: true,
        request: {
          ...base,
          type: 'market',
          price: undefined,
          params: { ...params, ...(spec.reduceOnly ? { stopLossPrice: stop } : { triggerPrice: stop }) },
        },
      };
    case 'STP_LMT':
      if (stop === null || limit === null) return missing('stop and limit prices');
      return {
        ok: true,
        request: {
          ...base,
          type: 'limit',
          price: limit,
          params: { ...params, ...(spec.reduceOnly ? { stopLossPrice: stop } : { triggerPrice: stop }) },
        },
      };
    case 'MIT':
      if (stop === null) return missing('take-profit price');
      if (!spec.reduceOnly)
        return {
          ok: false,
          reason: 'unsupported',
          message:
            'a market-if-touched order that is not reduce-only (BingX takes take-profits on a position only)',
        };
      return {
        ok: true,
        request: { ...base, type: 'market', price: undefined, params: { ...params, takeProfitPrice: stop } },
      };
  }
}

/** The value on the market's grid, or null when the grid moved it. */
function onGrid(round: () => string | undefined, value: number): number | null {
  let text: string | undefined;
  try {
    text = round();
  } catch {
    return null;
  }
  const on = Number(text);
  const tolerance = Math.max(1e-12, Math.abs(value) * 1e-12);
  return Number.isFinite(on) && on > 0 && Math.abs(on - value) <= tolerance ? on : null;
}

/** keel's spec rebuilt from the exchange's order record (what BingX keeps of it; no parent link). */
export function specOfRecord(
  clientOrderId: ClientOrderId,
  instrumentId: InstrumentId,
  o: OrderRecord,
): OrderSpec | null {
  const type = typeOf(o.type);
  if (type === null) return null;
  const price = o.price !== undefined && o.price > 0 ? o.price : null;
  const stop = o.stopPrice !== undefined && o.stopPrice > 0 ? o.stopPrice : null;
  const tif: TimeInForce = o.timeInForce === 'IOC' ? 'IOC' : 'GTC';
  return {
    clientOrderId,
    legs: [{ instrumentId, side: o.side, ratio: 1 }],
    qty: o.origQty,
    type,
    limitPrice: type === 'LMT' || type === 'STP_LMT' ? price : null,
    stopPrice: type === 'STP' || type === 'STP_LMT' || type === 'MIT' ? stop : null,
    tif,
    reduceOnly: o.reduceOnly === true || o.reduceOnly === 'true',
    parentClientOrderId: null,
  };
}

function typeOf(type: string): OrderType | null {
  switch (type) {
    case 'LIMIT':
      return 'LMT';
    case 'MARKET':
      return 'MKT';
    case 'STOP_MARKET':
    case 'TRIGGER_MARKET':
      return 'STP';
    case 'STOP':
    case 'TRIGGER_LIMIT':
      return 'STP_LMT';
    case 'TAKE_PROFIT_MARKET':
      return 'MIT';
    default:
      return null;
  }
}
