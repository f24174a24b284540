// Commissions like a retail broker's schedule: per contract for options, per share (with a minimum)
// for equities, a rate on notional for crypto and futures. Rounded to the cent per execution.
import { toMicros, type Instrument, type Micros } from '../../domain';

export type CommissionSchedule = { perContract: number; perShare: number; rate: number; minimum: number };

export const defaultCommission: CommissionSchedule = {
  perContract: 0.65,
  perShare: 0.005,
  rate: 0.0005,
  minimum: 1.0,
};

export function commissionFor(
  schedule: CommissionSchedule,
  instrument: Instrument,
  qty: number,
  price: number,
): Micros {
  const raw = ((): number => {
    switch (instrument.kind) {
      case 'option':
        return schedule.perContract * qty;
      case 'equity':
      case 'index':
        return Math.max(schedule.minimum, schedule.perShare * qty);
      case 'crypto':
      case 'future':
        return schedule.rate * qty * price * instrument.multiplier;
    }
  })();
  return toMicros(Math.round(raw * 100) / 100);
}
