// The venue log (shared/spec/simulation.md): what the simulated venue saw and did, written by the
// venue itself. It is the ground truth outside checkers read; these types are the spec's table.
import type { InstrumentRecord, OrderType, Side, TimeInForce } from '../../domain';

type LineBase = { seq: number; t: string };

export type VenueLogLeg = { instrument: InstrumentRecord; side: Side; ratio: number };

export type VenueLogLine =
  | (LineBase & { type: 'position'; instrument: InstrumentRecord; qty: number; avgPrice: number })
  | (LineBase & {
      type: 'order';
      venueOrderId: string;
      clientOrderId: string | null;
      origin: 'keel' | 'external';
      combo: boolean;
      legs: VenueLogLeg[];
      qty: number;
      orderType: OrderType;
      limitPrice: number | null;
      stopPrice: number | null;
      tif: TimeInForce;
      parentVenueOrderId: string | null;
      reduceOnly: boolean;
    })
  | (LineBase & { type: 'ack'; venueOrderId: string })
  | (LineBase & { type: 'reject'; venueOrderId: string; code: number; message: string })
  | (LineBase & { type: 'cancel'; venueOrderId: string; remainingQty: number; reason: string })
  | (LineBase & {
      type: 'fill';
      venueOrderId: string;
      clientOrderId: string | null;
      execId: string;
      comboExecId: string | null;
      instrument: InstrumentRecord;
      side: Side;
      qty: number;
      price: number;
      commission: number;
      venuePositionId: string | null;
    })
  | (LineBase & { type: 'settle'; instrument: InstrumentRecord; qty: number; price: number })
  | (LineBase & {
      type: 'positionClosed';
      venuePositionId: string;
      instrument: InstrumentRecord;
      qty: number;
      avgPrice: number;
      avgClosePrice: number;
      realisedPnl: number;
      netPnl: number;
    })
  | (LineBase & { type: 'engine'; event: 'start' | 'crash' })
  | (LineBase & { type: 'connection'; event: 'down' | 'up' });

export type VenueLogType = VenueLogLine['type'];
