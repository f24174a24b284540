export { erfc, normCdf, normPdf, normInvApprox } from './normal';
export { bsGreeks, bsPrice, thetaPerDay, DAYS_PER_YEAR, type BsInput, type Greeks } from './black-scholes';
export { priceChain, type ChainInput, type ChainOutput } from './price-chain';
export {
  impliedVol,
  impliedVolChain,
  IV_ITERATIONS_MAX,
  IV_OK,
  IV_STATUS,
  type ImpliedVolFailure,
  type ImpliedVolInput,
  type ImpliedVolResult,
  type IvChainInput,
  type IvChainOutput,
  type IvStatus,
} from './implied-vol';
export {
  yearsToExpiry,
  tradingYearsToExpiry,
  sessionMinutesBetween,
  CALENDAR_MINUTES_PER_YEAR,
  TRADING_MINUTES_PER_YEAR,
  TRADING_DAYS_PER_YEAR,
  SESSION_MINUTES,
  SESSION_OPEN,
  SESSION_CLOSE,
} from './trading-time';
export { strikeNearestDelta, type DeltaChain, type DeltaPick } from './chain';
