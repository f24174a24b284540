// The venue a `keel run` config names, for a broker account: its adapter built from the config's
// `venue:` section, or the errors that say which field to fix. Each broker's connection settings
// are parsed by its own adapter; credentials, where a broker needs them, come from the environment.
import type { Clock } from '../domain';
import type { Venue } from '../venues/venue';
import type { RunConfig } from './run-config';

export type BrokerVenue = {
  readonly venue: Venue;
  /** One line for the banner: where, as whom, paper or live. */
  readonly describe: string;
  /** The account traded, once connected (the configured one, else the login's only one). */
  account(): string;
  readonly live: boolean;
  /** Whether some quotes are the broker's delayed data. */
  marketData(): 'live' | 'delayed';
  /** The account's equity as the broker last reported it (null: not read): the budgets and the sizing start from it. */
  equity?(): number | null;
};

export type BrokerVenueResult = { ok: true; broker: BrokerVenue } | { ok: false; errors: string[] };

/** Async: each broker's adapter and client library load only for a run on that broker (ccxt alone takes 0.4 s). */
export async function brokerVenue(
  config: RunConfig,
  clock: Clock,
  log: (line: string) => void,
): Promise<BrokerVenueResult> {
  switch (config.venueKind) {
    case 'sim':
      return { ok: false, errors: ['venue.kind sim runs on the simulated venue, not a broker'] };
    case 'ibkr': {
      const { IbkrVenue, ibkrLivePorts, parseIbkrSettings } = await import('../venues/ibkr');
      const parsed = parseIbkrSettings(config.venueSettings);
      if (!parsed.ok) return parsed;
      const c = parsed.config;
      const venue = new IbkrVenue({ config: c, clock, log });
      const port = (Object.values(ibkrLivePorts) as number[]).includes(c.port) ? 'live' : 'paper';
      return {
        ok: true,
        broker: {
          venue,
          live: c.live,
          marketData: () => venue.marketData,
          describe: `Interactive Brokers at ${c.host}:${c.port} (${c.live ? 'LIVE' : port} port), client id ${c.clientId}, account ${c.account ?? 'the login’s only one'}`,
          account: () => {
            const account = venue.tradedAccount;
            if (account === null)
              throw new Error(
                `ibkr: the login manages no single account (${venue.managedAccounts.join(', ') || 'none'}): set venue.account`,
              );
            return account;
          },
        },
      };
    }
    case 'ccxt': {
      const { CcxtVenue, describeCcxtConfig, parseCcxtSettings } = await import('../venues/ccxt');
      // Keys only from the environment (BINGX_API_KEY / BINGX_API_SECRET); never printed.
      const parsed = parseCcxtSettings(config.venueSettings, process.env);
      if (!parsed.ok) return parsed;
      const c = parsed.config;
      const venue = new CcxtVenue({ config: c, clock, log });
      return {
        ok: true,
        broker: {
          venue,
          live: c.live,
          marketData: () => 'live',
          describe: describeCcxtConfig(c),
          account: () => venue.account,
        },
      };
    }
    case 'alpaca': {
      const { AlpacaVenue, describeAlpacaConfig, parseAlpacaSettings } = await import('../venues/alpaca');
      // Keys only from the environment (APCA_API_KEY_ID / APCA_API_SECRET_KEY); never printed.
      const parsed = parseAlpacaSettings(config.venueSettings, process.env);
      if (!parsed.ok) return parsed;
      const c = parsed.config;
      const venue = new AlpacaVenue({ config: c, clock, log });
      return {
        ok: true,
        broker: {
          venue,
          live: c.live,
          marketData: () => 'live',
          describe: `Alpaca ${describeAlpacaConfig(c)}`,
          equity: () => venue.lastAccount?.equity ?? null,
          account: () => {
            const account = venue.lastAccount;
            if (account === null) throw new Error('alpaca: the account was not read at connect');
            // Alpaca names accounts by UUID: its 32 hex digits fit keel's account id.
            return account.id.replaceAll('-', '');
          },
        },
      };
    }
  }
}
