import { idType, type Brand } from './brand';

/** The account at the venue. */
export type AccountId = Brand<string, 'AccountId'>;
export const AccountId = idType('AccountId', /^[A-Za-z0-9._-]+$/, 32);
