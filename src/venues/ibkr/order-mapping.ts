// keel's OrderSpec <-> an IB order. keel's client order id travels as `orderRef` (returned on open
// orders and every execution, not on order statuses). A combo is a BAG with one combo leg per keel
// leg (conId, ratio, side); its limit is the net price per unit, positive a debit. IB has no
// reduce-only flag for options: keel's own close sizing is the guard, and the flag travels as
// openClose C (close) so the open order echoes the spec back. Bracket children are an OCA group
// named by the parent's client order id: IB's `parentId` is a native bracket held until the parent
// fills, and keel sends its children only after the fill.
import { ClientOrderId, type OrderSpec, type OrderType, type Side, type TimeInForce } from '../../domain';
import type { Contract, Order } from '@stoqey/ib';
import { bagConId, conIdOf, contractOf, instrumentIdOf } from './contracts';
import type { Instrument } from '../../domain';

/** OCA type 1: cancel the rest of the group, with block (the children of one bracket). */
const ocaCancelWithBlock = 1;

export type IbOrder = { readonly contract: Contract; readonly order: Order };

const ibTypeOf: Record<OrderType, string> = {
  MKT: 'MKT',
  LMT: 'LMT',
  STP: 'STP',
  STP_LMT: 'STP LMT',
  MIT: 'MIT',
};

/**
 * The IB order for a spec; `legs` are the spec's instruments where keel has them described (a conId
 * alone names a contract). A reason instead when an instrument id is not a conId: refused unsent.
 */
export function toIbOrder(
  spec: OrderSpec,
  legs: readonly (Instrument | null)[],
  account: string,
): IbOrder | string {
  const first = legs[0];
  const firstLeg = spec.legs[0];
  if (first === undefined || firstLeg === undefined || legs.length !== spec.legs.length)
    return 'an order needs its legs';
  for (const l of spec.legs)
    if (conIdOf(l.instrumentId) === null) return `instrument id ${l.instrumentId} is not an IB conId`;
  const combo = spec.legs.length > 1;
  const contract: Contract = combo
    ? {
        symbol: first?.symbol ?? '',
        secType: 'BAG' as NonNullable<Contract['secType']>,
        exchange: 'SMART',
        currency: 'USD',
        comboLegs: spec.legs.map((l) => ({
          conId: conIdOf(l.instrumentId) ?? 0,
          ratio: l.ratio,
          action: l.side as NonNullable<Order['action']>,
          exchange: 'SMART',
        })),
      }
    : first !== null
      ? contractOf(first)
      : { conId: conIdOf(firstLeg.instrumentId) ?? 0, exchange: 'SMART' };
  const single = spec.legs[0];
  const order: Order = {
    action: (combo ? 'BUY' : (single?.side ?? 'BUY')) as NonNullable<Order['action']>,
    totalQuantity: spec.qty,
    orderType: ibTypeOf[spec.type] as NonNullable<Order['orderType']>,
    tif: spec.tif as NonNullable<Order['tif']>,
    orderRef: spec.clientOrderId,
    account,
    transmit: true,
    openClose: spec.reduceOnly ? 'C' : 'O',
    ...(spec.limitPrice !== null && (spec.type === 'LMT' || spec.type === 'STP_LMT')
      ? { lmtPrice: spec.limitPrice }
      : {}),
    ...(spec.stopPrice !== null && (spec.type === 'STP' || spec.type === 'STP_LMT' || spec.type === 'MIT')
      ? { auxPrice: spec.stopPrice }
      : {}),
    ...(spec.parentClientOrderId !== null
      ? { ocaGroup: spec.parentClientOrderId, ocaType: ocaCancelWithBlock }
      : {}),
  };
  return { contract, order };
}

function keelTypeOf(ib: string | undefined): OrderType | null {
  switch (ib) {
    case 'MKT':
    case 'LMT':
    case 'STP':
    case 'MIT':
      return ib;
    case 'STP LMT':
      return 'STP_LMT';
    default:
      return null;
  }
}

function sideOf(action: string | undefined): Side | null {
  return action === 'BUY' ? 'BUY' : action === 'SELL' ? 'SELL' : null;
}

/** The spec an open order echoes back (what adoption after a restart rebuilds from), or null. */
export function specFromOpenOrder(contract: Contract, order: Order): OrderSpec | null {
  const ref = ClientOrderId.parse(order.orderRef);
  const type = keelTypeOf(order.orderType);
  const action = sideOf(order.action);
  const tif =
    order.tif === 'DAY' || order.tif === 'GTC' || order.tif === 'IOC' ? (order.tif as TimeInForce) : null;
  if (!ref.ok || type === null || action === null || tif === null || order.totalQuantity === undefined)
    return null;
  const legs = legsOf(contract, action);
  if (legs === null) return null;
  const parent = order.ocaGroup ? ClientOrderId.parse(order.ocaGroup) : null;
  return {
    clientOrderId: ref.value,
    legs,
    qty: order.totalQuantity,
    type,
    limitPrice: type === 'LMT' || type === 'STP_LMT' ? (order.lmtPrice ?? null) : null,
    stopPrice: type === 'STP' || type === 'STP_LMT' || type === 'MIT' ? (order.auxPrice ?? null) : null,
    tif,
    reduceOnly: order.openClose === 'C',
    parentClientOrderId: parent?.ok ? parent.value : null,
  };
}

function legsOf(contract: Contract, action: Side): OrderSpec['legs'] | null {
  if (contract.secType !== 'BAG') {
    const id = instrumentIdOf(contract.conId);
    return id === null ? null : [{ instrumentId: id, side: action, ratio: 1 }];
  }
  const legs: OrderSpec['legs'][number][] = [];
  for (const l of contract.comboLegs ?? []) {
    const id = instrumentIdOf(l.conId);
    const side = sideOf(l.action);
    if (id === null || side === null || l.ratio === undefined) return null;
    // A BAG sold is each leg the other way round.
    const flipped: Side = action === 'SELL' ? (side === 'BUY' ? 'SELL' : 'BUY') : side;
    legs.push({ instrumentId: id, side: flipped, ratio: l.ratio });
  }
  return legs.length > 0 ? legs : null;
}

export function isBag(contract: Contract | undefined): boolean {
  return contract?.secType === 'BAG' || contract?.conId === bagConId;
}
