// The scenario's order faults as the simulated venue's fault plan: faults apply in file order and
// the first that matches an order wins; `nth` counts matching orders; `probability` draws from the
// seeded rng, so the same seed always hits the same orders.
import type { InstrumentTerms, Rng } from '../../domain';
import type { IncomingOrder, OrderFault as VenueOrderFault, VenueFaultPlan } from '../../venues/sim/faults';
import type { FaultMatch, OrderFault, Scenario } from '../scenario';

export class ScenarioFaultPlan implements VenueFaultPlan {
  private readonly orderFaults: OrderFault[];
  private readonly nthSeen = new Map<number, number>();
  private readonly duplicateAt: number[];
  /** Faults that fired, for the run's summary. */
  readonly fired: { index: number; kind: string; t: number }[] = [];

  constructor(
    scenario: Scenario,
    private readonly rng: Rng,
  ) {
    this.orderFaults = scenario.faults.filter(
      (f): f is OrderFault => f.kind === 'reject' || f.kind === 'partialFill' || f.kind === 'delayFill',
    );
    this.duplicateAt = scenario.faults
      .flatMap((f) => (f.kind === 'duplicateFill' ? [f.at.t] : []))
      .sort((a, b) => a - b);
  }

  onOrder(order: IncomingOrder): VenueOrderFault {
    for (const fault of this.orderFaults) {
      if (!matches(fault.match, order)) continue;
      if (fault.match.nth !== null) {
        const seen = (this.nthSeen.get(fault.index) ?? 0) + 1;
        this.nthSeen.set(fault.index, seen);
        if (seen !== fault.match.nth) continue;
      }
      if (fault.match.probability < 1 && this.rng.next() >= fault.match.probability) continue;
      this.fired.push({ index: fault.index, kind: fault.kind, t: order.t });
      switch (fault.kind) {
        case 'reject':
          return { kind: 'reject', code: fault.code, message: fault.message };
        case 'partialFill':
          return {
            kind: 'partialFill',
            fraction: fault.fraction,
            restDelaySec: fault.restDelayMs === null ? null : fault.restDelayMs / 1000,
          };
        case 'delayFill':
          return { kind: 'delayFill', delaySec: fault.delayMs / 1000 };
      }
    }
    return { kind: 'none' };
  }

  takeDuplicateFill(t: number): boolean {
    const next = this.duplicateAt[0];
    if (next === undefined || next > t) return false;
    this.duplicateAt.shift();
    this.fired.push({ index: -1, kind: 'duplicateFill', t });
    return true;
  }
}

/**
 * The leg keys (symbol, instrument, side) match one leg together: `{ side: SELL, symbol: XSP }`
 * hits a combo that sells any XSP leg, not only a combo whose first leg sells.
 */
function matches(m: FaultMatch, o: IncomingOrder): boolean {
  if (m.combo !== null && m.combo !== o.combo) return false;
  if (m.origin !== null && m.origin !== o.origin) return false;
  const legMatches = (l: IncomingOrder['legs'][number]) =>
    (m.side === null || l.side === m.side) &&
    (m.symbol === null || l.instrument.symbol === m.symbol) &&
    (m.instrument === null || sameInstrument(m.instrument, l.instrument));
  if ((m.side !== null || m.symbol !== null || m.instrument !== null) && !o.legs.some(legMatches))
    return false;
  if (m.from !== null && o.t < m.from.t) return false;
  if (m.until !== null && o.t >= m.until.t) return false;
  if (m.intent !== null && o.intentHint !== m.intent) return false;
  return true;
}

function sameInstrument(terms: InstrumentTerms, i: IncomingOrder['legs'][number]['instrument']): boolean {
  if (terms.symbol !== i.symbol) return false;
  if (!('strike' in terms)) return i.kind !== 'option';
  return (
    i.kind === 'option' && i.expiry === terms.expiry && i.strike === terms.strike && i.right === terms.right
  );
}
