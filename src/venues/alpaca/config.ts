// Where keel finds Alpaca and as whom. Paper is the default; live needs `live: true` in so many
// words. Keys come only from the environment (APCA_API_KEY_ID, APCA_API_SECRET_KEY): they are
// never read from a config file, printed, logged or journaled (describeAlpacaConfig shows neither).
import { z } from 'zod';

export type AlpacaFeed = 'iex' | 'sip';

export type AlpacaConfig = {
  /** Trading REST base URL (paper-api or api.alpaca.markets; a loopback fake in tests). */
  readonly tradingUrl: string;
  /** Market data REST base URL. */
  readonly dataUrl: string;
  /** The trade_updates websocket. */
  readonly streamUrl: string;
  readonly feed: AlpacaFeed;
  readonly live: boolean;
  readonly keyId: string;
  readonly secret: string;
};

export const alpacaPaper = {
  tradingUrl: 'https://paper-api.alpaca.markets',
  streamUrl: 'wss://paper-api.alpaca.markets/stream',
} as const;
export const alpacaLive = {
  tradingUrl: 'https://api.alpaca.markets',
  streamUrl: 'wss://api.alpaca.markets/stream',
} as const;
export const alpacaDataUrl = 'https://data.alpaca.markets';

/** The keys from the environment, or what is missing (never the values). */
export function alpacaKeysFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; keyId: string; secret: string } | { ok: false; error: string } {
  const keyId = env['APCA_API_KEY_ID']?.trim() ?? '';
  const secret = env['APCA_API_SECRET_KEY']?.trim() ?? '';
  const missing = [keyId === '' ? 'APCA_API_KEY_ID' : null, secret === '' ? 'APCA_API_SECRET_KEY' : null];
  const names = missing.filter((m): m is string => m !== null);
  return names.length === 0
    ? { ok: true, keyId, secret }
    : { ok: false, error: `set ${names.join(' and ')} in the environment (docs/venues/alpaca.md)` };
}

export function alpacaConfigErrors(c: AlpacaConfig): string[] {
  const errors: string[] = [];
  const liveHost = (url: string) =>
    url.startsWith(alpacaLive.tradingUrl) || url.startsWith(alpacaLive.streamUrl);
  if (!c.live && (liveHost(c.tradingUrl) || liveHost(c.streamUrl)))
    errors.push('the live Alpaca host is configured without live: true (paper is the default)');
  if (
    c.live &&
    (c.tradingUrl.startsWith(alpacaPaper.tradingUrl) || c.streamUrl.startsWith(alpacaPaper.streamUrl))
  )
    errors.push('live: true but the paper host is configured');
  for (const [name, url] of [
    ['tradingUrl', c.tradingUrl],
    ['dataUrl', c.dataUrl],
    ['streamUrl', c.streamUrl],
  ] as const) {
    if (!/^(https?|wss?):\/\/[^\s/]+/.test(url)) errors.push(`${name} '${url}' is not an http(s)/ws(s) URL`);
  }
  if (c.keyId === '' || c.secret === '') errors.push('the API key id and secret are not set');
  return errors;
}

/** The config for the operator's eyes: hosts and feed, never the keys. */
export function describeAlpacaConfig(c: AlpacaConfig): string {
  return `${c.live ? 'LIVE' : 'paper'} ${c.tradingUrl}, stream ${c.streamUrl}, data ${c.dataUrl} (feed ${c.feed})`;
}

const settingsSchema = z
  .object({
    live: z.boolean().default(false),
    feed: z.enum(['iex', 'sip']).default('iex'),
    /** Only for testing against a fake Alpaca on this machine: REST at this URL, the stream at its /stream. */
    apiBaseUrl: z.string().optional(),
  })
  .strict();

/** http to this machine only: the one place apiBaseUrl may point. */
function isLoopbackUrl(url: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(url);
}

/**
 * The `venue:` section of a `keel run` config for kind alpaca (kind already taken off), with the
 * keys from `env`. Errors name the field and the fix.
 */
export function parseAlpacaSettings(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; config: AlpacaConfig } | { ok: false; errors: string[] } {
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) =>
        i.code === 'unrecognized_keys'
          ? `venue: ${i.message}; an alpaca venue takes live, feed, apiBaseUrl (keys only from the environment: docs/venues/alpaca.md)`
          : `${['venue', ...i.path.map(String)].join('.')}: ${i.message}`,
      ),
    };
  const keys = alpacaKeysFromEnv(env);
  if (!keys.ok) return { ok: false, errors: [`venue: ${keys.error}`] };
  const base = parsed.data.apiBaseUrl?.replace(/\/$/, '') ?? null;
  if (base !== null && !isLoopbackUrl(base))
    return {
      ok: false,
      errors: [
        `venue.apiBaseUrl ${base} is not an http url on this machine: it is only for testing against a fake Alpaca (127.0.0.1)`,
      ],
    };
  if (base !== null && parsed.data.live)
    return {
      ok: false,
      errors: [
        'venue: live: true but apiBaseUrl points at a fake Alpaca on this machine: remove apiBaseUrl to trade the live account, or remove live: true to test against the fake',
      ],
    };
  const hosts =
    base !== null
      ? { tradingUrl: base, streamUrl: `${base.replace(/^http/, 'ws')}/stream` }
      : parsed.data.live
        ? alpacaLive
        : alpacaPaper;
  const config: AlpacaConfig = {
    ...hosts,
    dataUrl: base ?? alpacaDataUrl,
    feed: parsed.data.feed,
    live: parsed.data.live,
    keyId: keys.keyId,
    secret: keys.secret,
  };
  const errors = alpacaConfigErrors(config).map((e) => `venue: ${e}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
