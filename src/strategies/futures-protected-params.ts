// futures-protected parameters, checked where they are written (scenario files, run configs):
// every message names the field and says what to write instead.
import { z } from 'zod';

const hhmm = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const shown = (v: unknown) => JSON.stringify(v) ?? String(v);

const timeOfDay = (field: string) =>
  z.string({ error: `${field} must be a local time "HH:MM", e.g. "18:15"` }).refine((t) => hhmm.test(t), {
    error: (issue) => `${field} must be a local time "HH:MM", e.g. "18:15"; got ${shown(issue.input)}`,
  });

const positiveNumber = (field: string, example: string) =>
  z
    .number({ error: (issue) => `${field} must be a number, e.g. ${example}; got ${shown(issue.input)}` })
    .refine((n) => n > 0 && Number.isFinite(n), {
      error: (issue) => `${field} must be greater than 0, e.g. ${example}; got ${shown(issue.input)}`,
    });

export const futuresProtectedParamsSchema = z
  .object({
    symbol: z
      .string({ error: 'symbol is required: the perpetual to trade, e.g. "BTC-USDT"' })
      .regex(/^\S{1,32}$/, { error: 'symbol must be 1-32 characters without spaces, e.g. "BTC-USDT"' }),
    side: z.enum(['long', 'short'], {
      error: (issue) => `side must be "long" or "short"; got ${shown(issue.input)}`,
    }),
    /** Contracts (base units, e.g. BTC) of the position; on the venue's lot. */
    qty: positiveNumber('qty', '0.0846'),
    entryAt: timeOfDay('entryAt'),
    /** The entry is a limit this fraction past the far side of the quote (0.001 = 0.1%). */
    entrySlippagePct: z
      .number()
      .refine((n) => n >= 0 && n < 0.05, {
        error: (issue) =>
          `entrySlippagePct must be a fraction from 0 to 0.05 (0.001 is 0.1%), got ${shown(issue.input)}`,
      })
      .default(0.001),
    /** Entries are tried from entryAt for this many minutes (a restart after it does not enter late). */
    entryWindowMin: z
      .number()
      .int({ error: 'entryWindowMin must be a whole number of minutes, e.g. 30' })
      .min(1, { error: 'entryWindowMin must be at least 1 minute' })
      .max(1440, { error: 'entryWindowMin must be at most 1440 minutes (one day)' })
      .default(30),
    /** Protective stop distance from the entry price, as a fraction (0.01 = 1%). */
    stopPct: z
      .number({ error: 'stopPct is required: the stop distance as a fraction, e.g. 0.01 for 1%' })
      .refine((n) => n > 0 && n < 0.5, {
        error: (issue) =>
          `stopPct must be a fraction between 0 and 0.5 (0.01 is 1%), got ${shown(issue.input)}; write 0.01, not 1`,
      }),
    /** Take-profit price; or targetPct, a distance from the entry price. */
    targetPrice: positiveNumber('targetPrice', '109953.4').optional(),
    targetPct: z
      .number()
      .refine((n) => n > 0 && n < 10, {
        error: (issue) => `targetPct must be a fraction above 0 (0.02 is 2%), got ${shown(issue.input)}`,
      })
      .optional(),
    /** Exit by signal: close at this local time if stop and target have not. */
    exitAt: timeOfDay('exitAt').optional(),
    /** Leg executions per day before the circuit breaker halts. */
    executionsPerDay: z
      .number()
      .int({ error: 'executionsPerDay must be a whole number, e.g. 8' })
      .min(2, { error: 'executionsPerDay must be at least 2 (one entry and one exit)' })
      .default(8),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.targetPrice !== undefined && p.targetPct !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['targetPct'],
        message: 'give targetPrice or targetPct, not both',
      });
  });

export type FuturesProtectedParams = z.output<typeof futuresProtectedParamsSchema>;

/** Parses params, or says what is wrong field by field ("stopPct: must be ..."). */
export function parseFuturesProtectedParams(
  params: unknown,
): { ok: true; params: FuturesProtectedParams } | { ok: false; errors: string[] } {
  const r = futuresProtectedParamsSchema.safeParse(params ?? {});
  if (r.success) return { ok: true, params: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => {
      const field = i.path.join('.');
      if (i.code === 'unrecognized_keys')
        return `unknown key(s) ${i.keys.join(', ')}: remove them (futures-protected takes symbol, side, qty, entryAt, entrySlippagePct, entryWindowMin, stopPct, targetPrice, targetPct, exitAt, executionsPerDay)`;
      return field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
    }),
  };
}
