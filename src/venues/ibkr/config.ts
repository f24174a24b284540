// Where keel finds TWS / IB Gateway and as whom. There are no credentials: TWS is logged in by
// hand and the API socket trusts the host. A live account's port is refused unless the config says
// `live: true` in so many words: a paper config pointed at the live port by mistake must not trade.
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
  if (c.live && paper.includes(c.port)) errors.push(`live: true but port ${c.port} is a paper-trading port`);
  if (!Number.isInteger(c.clientId) || c.clientId < 0)
    errors.push(`clientId must be a whole number >= 0, got ${c.clientId}`);
  if (c.lastOrderId !== null && !(Number.isSafeInteger(c.lastOrderId) && c.lastOrderId >= 0))
    errors.push(`lastOrderId must be a whole number >= 0, got ${c.lastOrderId}`);
  if (c.host.trim() === '') errors.push('host is empty');
  return errors;
}
