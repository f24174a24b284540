// The strategy registry: builds configured strategies by kind. The engine never imports these.
import { StrategyId, type ExchangeCalendar } from '../domain';
import type { Strategy } from '../engine/strategy';
import { EquityBracket } from './equity-bracket';
import { FuturesProtected } from './futures-protected';
import { IronCondor0dte, type IronCondorParams } from './iron-condor-0dte';

export type StrategySpec = { readonly id: string; readonly kind: string; readonly params: unknown };

/** `calendar`: the exchange's trading days and closes (the condor and the bracket scans read it). */
export function createStrategies(
  specs: readonly StrategySpec[],
  tradesPerDayMax: number,
  calendar: ExchangeCalendar,
): Strategy[] {
  return specs.map((s) => {
    switch (s.kind) {
      case 'iron-condor-0dte':
        return new IronCondor0dte(
          StrategyId.of(s.id),
          s.params as IronCondorParams,
          tradesPerDayMax,
          calendar,
        );
      case 'equity-bracket':
        return new EquityBracket(StrategyId.of(s.id), s.params, calendar);
      case 'futures-protected':
        return new FuturesProtected(StrategyId.of(s.id), s.params);
      default:
        throw new Error(
          `strategy kind '${s.kind}' (strategies[].kind of '${s.id}') is not available; use iron-condor-0dte, equity-bracket or futures-protected`,
        );
    }
  });
}

export { EquityBracket, FuturesProtected, IronCondor0dte, type IronCondorParams };
