import { idType, type Brand } from './brand';

/** keel's own order id, deterministic from the intent; sent as IB orderRef, Alpaca client_order_id (max 48), ccxt clientOrderId. */
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
export const ClientOrderId = idType('ClientOrderId', /^[A-Za-z0-9._:-]+$/, 48);
