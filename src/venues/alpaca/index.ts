// The Alpaca adapter (REST + the trade_updates stream through @alpacahq/alpaca-trade-api): its public surface.
export { AlpacaVenue, occSymbol, type AlpacaVenueOptions } from './alpaca-venue';
export {
  alpacaConfigErrors,
  alpacaDataUrl,
  alpacaKeysFromEnv,
  alpacaLive,
  alpacaPaper,
  describeAlpacaConfig,
  parseAlpacaSettings,
  type AlpacaConfig,
  type AlpacaFeed,
} from './config';
export { alpacaCodes, meaningOfFailure, reasonOf, type FailureMeaning } from './errors';
export { wirePrice, wireQty, wireTime, type AlpacaOrder, type AlpacaOrderStatus } from './wire';
