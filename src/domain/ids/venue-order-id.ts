import { idType, type Brand } from './brand';

/** The venue's order id. Kept as a string: 19-digit exchange ids do not fit a JS number. */
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
export const VenueOrderId = idType('VenueOrderId', /^[A-Za-z0-9._:-]+$/, 64);
