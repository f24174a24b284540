import { idType, type Brand } from './brand';

/** One execution at the venue; a duplicate report carries the same exec id. */
export type ExecId = Brand<string, 'ExecId'>;
export const ExecId = idType('ExecId', /^[A-Za-z0-9._:-]+$/, 64);
