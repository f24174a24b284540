// Refusals are data: a stable rule code, a message a trader understands, and the largest order
// that would have passed.
export type RefusalRule =
  | 'tradingHalted'
  | 'tradingReducing'
  | 'unknownInstrument'
  | 'instrumentExpired'
  | 'offTick'
  | 'offLot'
  | 'badQuantity'
  | 'exceedsOwned'
  | 'wrongSideForClose'
  | 'uncoveredShort'
  | 'executionBudget'
  | 'orderRate'
  | 'legsMax'
  | 'maxPositionPct'
  | 'maxDailyPct'
  | 'maxWeeklyPct'
  | 'maxPositionsPerDay'
  | 'maxPositionsPerWeek'
  | 'fatFinger'
  | 'maxRiskPerTrade'
  | 'budgetUnreserved'
  | 'beyondReservation'
  | 'noPrice'
  | 'nettingForeign'
  | 'venueDisconnected'
  | 'venueLimits';

export type Refusal = {
  readonly rule: RefusalRule;
  readonly message: string;
  readonly maxAllowedQty: number | null;
};

export function refusal(rule: RefusalRule, message: string, maxAllowedQty: number | null = null): Refusal {
  return { rule, message, maxAllowedQty };
}
