// equity-bracket parameters, checked where they are written: every message names the field and
// says what to write instead.
import { z } from 'zod';

const hhmm = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const date = /^\d{4}-\d{2}-\d{2}$/;

export const signalSchema = z
  .object({
    /** The trading day the signal is for; without it, every day. */
    date: z.string().regex(date, 'date must be YYYY-MM-DD').optional(),
    symbol: z.string().regex(/^\S{1,32}$/, 'symbol must be 1-32 characters without spaces, e.g. "PLTR"'),
    score: z.number({ error: 'score must be a number (higher is better)' }),
    entry: z.number().positive('entry must be the limit price, greater than 0'),
    stop: z.number().positive('stop must be the protective stop price, greater than 0'),
  })
  .strict()
  .refine((s) => s.stop !== s.entry, { message: 'stop must differ from entry', path: ['stop'] });

export const equityBracketParamsSchema = z
  .object({
    // Empty when the signals come from the operator API while the strategy runs.
    signals: z.array(signalSchema).default([]),
    /** Signals scoring at or above this are eligible. */
    threshold: z.number().default(70),
    /** K: the watchlist keeps the top K eligible signals of the day. */
    watchlist: z.int().min(1).max(1000).default(10),
    /** M: at most this many execute per day. */
    executeMax: z.int().min(1).max(100).default(2),
    /** Local scan times: entries are made at these times only. */
    scanTimes: z
      .array(z.string().regex(hhmm, 'scan times are local "HH:MM", e.g. "10:30"'))
      .min(1)
      .default(['10:30', '15:55']),
    /** Take-profit at this multiple of the risk (entry - stop). */
    targetR: z.number().positive().max(20).default(2),
    /** Loss at the stop as a fraction of equity (the risk cap of the dual cap). */
    riskPct: z.number().gt(0).lte(0.1, 'riskPct above 0.1 (10%) is a typo: 2% is 0.02').default(0.02),
    /** Notional cap per position as a fraction of equity (the allocation splits the day's budget). */
    maxPositionPct: z.number().gt(0).lte(1).default(0.1),
    dailyPct: z.number().gt(0).lte(1).default(0.2),
    floorPct: z.number().gt(0).lte(1).default(0.05),
    executionsPerDay: z.int().min(3).default(12),
  })
  .strict();

export type EquityBracketParams = z.output<typeof equityBracketParamsSchema>;
export type EquitySignal = EquityBracketParams['signals'][number];

export function parseEquityBracketParams(
  raw: unknown,
): { ok: true; params: EquityBracketParams } | { ok: false; errors: string[] } {
  const r = equityBracketParamsSchema.safeParse(raw ?? {});
  if (r.success) return { ok: true, params: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`) };
}
