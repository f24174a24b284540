// The simulated venue's view rebuilt from its own log (venue-log.jsonl): what its snapshot() would
// have answered after the last line, so `keel reconcile` can compare a journal with a finished run.
// BingX-like futures (fills logged with position ids) answer as the live venue does: trade records
// without client order ids or position ids, a position history without order ids.
import {
  ClientOrderId,
  ExecId,
  InstrumentId,
  parseIsoWithOffset,
  toMicros,
  VenueOrderId,
  VenuePositionId,
  type Instrument,
  type InstrumentRecord,
  type Micros,
} from '../../domain';
import type { VenueExecution, VenueOrderStatus, VenuePositionHistoryRecord, VenueSnapshot } from '../venue';
import type { VenueLogLine } from './venue-log';

type OrderLine = Extract<VenueLogLine, { type: 'order' }>;
type FillLine = Extract<VenueLogLine, { type: 'fill' }>;

type OrderState = {
  line: OrderLine;
  status: VenueOrderStatus['status'] | 'pending';
  filledByLeg: Map<string, number>;
  cash: number;
};

export type LogSnapshot = {
  readonly snapshot: VenueSnapshot;
  readonly instruments: ReadonlyMap<string, Instrument>;
};

export function snapshotFromVenueLog(lines: readonly VenueLogLine[]): LogSnapshot {
  const instruments = new Map<string, Instrument>();
  const orders = new Map<string, OrderState>();
  const positions = new Map<string, { qty: number; avgPrice: number; positionId: string | null }>();
  const fills: FillLine[] = [];
  const execIds = new Set<string>();
  const settlements: VenueSnapshot['settlements'][number][] = [];
  const history: VenuePositionHistoryRecord[] = [];
  const opened = new Map<string, { t: number; side: 'LONG' | 'SHORT'; commission: number }>();
  let t = 0;
  for (const line of lines) {
    t = timeOf(line.t);
    switch (line.type) {
      case 'order':
        for (const leg of line.legs) note(instruments, leg.instrument);
        orders.set(line.venueOrderId, { line, status: 'pending', filledByLeg: new Map(), cash: 0 });
        break;
      case 'ack':
        setStatus(orders, line.venueOrderId, 'working');
        break;
      case 'reject':
        setStatus(orders, line.venueOrderId, 'rejected');
        break;
      case 'cancel':
        setStatus(
          orders,
          line.venueOrderId,
          line.reason === 'end of day' || line.reason === 'instrument expired' ? 'expired' : 'cancelled',
        );
        break;
      case 'fill': {
        note(instruments, line.instrument);
        if (execIds.has(line.execId)) break; // reported twice: one execution
        execIds.add(line.execId);
        fills.push(line);
        applyFill(orders.get(line.venueOrderId), line);
        trackOpen(opened, line, t);
        break;
      }
      case 'position': {
        note(instruments, line.instrument);
        const before = positions.get(line.instrument.id);
        const positionId =
          line.qty === 0 ? null : (lastPositionId(fills, line.instrument.id) ?? before?.positionId ?? null);
        positions.set(line.instrument.id, { qty: line.qty, avgPrice: line.avgPrice, positionId });
        break;
      }
      case 'settle':
        settlements.push({
          instrumentId: InstrumentId.of(line.instrument.id),
          qty: line.qty,
          price: line.price,
          t,
        });
        break;
      case 'positionClosed': {
        const o = opened.get(line.venuePositionId);
        history.push({
          venuePositionId: VenuePositionId.of(line.venuePositionId),
          instrumentId: InstrumentId.of(line.instrument.id),
          qty: line.qty,
          ...(o === undefined ? {} : { side: o.side, commission: toMicros(o.commission) as Micros }),
          avgPrice: line.avgPrice,
          avgClosePrice: line.avgClosePrice,
          realisedPnl: toMicros(line.realisedPnl),
          netPnl: toMicros(line.netPnl),
          openedAt: o?.t ?? t,
          closedAt: t,
        });
        break;
      }
      case 'engine':
      case 'connection':
        break;
    }
  }
  const snapshot: VenueSnapshot = {
    t,
    orders: [...orders.values()]
      .filter((o) => o.line.origin === 'keel' || o.status === 'working' || o.status === 'pending')
      .map(orderStatus),
    positions: [...positions]
      .filter(([, p]) => p.qty !== 0)
      .map(([id, p]) => ({
        instrumentId: InstrumentId.of(id),
        qty: p.qty,
        avgPrice: p.avgPrice,
        venuePositionId: p.positionId === null ? null : VenuePositionId.of(p.positionId),
      })),
    executions: fills.filter((f) => f.clientOrderId !== null).map(execution),
    settlements,
    positionHistory: history,
  };
  return { snapshot, instruments };
}

