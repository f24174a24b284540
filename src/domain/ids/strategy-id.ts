import { idType, type Brand } from './brand';

/** A configured strategy instance, e.g. ic-0dte; also 'operator' for manual orders. */
export type StrategyId = Brand<string, 'StrategyId'>;
export const StrategyId = idType('StrategyId', /^[a-z0-9][a-z0-9-]*$/, 24);
