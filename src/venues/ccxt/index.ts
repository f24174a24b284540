// The ccxt adapter (crypto perpetual futures through ccxt, BingX first): its public surface.
export { CcxtVenue, type CcxtVenueOptions } from './ccxt-venue';
export {
  ccxtConfigErrors,
  ccxtExchanges,
  credentialsFromEnv,
  credentialVariables,
  describeCcxtConfig,
  parseCcxtSettings,
  type CcxtConfig,
  type CcxtExchangeId,
} from './config';
export { meaningOfFailure, type FailureMeaning } from './errors';
