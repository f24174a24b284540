import { idType, type Brand } from './brand';

/** The venue's position id (futures venues): differs from the ids of the orders that opened it. */
export type VenuePositionId = Brand<string, 'VenuePositionId'>;
export const VenuePositionId = idType('VenuePositionId', /^[A-Za-z0-9._:-]+$/, 64);
