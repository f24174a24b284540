// Alpaca's JSON as it arrives (orders, positions, account, FILL activities, trade_updates, assets,
// snapshots), read strictly enough that a malformed body is a typed failure and never a crash or a
// guess. Numbers come as strings on Alpaca's wire; they are rounded here, at the boundary.
import { z } from 'zod';

const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || (typeof v === 'string' && v.trim() === '')) {
    ctx.addIssue({ code: 'custom', message: `not a number: '${String(v)}'` });
    return z.NEVER;
  }
  return n;
});
/** A number Alpaca may send as null or leave out. */
const optionalDecimal = z
  .union([decimal, z.null()])
  .optional()
  .transform((v) => v ?? null);

export const alpacaOrderStatuses = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;
export type AlpacaOrderStatus = (typeof alpacaOrderStatuses)[number];

const baseOrder = z.object({
  id: z.string().min(1),
  client_order_id: z.string(),
  // Empty on a multi-leg (mleg) order: its legs name the contracts.
  symbol: z.string(),
  /** A leg of a multi-leg order: its ratio to the order's quantity. */
  ratio_qty: optionalDecimal.optional(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  order_class: z.enum(['simple', 'bracket', 'oco', 'oto', 'mleg', '']).default('simple'),
  time_in_force: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']),
  qty: optionalDecimal,
  filled_qty: decimal,
  filled_avg_price: optionalDecimal,
  limit_price: optionalDecimal,
  stop_price: optionalDecimal,
  status: z.enum(alpacaOrderStatuses),
  created_at: z.string(),
  updated_at: z.string().nullable().optional(),
});
export type AlpacaOrder = z.infer<typeof baseOrder> & { readonly legs: readonly AlpacaOrder[] | null };
export const orderSchema: z.ZodType<AlpacaOrder> = baseOrder.extend({
  legs: z
    .lazy(() => z.array(orderSchema))
    .nullable()
    .optional()
    .transform((v) => v ?? null),
}) as unknown as z.ZodType<AlpacaOrder>;

export const positionSchema = z.object({
  symbol: z.string().min(1),
  qty: decimal,
  side: z.enum(['long', 'short']),
  avg_entry_price: decimal,
  asset_class: z.string().optional(),
});
export type AlpacaPosition = z.infer<typeof positionSchema>;

export const accountSchema = z.object({
  id: z.string(),
  status: z.string(),
  equity: decimal,
  buying_power: decimal,
  cash: decimal,
  /** 0 none, 1 covered calls and cash-secured puts, 2 buying calls and puts, 3 spreads (multi-leg orders). */
  options_trading_level: z
    .union([z.number().int(), z.null()])
    .optional()
    .transform((v) => v ?? 0),
});
export type AlpacaAccount = z.infer<typeof accountSchema>;

/** A FILL account activity. Its id is `<time>::<execution id>`: the part after `::` is the stream's execution_id. */
export const fillActivitySchema = z.object({
  id: z.string().min(1),
  activity_type: z.literal('FILL'),
  transaction_time: z.string(),
  type: z.enum(['fill', 'partial_fill']),
  price: decimal,
  qty: decimal,
  side: z.enum(['buy', 'sell', 'sell_short']),
  symbol: z.string().min(1),
  order_id: z.string().min(1),
  cum_qty: optionalDecimal,
  leaves_qty: optionalDecimal,
  /** Not on every account's activities: a fee charged on the execution, when the venue reports one. */
  commission: optionalDecimal.optional(),
});
export type AlpacaFillActivity = z.infer<typeof fillActivitySchema>;

export const assetSchema = z.object({
  id: z.string(),
  symbol: z.string().min(1),
  class: z.string(),
  tradable: z.boolean(),
  status: z.string(),
  fractionable: z.boolean().optional(),
});
export type AlpacaAsset = z.infer<typeof assetSchema>;

export const tradeUpdateSchema = z.object({
  event: z.string(),
  /** The client library turns it into a Date; keel stamps events with its own clock. */
  timestamp: z.unknown().optional(),
  execution_id: z.string().optional(),
  price: optionalDecimal.optional(),
  qty: optionalDecimal.optional(),
  position_qty: optionalDecimal.optional(),
  /** Alpaca's free-text reason on some events (canceled, order_cancel_rejected, rejected). */
  reason: z.string().optional(),
  /** The venue's numeric code for a rejection, when it gives one. */
  reason_code: z.number().int().optional(),
  commission: optionalDecimal.optional(),
  // The client library re-reads an update's order legs into its own camelCase model: only their ids are kept.
  order: baseOrder.extend({
    legs: z
      .array(z.object({ id: z.string().min(1) }))
      .nullable()
      .optional(),
  }),
});
export type AlpacaTradeUpdate = z.infer<typeof tradeUpdateSchema>;

export const optionContractSchema = z.object({
  id: z.string(),
  symbol: z.string().min(1),
  status: z.string(),
  tradable: z.boolean(),
  expiration_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  underlying_symbol: z.string().min(1),
  type: z.enum(['call', 'put']),
  strike_price: decimal,
  size: decimal,
});
export type AlpacaOptionContract = z.infer<typeof optionContractSchema>;
export const optionContractsPageSchema = z.object({
  option_contracts: z.array(optionContractSchema),
  next_page_token: z.string().nullable().optional(),
});

const quoteSchema = z.object({ bp: decimal, ap: decimal, t: z.string() });
const tradeSchema = z.object({ p: decimal, t: z.string() });
export const stockSnapshotSchema = z.object({
  latestQuote: quoteSchema.nullable().optional(),
  latestTrade: tradeSchema.nullable().optional(),
});
export const stockSnapshotsSchema = z.record(z.string(), stockSnapshotSchema);
export const optionSnapshotsSchema = z.object({
  snapshots: z.record(z.string(), stockSnapshotSchema),
  next_page_token: z.string().nullable().optional(),
});

/** An error body: `{"code":40310000,"message":"insufficient buying power"}`. */
export const errorBodySchema = z.object({ code: z.number().int(), message: z.string() });

/** Reads a body against a schema: the value, or what is wrong with it (for the log). */
export function readAs<T>(schema: z.ZodType<T>, body: unknown, what: string): T | string {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  return `${what}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'unreadable'}`;
}

/** A price on Alpaca's wire: cents at or above $1, four decimals below (the sub-penny rule). */
export function wirePrice(price: number): string {
  const decimals = Math.abs(price) >= 1 ? 2 : 4;
  return (Math.round(price * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
}

/** A quantity on Alpaca's wire (whole shares; up to nine decimals for fractional). */
export function wireQty(qty: number): string {
  return String(Math.round(qty * 1e9) / 1e9);
}

/** A time on Alpaca's wire (RFC 3339, UTC). */
export function wireTime(t: number): string {
  return new Date(t).toISOString();
}

export function parseWireTime(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/** Alpaca generates UUIDs for what keel did not name (bracket legs, orders entered by hand). */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
