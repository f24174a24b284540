// Where keel finds TWS / IB Gateway and as whom. There are no credentials: TWS is logged in by
// hand and the API socket trusts the host. A live account's port is refused unless the config says
// `live: true` in so many words: a paper config pointed at the live port by mistake must not trade.
import { z } from 'zod';

export type IbkrConfig = {
  readonly host: string;
  readonly port: number;
  /** The API client id; orders can only be cancelled by the client id that placed them. */
  readonly clientId: number;
  /** The account keel trades; checked against the accounts the login manages. */
  readonly account: string | null;
  readonly live: boolean;
  /** The last order id keel used (journal or config): ids start above it and never repeat. */
  readonly lastOrderId: number | null;
  /** Take IB's delayed quotes where the account has no subscription (paper accounts); default off. */
  readonly delayedData?: boolean;
};

export const ibkrPaperPorts = { tws: 7497, gateway: 4002 } as const;
export const ibkrLivePorts = { tws: 7496, gateway: 4001 } as const;

export function ibkrConfigErrors(c: IbkrConfig): string[] {
  const errors: string[] = [];
  const live = Object.values(ibkrLivePorts) as number[];
  const paper = Object.values(ibkrPaperPorts) as number[];
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65_535)
    errors.push(`port ${c.port} is not a TCP port`);
  if (live.includes(c.port) && !c.live)
    errors.push(
      `port ${c.port} is a live-trading port (TWS 7496, Gateway 4001): set live: true to trade a live account`,
    );
  if (c.live && paper.includes(c.port))
    errors.push(
      `live: true but port ${c.port} is a paper-trading port: set the live port (TWS 7496, Gateway 4001), or remove live: true for paper`,
    );
  if (!Number.isInteger(c.clientId) || c.clientId < 0)
    errors.push(`clientId must be a whole number >= 0, got ${c.clientId}`);
  if (c.lastOrderId !== null && !(Number.isSafeInteger(c.lastOrderId) && c.lastOrderId >= 0))
    errors.push(`lastOrderId must be a whole number >= 0, got ${c.lastOrderId}`);
  if (c.host.trim() === '') errors.push('host is empty');
  return errors;
}

const settingsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(1).max(65_535).default(ibkrPaperPorts.tws),
    clientId: z.int().min(0).default(1),
    account: z
      .string()
      .regex(/^[A-Z0-9]{1,20}$/, 'expected the IB account code, e.g. DU1234567 (paper) or U1234567')
      .optional(),
    live: z.boolean().default(false),
    delayedData: z.boolean().default(false),
  })
  .strict();

/**
 * The `venue:` section of a `keel run` config for kind ibkr (kind already taken off). Errors name
 * the field (`venue.port: ...`) and the fix.
 */
export function parseIbkrSettings(
  raw: unknown,
): { ok: true; config: IbkrConfig } | { ok: false; errors: string[] } {
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const field = ['venue', ...i.path.map(String)].join('.');
        return i.code === 'unrecognized_keys'
          ? `venue: ${i.message}; an ibkr venue takes host, port, clientId, account, live, delayedData (docs/venues/ibkr.md)`
          : `${field}: ${i.message}`;
      }),
    };
  const c: IbkrConfig = { ...parsed.data, account: parsed.data.account ?? null, lastOrderId: null };
  const errors = ibkrConfigErrors(c).map((e) => `venue: ${e}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: c };
}
