import { idType, type Brand } from './brand';

/** Venue-native instrument id: IB conId, OCC symbol, ccxt market id, the simulated venue's numeric id. */
export type InstrumentId = Brand<string, 'InstrumentId'>;
export const InstrumentId = idType('InstrumentId', /^[A-Za-z0-9._:/ -]+$/, 64);