function timeOf(iso: string): number {
  const parsed = parseIsoWithOffset(iso);
  if (parsed === null) throw new Error(`venue log time ${iso} is not ISO 8601 with an offset`);
  return parsed.epochMs;
}

function setStatus(orders: Map<string, OrderState>, id: string, status: OrderState['status']): void {
  const o = orders.get(id);
  if (o && (o.status === 'pending' || o.status === 'working')) o.status = status;
}

function applyFill(order: OrderState | undefined, f: FillLine): void {
  if (!order) return;
  order.filledByLeg.set(f.instrument.id, (order.filledByLeg.get(f.instrument.id) ?? 0) + f.qty);
  order.cash += f.qty * f.price;
  if (filledUnits(order) >= order.line.qty) order.status = 'filled';
}

function filledUnits(o: OrderState): number {
  return Math.min(...o.line.legs.map((l) => (o.filledByLeg.get(l.instrument.id) ?? 0) / l.ratio));
}

function trackOpen(
  opened: Map<string, { t: number; side: 'LONG' | 'SHORT'; commission: number }>,
  f: FillLine,
  t: number,
): void {
  if (f.venuePositionId === null) return;
  const o = opened.get(f.venuePositionId);
  if (o) o.commission += f.commission;
  else
    opened.set(f.venuePositionId, { t, side: f.side === 'BUY' ? 'LONG' : 'SHORT', commission: f.commission });
}

function lastPositionId(fills: readonly FillLine[], instrumentId: string): string | null {
  for (let i = fills.length - 1; i >= 0; i--) {
    const f = fills[i];
    if (f?.instrument.id === instrumentId) return f.venuePositionId;
  }
  return null;
}

function orderStatus(o: OrderState): VenueOrderStatus {
  const status = o.status === 'pending' ? 'working' : o.status;
  const filledQty = filledUnits(o);
  const legQty = [...o.filledByLeg.values()].reduce((a, b) => a + b, 0);
  const l = o.line;
  return {
    clientOrderId: l.clientOrderId === null ? null : ClientOrderId.of(l.clientOrderId),
    venueOrderId: VenueOrderId.of(l.venueOrderId),
    spec:
      l.clientOrderId === null
        ? null
        : {
            clientOrderId: ClientOrderId.of(l.clientOrderId),
            legs: l.legs.map((leg) => ({
              instrumentId: InstrumentId.of(leg.instrument.id),
              side: leg.side,
              ratio: leg.ratio,
            })),
            qty: l.qty,
            type: l.orderType,
            limitPrice: l.limitPrice,
            stopPrice: l.stopPrice,
            tif: l.tif,
            reduceOnly: l.reduceOnly,
            parentClientOrderId: null,
          },
    status,
    filledQty,
    remainingQty: status === 'working' ? l.qty - filledQty : 0,
    parentVenueOrderId: l.parentVenueOrderId === null ? null : VenueOrderId.of(l.parentVenueOrderId),
    avgFillPrice: legQty > 0 && l.legs.length === 1 ? Math.round((o.cash / legQty) * 1e6) / 1e6 : null,
  };
}

/** A trade record as the venue's API gives it (BingX-like futures: only the venue order id). */
function execution(f: FillLine): VenueExecution {
  const bingx = f.instrument.kind === 'future' && f.venuePositionId !== null;
  return {
    execId: ExecId.of(f.execId),
    clientOrderId: bingx || f.clientOrderId === null ? null : ClientOrderId.of(f.clientOrderId),
    venueOrderId: VenueOrderId.of(f.venueOrderId),
    instrumentId: InstrumentId.of(f.instrument.id),
    side: f.side,
    qty: f.qty,
    price: f.price,
    commission: toMicros(f.commission),
    comboExecId: f.comboExecId,
    venuePositionId: null,
    t: timeOf(f.t),
  };
}

/** Instrument records carry no tick or lot: the simulated venue's defaults by kind. */
function note(instruments: Map<string, Instrument>, r: InstrumentRecord): void {
  if (instruments.has(r.id)) return;
  const id = InstrumentId.of(r.id);
  const base = { id, symbol: r.symbol, multiplier: r.multiplier };
  const i: Instrument =
    r.kind === 'option'
      ? {
          ...base,
          kind: 'option',
          expiry: r.expiry ?? '',
          strike: r.strike ?? 0,
          right: r.right ?? 'C',
          tick: 0.01,
          lot: 1,
          underlyingKind: 'index',
        }
      : r.kind === 'future'
        ? { ...base, kind: 'future', expiry: r.expiry ?? null, tick: 0.1, lot: 0.0001 }
        : r.kind === 'crypto'
          ? { ...base, kind: 'crypto', tick: 0.01, lot: 0.0001 }
          : { ...base, kind: r.kind, tick: 0.01, lot: 1 };
  instruments.set(r.id, i);
}
