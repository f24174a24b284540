// BingX's records as ccxt hands them over (`info`, the exchange's own fields), read strictly:
// a record keel cannot read whole is refused with a reason, never half-read. Order ids must arrive
// as digit strings (ccxt re-quotes a response carrying a 19-digit number, so the digits survive);
// a JS number beyond 2^53 has already lost its digits and is refused.
import { z } from 'zod';

/** An id as digits: a string, or a number ccxt could hold exactly. */
const digits = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return String(v);
    ctx.addIssue({ code: 'custom', message: `id ${v} arrived as a JS number that cannot hold its digits` });
    return z.NEVER;
  }
  if (!/^\d{1,24}$/.test(v)) {
    ctx.addIssue({ code: 'custom', message: `id '${v}' is not digits` });
    return z.NEVER;
  }
  return v;
});

/** A decimal as BingX writes it ("0.0846", 0.0846, "" for none). */
const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (v === '') return 0;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not a number` });
    return z.NEVER;
  }
  return n;
});

const millis = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not a time in ms` });
    return z.NEVER;
  }
  return n;
});

export const orderRecordSchema = z.object({
  symbol: z.string(),
  orderId: digits,
  side: z.enum(['BUY', 'SELL']),
  type: z.string(),
  origQty: decimal,
  price: decimal.optional(),
  stopPrice: decimal.optional(),
  executedQty: decimal,
  avgPrice: decimal.optional(),
  status: z.string(),
  time: millis,
  updateTime: millis.optional(),
  clientOrderId: z.string().optional(),
  clientOrderID: z.string().optional(),
  reduceOnly: z.union([z.boolean(), z.string()]).optional(),
  timeInForce: z.string().optional(),
});
export type OrderRecord = z.infer<typeof orderRecordSchema>;

/**
 * The order of an ORDER_TRADE_UPDATE push (its `o`): cumulative filled `z`, average price `ap`,
 * status `X`, what happened `x`; no trade id and no size of the last fill.
 */
export const orderPushSchema = z.object({
  s: z.string(),
  i: digits,
  c: z.string().optional(),
  S: z.enum(['BUY', 'SELL']),
  o: z.string(),
  q: decimal,
  z: decimal,
  ap: decimal.optional(),
  x: z.string(),
  X: z.string(),
  T: millis.optional(),
});
export type OrderPush = z.infer<typeof orderPushSchema>;

/** A trade id as BingX writes it: digits (a string, or a number ccxt could hold exactly). */
const tradeId = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return String(v);
    ctx.addIssue({
      code: 'custom',
      message: `trade id ${v} arrived as a JS number that cannot hold its digits`,
    });
    return z.NEVER;
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) {
    ctx.addIssue({ code: 'custom', message: `trade id '${v}' is not an id` });
    return z.NEVER;
  }
  return v;
});

/**
 * One fill of `GET /openApi/swap/v2/trade/fillHistory` (`fill_history_orders`): the fill history
 * that names each trade by BingX's `tradeId`, its time to the millisecond (`filledTime`, +0800).
 */
export const fillRecordSchema = z.object({
  symbol: z.string(),
  orderId: digits,
  tradeId,
  qty: decimal,
  price: decimal,
  commission: decimal,
  side: z.enum(['BUY', 'SELL']),
  filledTime: z.string(),
});
export type FillRecord = z.infer<typeof fillRecordSchema>;

/** The page of fills an answer of `fillHistory` carries. */
export const fillHistoryPageSchema = z.object({
  data: z.object({ fill_history_orders: z.array(z.unknown()).nullable().optional() }),
});

export const positionRecordSchema = z.object({
  positionId: digits,
  symbol: z.string(),
  positionAmt: decimal,
  positionSide: z.enum(['LONG', 'SHORT', 'BOTH']),
  avgPrice: decimal,
});
export type PositionRecord = z.infer<typeof positionRecordSchema>;

/** Amounts are kept as the exchange's text: booked to the micro-unit from the digits, not a float product. */
const amountText = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v);
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `'${s}' is not an amount` });
    return z.NEVER;
  }
  return s;
});

export const positionHistorySchema = z.object({
  positionId: digits,
  symbol: z.string(),
  positionSide: z.enum(['LONG', 'SHORT', 'BOTH']),
  openTime: millis,
  updateTime: millis,
  avgPrice: decimal,
  avgClosePrice: decimal,
  realisedProfit: amountText,
  netProfit: amountText,
  positionAmt: decimal,
  closePositionAmt: decimal.optional(),
  positionCommission: amountText.optional(),
  totalFunding: amountText.optional(),
});
export type PositionHistoryRecord = z.infer<typeof positionHistorySchema>;

/** `GET /account/v1/uid`: the account the keys belong to (the journal is one account's). */
export const accountUidSchema = z.object({ data: z.object({ uid: digits }) });

/** A record or the reason it cannot be read. */
export function readRecord<T>(schema: z.ZodType<T>, raw: unknown, what: string): T | string {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  return `${what} keel could not read: ${first ? `${first.path.join('.') || '(record)'}: ${first.message}` : 'malformed'}`;
}

/** `2006-01-02T15:04:05.999+0800` (or `2024-10-24T17:13:12Z`) to ms; null when it does not parse. */
export function fillTimeOf(r: FillRecord): number | null {
  const iso = r.filledTime.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** An exchange amount ("-0.33699650000000003", "51.6") to micro-units, exactly to the micro. */
export function amountToMicros(text: string): number {
  const n = Number(text);
  return Math.round(n * 1_000_000);
}
