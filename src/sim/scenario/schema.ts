// The scenario file as written: exactly the keys of spec/simulation.md plus the few extensions keel
// accepts (marked "keel extension"). Every object is strict: a misspelt key is an error, never a
// silently ignored setting (a typo in a risk limit would otherwise run with the default limit).
// This schema checks shapes, ranges and within-object rules; load.ts resolves times and checks the
// rules that span sections (symbols, the clock window, strategy ids).
import { z } from 'zod';
import { calendarNames, GroupId, parseIsoWithOffset, parseTimeZone, StrategyId } from '../../domain';
import { show } from './issues';
import { equityBracketParamsSchema } from '../../strategies/equity-bracket-params';
import { futuresProtectedParamsSchema } from '../../strategies/futures-protected-params';

/** Seeds feed `seededRng`, which keeps 32 bits. */
export const seedMax = 2 ** 31 - 1;
/** Annualised volatility above 500% is a typo (21 for 0.21), not a market. */
export const volMax = 5;

const timeOfDayPattern = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isTimeOfDay(text: string): boolean {
  return timeOfDayPattern.test(text);
}

/** A string checked by `ok`; the message shows what was expected and what was given. */
function checkedString(ok: (text: string) => boolean, expected: string) {
  return z.string().refine(ok, { error: (issue) => `expected ${expected}, got ${show(issue.input)}` });
}

const nonEmpty = z.string().min(1);
const isoTime = checkedString(
  (text) => parseIsoWithOffset(text) !== null,
  'an ISO 8601 time with offset, e.g. "2026-02-13T09:30:00-05:00"',
);
/** A local time of day on the clock's start date, or (keel extension) an ISO time for multi-day runs. */
const timeText = checkedString(
  (text) => isTimeOfDay(text) || parseIsoWithOffset(text) !== null,
  'a local time "HH:MM" or an ISO 8601 time with offset',
);
const timeOfDay = checkedString(isTimeOfDay, 'a local time "HH:MM"');
const symbol = checkedString((text) => /^\S{1,32}$/.test(text), 'a symbol (1-32 characters, no spaces)');
const positive = z.number().positive();
const nonNegative = z.number().min(0);
const fraction = z.number().gt(0).lte(1);
const probability = z.number().min(0).max(1);
/** Durations are given in seconds and kept in whole milliseconds. */
const seconds = (min: 'positive' | 'nonNegative') =>
  (min === 'positive' ? positive : nonNegative).refine((s) => Number.isInteger(Math.round(s * 1e6) / 1e3), {
    error: (issue) => `must be a whole number of milliseconds, got ${show(issue.input)}`,
  });
const side = z.enum(['BUY', 'SELL']);

