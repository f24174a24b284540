// Which exchange keel trades through ccxt and how: the exchange id (bingx first), the market type
// (linear perpetual swaps), margin and position mode, sandbox. Keys come only from the environment
// (BINGX_API_KEY / BINGX_API_SECRET for bingx), are never part of a config file and never logged:
// describeCcxtConfig names the exchange and mode only. A live account (not the sandbox, not a
// loopback fake) is refused unless the config says `live: true` in so many words: a config meant
// for demo trading that lost its `sandbox: true` must not trade real money.
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
  /** Real money: the exchange's own live urls. Must be said (live: true); never a default. */
  readonly live: boolean;
  readonly apiKey: string;
  readonly secret: string;
  /**
   * Every REST url of the exchange replaced by this base: only for testing against a loopback fake
   * (127.0.0.1, localhost, [::1]); null, the default: the exchange's own.
   */
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

const emptyKeys = 'the API key or secret is empty';

export function ccxtConfigErrors(c: CcxtConfig): string[] {
  const errors: string[] = [];
  if (!(ccxtExchanges as readonly string[]).includes(c.exchange))
    errors.push(`exchange ${c.exchange} is not supported (${ccxtExchanges.join(', ')})`);
  if (c.apiKey === '' || c.secret === '') errors.push(emptyKeys);
  if (c.apiBaseUrl !== null && !isLoopbackUrl(c.apiBaseUrl))
    errors.push(
      `apiBaseUrl ${c.apiBaseUrl} is not a loopback http(s) url: it is only for testing against a fake exchange on this machine (127.0.0.1)`,
    );
  if (c.sandbox && c.apiBaseUrl !== null) errors.push('sandbox and apiBaseUrl exclude each other');
  if (c.live && c.sandbox) errors.push('live: true but sandbox: true is demo trading: say one or the other');
  if (c.live && c.apiBaseUrl !== null)
    errors.push(
      'live: true but apiBaseUrl points at a fake exchange on this machine: remove apiBaseUrl to trade the live account, or remove live: true to test against the fake',
    );
  if (!c.live && !c.sandbox && c.apiBaseUrl === null)
    errors.push(
      `this is a live ${c.exchange} account (real money): set sandbox: true for demo trading, or live: true to trade it`,
    );
  return errors;
}

/** http(s) to this machine only: the one place apiBaseUrl may point. */
export function isLoopbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  );
}

/** What the log and the banner say about the venue: never a key. */
export function describeCcxtConfig(c: CcxtConfig): string {
  const where =
    c.apiBaseUrl !== null
      ? `${c.apiBaseUrl} (a test exchange on this machine)`
      : c.sandbox
        ? 'demo trading (sandbox)'
        : 'its live urls (real money)';
  return `${c.exchange} ${c.marketType} (${c.marginMode} margin, ${c.positionMode === 'oneWay' ? 'one-way' : 'hedge'} mode) at ${where}`;
}

const settingsSchema = z
  .object({
    exchange: z.enum(ccxtExchanges).default('bingx'),
    marginMode: z.enum(['cross', 'isolated']).default('cross'),
    positionMode: z.enum(['oneWay', 'hedge']).default('oneWay'),
    sandbox: z.boolean().default(false),
    live: z.boolean().default(false),
    // Only for testing against a fake exchange on this machine; never in a real config.
    apiBaseUrl: z.string().optional(),
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
          ? `venue: ${i.message}; a ccxt venue takes exchange, marginMode, positionMode, sandbox, live, apiBaseUrl (keys from the environment; docs/venues/ccxt.md)`
          : `${['venue', ...i.path.map(String)].join('.')}: ${i.message}`,
      ),
    };
  const { apiBaseUrl, ...settings } = parsed.data;
  const keys = credentialsFromEnv(settings.exchange, env);
  const config: CcxtConfig = {
    ...settings,
    marketType: 'swap',
    apiKey: keys.ok ? keys.apiKey : '',
    secret: keys.ok ? keys.secret : '',
    apiBaseUrl: apiBaseUrl ?? null,
  };
  // Every fix at once: the settings' own, and the environment variables to set.
  const errors = [
    ...ccxtConfigErrors(config).filter((e) => e !== emptyKeys),
    ...(keys.ok ? [] : [keys.error]),
  ];
  if (errors.length > 0) return { ok: false, errors: errors.map((e) => `venue: ${e}`) };
  return { ok: true, config };
}
