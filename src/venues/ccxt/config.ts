// Which exchange keel trades through ccxt and how: the exchange id (bingx first), the market type
// (linear perpetual swaps), margin and position mode, sandbox. Keys come only from the environment
// (BINGX_API_KEY / BINGX_API_SECRET for bingx), are never part of a config file and never logged:
// describeCcxtConfig names the exchange and mode only.
import { z } from 'zod';

export const ccxtExchanges = ['bingx'] as const;
export type CcxtExchangeId = (typeof ccxtExchanges)[number];

export type CcxtConfig = {
  readonly exchange: CcxtExchangeId;
  /** Linear perpetual swaps (USDT-margined): the only market type keel trades here. */
  readonly marketType: 'swap';
  readonly marginMode: 'cross' | 'isolated';
  /** One-way: reduceOnly guards closes; hedge: position side LONG / SHORT instead. */
  readonly positionMode: 'oneWay' | 'hedge';
  /** The exchange's demo trading (BingX VST); its own urls. */
  readonly sandbox: boolean;
  readonly apiKey: string;
  readonly secret: string;
  /** Every REST url of the exchange replaced by this base (a loopback fake); null: the exchange's own. */
  readonly apiBaseUrl: string | null;
};

/** The environment variables keel reads the keys from. */
export function credentialVariables(exchange: CcxtExchangeId): { key: string; secret: string } {
  const prefix = exchange.toUpperCase();
  return { key: `${prefix}_API_KEY`, secret: `${prefix}_API_SECRET` };
}

export function credentialsFromEnv(
  exchange: CcxtExchangeId,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; apiKey: string; secret: string } | { ok: false; error: string } {
  const names = credentialVariables(exchange);
  const apiKey = env[names.key]?.trim() ?? '';
  const secret = env[names.secret]?.trim() ?? '';
  if (apiKey === '' || secret === '')
    return {
      ok: false,
      error: `set ${names.key} and ${names.secret} in the environment (keys are never read from a config file)`,
    };
  return { ok: true, apiKey, secret };
}

export function ccxtConfigErrors(c: CcxtConfig): string[] {
  const errors: string[] = [];
  if (!(ccxtExchanges as readonly string[]).includes(c.exchange))
    errors.push(`exchange ${c.exchange} is not supported (${ccxtExchanges.join(', ')})`);
  if (c.apiKey === '' || c.secret === '') errors.push('the API key or secret is empty');
  if (c.apiBaseUrl !== null && !/^https?:\/\/[^\s]+$/.test(c.apiBaseUrl))
    errors.push(`apiBaseUrl ${c.apiBaseUrl} is not an http(s) url`);
  if (c.sandbox && c.apiBaseUrl !== null) errors.push('sandbox and apiBaseUrl exclude each other');
  return errors;
}

/** What the log and the banner say about the venue: never a key. */
export function describeCcxtConfig(c: CcxtConfig): string {
  const where = c.apiBaseUrl ?? (c.sandbox ? 'demo trading (sandbox)' : 'live');
  return `${c.exchange} ${c.marketType} (${c.marginMode} margin, ${c.positionMode === 'oneWay' ? 'one-way' : 'hedge'} mode) at ${where}`;
}

const settingsSchema = z
  .object({
    exchange: z.enum(ccxtExchanges).default('bingx'),
    marginMode: z.enum(['cross', 'isolated']).default('cross'),
    positionMode: z.enum(['oneWay', 'hedge']).default('oneWay'),
    sandbox: z.boolean().default(false),
  })
  .strict();

/**
 * The `venue:` section of a `keel run` config for kind ccxt (kind taken off), keys from `env`.
 * Errors name the field and the fix.
 */
export function parseCcxtSettings(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; config: CcxtConfig } | { ok: false; errors: string[] } {
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) =>
        i.code === 'unrecognized_keys'
          ? `venue: ${i.message}; a ccxt venue takes exchange, marginMode, positionMode, sandbox (keys from the environment; docs/venues/ccxt.md)`
          : `${['venue', ...i.path.map(String)].join('.')}: ${i.message}`,
      ),
    };
  const keys = credentialsFromEnv(parsed.data.exchange, env);
  if (!keys.ok) return { ok: false, errors: [`venue: ${keys.error}`] };
  return {
    ok: true,
    config: {
      ...parsed.data,
      marketType: 'swap',
      apiKey: keys.apiKey,
      secret: keys.secret,
      apiBaseUrl: null,
    },
  };
}
