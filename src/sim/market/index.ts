export {
  barIndexAt,
  barPriceAt,
  impliedVolAt,
  parsePriceBars,
  priceBarsMax,
  type PriceBars,
  type PriceBarsResult,
} from './price-file';
export {
  type BarInterpolation,
  createPricePath,
  DEFAULT_TICK,
  JUMPS_PER_STEP_MAX,
  type JumpSpec,
  type PricePath,
  type PricePathSpec,
} from './price-path';
export {
  quoteOption,
  smileVol,
  volIndex,
  xspQuoteModel,
  SMILE_FACTOR_MAX,
  SMILE_FACTOR_MIN,
  SPREAD_REFERENCE_VOL,
  VOL_INDEX_TENOR_YEARS,
  type OptionQuote,
  type OptionQuoteModel,
  type QuoteRequest,
} from './option-quotes';
export { roundToTick, floorToTick, ceilToTick } from './tick';
