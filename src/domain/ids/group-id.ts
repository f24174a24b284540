import { idType, type Brand } from './brand';

/** One opened structure: one iron condor, one bracket, one futures position. */
export type GroupId = Brand<string, 'GroupId'>;
export const GroupId = idType('GroupId', /^[A-Za-z0-9._:-]+$/, 40);