const expiry = z.string().superRefine((text, ctx) => {
  const m = datePattern.exec(text);
  if (m === null) {
    ctx.addIssue({ code: 'custom', message: `expected a date YYYY-MM-DD, got ${show(text)}` });
    return;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a calendar date` });
  }
});

const optionKeys = ['expiry', 'strike', 'right'] as const;

/** An instrument by its terms: symbol, and for an option expiry, strike and right. */
export const instrumentTermsSchema = z
  .object({
    symbol,
    kind: z.enum(['equity', 'index', 'crypto', 'future']).optional(), // keel extension, non-options
    expiry: expiry.optional(),
    strike: positive.optional(),
    right: z.enum(['C', 'P']).optional(),
  })
  .strict()
  .superRefine((terms, ctx) => {
    const missing = optionKeys.filter((key) => terms[key] === undefined);
    if (missing.length > 0 && missing.length < optionKeys.length) {
      ctx.addIssue({
        code: 'custom',
        message: `an option needs expiry, strike and right (missing: ${missing.join(', ')})`,
      });
    }
    if (missing.length === 0 && terms.kind !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'not used for an option (remove it)' });
    }
  });

const clockSchema = z
  .object({
    start: isoTime,
    end: isoTime,
    // keel extension: trading hours; the market moves only inside them, on trading days (multi-day runs).
    session: z.object({ open: timeOfDay, close: timeOfDay }).strict().optional(),
    // keel extension: the exchange's IANA zone (default: the fixed offset of clock.start).
    timeZone: checkedString(
      (text) => parseTimeZone(text) !== null,
      'an IANA time zone, e.g. "America/New_York" or "UTC"',
    ).optional(),
    // keel extension: the exchange calendar (default XNYS; 24/7 when every market is crypto).
    calendar: z.enum(calendarNames).optional(),
  })
  .strict()
  .superRefine((clock, ctx) => {
    const start = parseIsoWithOffset(clock.start);
    const end = parseIsoWithOffset(clock.end);
    if (clock.session && clock.session.close <= clock.session.open) {
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'close'],
        message: `must be after session.open (${clock.session.open}), got ${show(clock.session.close)}`,
      });
    }
    if (start !== null && end !== null && end.epochMs <= start.epochMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `must be after clock.start (${clock.start}), got ${show(clock.end)}`,
      });
    }
  });

const marketSchema = z
  .object({
    symbol,
    kind: z.enum(['index', 'equity', 'crypto']),
    // Required, except with path: file (the price comes from the file).
    spot: positive.optional(),
    vol: nonNegative.max(volMax).default(0.2),
    drift: z.number().default(0),
    path: z.enum(['gbm', 'flat', 'points', 'file']).default('gbm'),
    points: z.array(z.tuple([timeText, positive])).default([]),
    // keel extension: path: file reads bars from this CSV (relative to the scenario or config file).
    file: nonEmpty.optional(),
    interpolation: z.enum(['bridge', 'linear']).optional(),
    stepSeconds: seconds('positive').default(5),
    // keel extensions: price jumps (fractions, like risk's *Pct), option bid/ask width, price tick.
    jumps: z
      .object({ perDay: nonNegative, meanPct: z.number().default(0), stdPct: nonNegative.default(0.01) })
      .strict()
      .optional(),
    optionSpread: z
      .object({ minWidth: nonNegative.default(0.01), pctOfMid: nonNegative.default(0.05) })
      .strict()
      .optional(),
    tick: positive.default(0.01),
  })
  .strict()
  .superRefine((market, ctx) => {
    if (market.path === 'points' && market.points.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: 'path: points needs at least one point' });
    }
    if (market.path === 'file') {
      if (market.file === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['file'],
          message: 'path: file needs file: the CSV of bars, e.g. file: prices.csv (relative to this file)',
        });
      if (market.spot !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['spot'],
          message: 'not used with path: file (the price at clock.start comes from the file); remove it',
        });
    } else {
      if (market.spot === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['spot'],
          message: `required: the price at clock.start, e.g. spot: 683.38 (or path: file with a CSV of bars)`,
        });
      for (const key of ['file', 'interpolation'] as const)
        if (market[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `only used with path: file (path is ${market.path}); set path: file or remove ${key}`,
          });
    }
    if (market.path !== 'points' && market.points.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['points'],
        message: `only used with path: points (path is ${market.path}); set path: points or remove points`,
      });
    }
  });

const venueSchema = z
  .object({
    products: z.enum(['options', 'equities', 'futures']).default('options'),
    combos: z.boolean().default(true),
    latencyMs: z.int().min(0).default(50),
    // IBKR-like pricing; the venue charges what fits the product (per contract, per share, or rate).
    commission: z
      .object({
        perContract: nonNegative.default(0.65),
        perShare: nonNegative.default(0.005),
        rate: nonNegative.default(0.0005),
        minimum: nonNegative.default(1.0),
      })
      .strict()
      .prefault({}),
    positionIds: z.enum(['distinct', 'same']).default('distinct'),
    positionHistory: z.boolean().optional(), // keel extension; defaults to products === futures
  })
  .strict();

const faultMatchSchema = z
  .object({
    combo: z.boolean().optional(),
    side: side.optional(),
    symbol: symbol.optional(),
    instrument: instrumentTermsSchema.optional(),
    origin: z.enum(['keel', 'external']).optional(),
    from: timeText.optional(),
    until: timeText.optional(),
    nth: z.int().min(1).optional(),
    probability: probability.optional(),
    intent: z.enum(['open', 'close', 'reduce', 'protect']).optional(), // keel extension
  })
  .strict()
  .superRefine((match, ctx) => {
    if (match.symbol !== undefined && match.instrument !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give symbol or instrument, not both' });
    }
  });

/** The key that makes a fault what it is. delayFill is an action alone, or a detail of partialFill. */
export const faultActions = [
  'reject',
  'partialFill',
  'delayFill',
  'crashEngine',
  'disconnect',
  'duplicateFill',
] as const;
export type FaultAction = (typeof faultActions)[number];
const orderFaultActions: readonly FaultAction[] = ['reject', 'partialFill', 'delayFill'];

/**
 * One flat object with every fault key, checked for a valid combination below, rather than a zod
 * union: a union's failure says "invalid input", this says which key is wrong and why.
 */
const faultSchema = z
  .object({
    match: faultMatchSchema.optional(),
    at: timeText.optional(),
    afterAppends: z.int().min(1).optional(), // keel extension: crash after the engine's Nth journal append
    reject: z
      .object({ code: z.int(), message: nonEmpty.default('Order rejected') })
      .strict()
      .optional(),
    partialFill: fraction.optional(),
    delayFill: seconds('positive').optional(),
    crashEngine: z
      .object({ restartAfter: seconds('nonNegative').default(60) })
      .strict()
      .optional(),
    disconnect: z
      .object({ seconds: seconds('positive') })
      .strict()
      .optional(),
    duplicateFill: z.literal(true).optional(),
  })
  .strict()
  .superRefine((fault, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: path === '' ? [] : [path], message });
    const kind = faultActionOf(fault);
    if (kind === 'none' || kind === 'several') {
      const given = faultActions.filter((action) => fault[action] !== undefined);
      problem(
        '',
        kind === 'none'
          ? `no action: give one of ${faultActions.join(', ')}`
          : `one action per fault, got ${given.join(' and ')} (write them as separate faults)`,
      );
      return;
    }
    const orderFault = orderFaultActions.includes(kind);
    if (orderFault && fault.at !== undefined) {
      problem('at', `not used by a ${kind} fault (limit it in time with match.from / match.until)`);
    }
    if (!orderFault && fault.match !== undefined) {
      problem('match', `not used by a ${kind} fault (it happens at a time, not to an order)`);
    }
    if (kind !== 'crashEngine' && fault.afterAppends !== undefined) {
      problem('afterAppends', `only used with crashEngine, not ${kind}`);
    }
    if (kind === 'crashEngine' && (fault.at === undefined) === (fault.afterAppends === undefined)) {
      problem('', 'crashEngine needs exactly one of at ("HH:MM") or afterAppends (N)');
    }
    if ((kind === 'disconnect' || kind === 'duplicateFill') && fault.at === undefined) {
      problem('at', `missing (a ${kind} fault happens at a time "HH:MM")`);
    }
  });
export type FaultInput = z.output<typeof faultSchema>;

/** Which action a fault takes; 'none' and 'several' are rejected by the schema. */
export function faultActionOf(fault: FaultInput): FaultAction | 'none' | 'several' {
  const given = faultActions.filter((action) => action !== 'delayFill' && fault[action] !== undefined);
  if (given.length > 1) return 'several';
  const [only] = given;
  if (only !== undefined) {
    if (only !== 'partialFill' && fault.delayFill !== undefined) return 'several';
    return only;
  }
  return fault.delayFill === undefined ? 'none' : 'delayFill';
}

/** Price rules shared by operator and external orders. */
function checkPrices(
  order: { type: string; limit?: number | undefined; stop?: number | undefined },
  ctx: z.RefinementCtx,
  stopIsProtective: boolean,
) {
  const needsLimit = order.type === 'LMT' || order.type === 'STP_LMT';
  const needsStop = order.type === 'STP' || order.type === 'STP_LMT';
  if (needsLimit && order.limit === undefined) {
    ctx.addIssue({ code: 'custom', path: ['limit'], message: `required for type ${order.type}` });
  }
  if (!needsLimit && order.limit !== undefined) {
    const use = order.type === 'MKT' ? 'LMT' : 'STP_LMT';
    ctx.addIssue({
      code: 'custom',
      path: ['limit'],
      message: `not used by type ${order.type} (remove it, or use type: ${use})`,
    });
  }
  if (needsStop && order.stop === undefined) {
    ctx.addIssue({ code: 'custom', path: ['stop'], message: `required for type ${order.type}` });
  }
  if (!needsStop && !stopIsProtective && order.stop !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['stop'], message: `not used by type ${order.type}` });
  }
}

const externalOrderSchema = z
  .object({
    at: timeText,
    instrument: instrumentTermsSchema,
    side,
    qty: positive,
    type: z.enum(['MKT', 'LMT']),
    limit: positive.optional(),
  })
  .strict()
  .superRefine((order, ctx) => checkPrices(order, ctx, false));

const externalPositionSchema = z
  .object({
    instrument: instrumentTermsSchema,
    qty: z.number().refine((qty) => qty !== 0, { error: 'must not be 0 (leave the position out instead)' }),
    avgPrice: nonNegative,
  })
  .strict();

const strategyId = z.string().superRefine((text, ctx) => {
  const parsed = StrategyId.parse(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `expected a lowercase id like "ic-0dte", got ${show(text)}` });
  }
});
const groupId = checkedString((text) => GroupId.parse(text).ok, 'a group id');

const reason = (action: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `missing: ${action} needs a reason, e.g. reason: "checked by hand"`
          : undefined,
    })
    .refine((text) => text.trim() !== '', { error: 'must not be empty' });

const operatorOrderSchema = z
  .object({
    at: timeText,
    action: z.literal('order'),
    symbol: symbol.optional(),
    instrument: instrumentTermsSchema.optional(),
    side,
    qty: positive,
    type: z.enum(['MKT', 'LMT', 'STP', 'STP_LMT']),
    limit: positive.optional(),
    /** STP / STP_LMT: the trigger. MKT / LMT: the protective stop used for sizing (risk per unit). */
    stop: positive.optional(),
    fit: z.boolean().default(false), // shrink to the largest allowed order instead of refusing
    strategy: strategyId.optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    if ((order.symbol === undefined) === (order.instrument === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          order.symbol === undefined ? 'give symbol or instrument' : 'give symbol or instrument, not both',
      });
    }
    checkPrices(order, ctx, true);
  });

const flattenSchema = z
  .object({
    at: timeText,
    action: z.literal('flatten'),
    group: groupId.optional(),
    strategy: strategyId.optional(),
  })
  .strict()
  .superRefine((command, ctx) => {
    if ((command.group === undefined) === (command.strategy === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'flatten needs exactly one of group or strategy' });
    }
  });

const operatorSchema = z.discriminatedUnion('action', [
  operatorOrderSchema,
  flattenSchema,
  z.object({ at: timeText, action: z.literal('halt'), reason: nonEmpty.default('operator halt') }).strict(),
  z.object({ at: timeText, action: z.literal('resume'), reason: reason('resume') }).strict(),
  z
    .object({
      at: timeText,
      action: z.literal('cancel'),
      // keel cancels only its own orders; a global cancel would also kill orders entered by hand.
      mine: z.literal(true, { error: 'must be true (keel cancels only its own orders)' }),
    })
    .strict(),
  z.object({ at: timeText, action: z.literal('reconcile') }).strict(),
  // keel extension: the operator resolves an open discrepancy (ids D1, D2, ... in raise order).
  z.object({ at: timeText, action: z.literal('resolve'), id: nonEmpty, reason: nonEmpty }).strict(),
]);
export type OperatorInput = z.output<typeof operatorSchema>;

/** The spec example's times; load.ts fills them in (a default outside the clock is a warning). */
export const ironCondorDefaultTimes = { entryFrom: '09:45', entryUntil: '14:00', exitBy: '15:45' } as const;

export const ironCondorParamsSchema = z
  .object({
    underlying: symbol.optional(), // defaults to the only market, see load.ts
    shortDelta: z.number().gt(0).lt(0.5).default(0.1),
    wingWidth: positive.default(1),
    minCredit: nonNegative.default(0.1),
    qty: z.int().min(1).default(1),
    stopLossMultiple: positive.default(3),
    takeProfitPct: fraction.default(0.5),
    // Times default in load.ts, which needs to know whether a time outside the clock was written.
    entryFrom: timeOfDay.optional(),
    entryUntil: timeOfDay.optional(),
    exitBy: timeOfDay.optional(),
    // Replays a known trade: these strikes instead of the delta scan (the incident scenarios).
    strikes: z
      .object({ longPut: positive, shortPut: positive, shortCall: positive, longCall: positive })
      .strict()
      .optional(),
    // Leg executions per day before the circuit breaker halts (the cascade made 55 against 4-8).
    executionsPerDay: z.int().min(4).default(16),
    // Trailing stop on the group's own PnL: armed at activatePct of the credit, it closes when
    // the PnL gives back givebackPct of the credit from its peak.
    trailingStop: z.object({ activatePct: fraction, givebackPct: fraction }).strict().optional(),
  })
  .strict()
  .superRefine((params, ctx) => {
    const { entryFrom, entryUntil, exitBy } = { ...ironCondorDefaultTimes, ...definedOnly(params) };
    // Times of day with two-digit fields compare correctly as strings.
    if (entryUntil <= entryFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['entryUntil'],
        message: `must be after entryFrom (${entryFrom}), got ${entryUntil}`,
      });
    }
    if (exitBy < entryUntil) {
      ctx.addIssue({
        code: 'custom',
        path: ['exitBy'],
        message: `must not be before entryUntil (${entryUntil}), got ${exitBy}`,
      });
    }
  });

function definedOnly(params: {
  entryFrom?: string | undefined;
  entryUntil?: string | undefined;
  exitBy?: string | undefined;
}) {
  const times: { entryFrom?: string; entryUntil?: string; exitBy?: string } = {};
  if (params.entryFrom !== undefined) times.entryFrom = params.entryFrom;
  if (params.entryUntil !== undefined) times.entryUntil = params.entryUntil;
  if (params.exitBy !== undefined) times.exitBy = params.exitBy;
  return times;
}

/** Strategies not built yet take any params; each gets a strict schema when it is built. */
const pendingParams = z.record(z.string(), z.unknown()).default({});

const strategySchema = z.discriminatedUnion('kind', [
  z
    .object({
      id: strategyId,
      kind: z.literal('iron-condor-0dte'),
      params: ironCondorParamsSchema.prefault({}),
    })
    .strict(),
  z
    .object({
      id: strategyId,
      kind: z.literal('equity-bracket'),
      params: equityBracketParamsSchema.prefault({}),
    })
    .strict(),
  z
    .object({
      id: strategyId,
      kind: z.literal('futures-protected'),
      params: futuresProtectedParamsSchema,
    })
    .strict(),
  z.object({ id: strategyId, kind: z.literal('demo-condor'), params: pendingParams }).strict(),
]);

const strategyRiskSchema = z
  .object({
    strategy: strategyId,
    maxPositionPct: fraction.optional(),
    maxDailyPct: fraction.optional(),
    maxWeeklyPct: fraction.optional(),
    maxPositionsPerDay: z.int().min(0).optional(),
    maxPositionsPerWeek: z.int().min(0).optional(),
  })
  .strict();

const riskSchema = z
  .object({
    riskPerTradePct: fraction.default(0.02),
    maxPositionPct: fraction.default(0.1),
    maxDailyPct: fraction.default(0.2),
    maxWeeklyPct: fraction.default(0.4),
    maxPositionsPerDay: z.int().min(0).default(2),
    maxPositionsPerWeek: z.int().min(0).default(10),
    // keel extensions: the soft weekly count, the fat-finger band, scan times, per-strategy caps.
    positionsPerWeekWarnAt: z.int().min(0).optional(),
    fatFingerPct: fraction.default(0.05),
    scanTimes: z.array(timeOfDay).default(['10:30', '15:55']),
    perStrategy: z.array(strategyRiskSchema).default([]),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: nonEmpty.optional(), // defaults to the file name
    seed: z.int().min(0).max(seedMax).default(1),
    clock: clockSchema,
    account: z
      .object({ equity: positive.default(1_000_000) })
      .strict()
      .prefault({}),
    market: z.array(marketSchema).min(1),
    venue: venueSchema.prefault({}),
    faults: z.array(faultSchema).default([]),
    external: z
      .object({
        positions: z.array(externalPositionSchema).default([]),
        orders: z.array(externalOrderSchema).default([]),
      })
      .strict()
      .prefault({}),
    operator: z.array(operatorSchema).default([]),
    strategies: z.array(strategySchema).default([]),
    risk: riskSchema.prefault({}),
  })
  .strict();

/** A scenario as written, with defaults filled in, before times and cross-references are resolved. */
export type ScenarioInput = z.output<typeof scenarioSchema>;
export type FaultMatchInput = z.output<typeof faultMatchSchema>;
export type InstrumentTermsInput = z.output<typeof instrumentTermsSchema>;
export type IronCondorParamsInput = z.output<typeof ironCondorParamsSchema>;
