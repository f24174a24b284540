// `--through BROKER`: the simulator runs the engine through a broker's adapter and real client
// library, a loopback fake of the broker (bound to 127.0.0.1) forwarding to the simulated venue.
// Each broker's client library and fake load only when a run goes through it: keel starts fast.
import type { SimRunOptions } from '../sim/run/runner';

export const throughBrokers = ['ibkr', 'alpaca', 'ccxt'] as const;
export type ThroughBroker = (typeof throughBrokers)[number];

export function parseThroughBroker(text: string): ThroughBroker | null {
  return (throughBrokers as readonly string[]).includes(text) ? (text as ThroughBroker) : null;
}

export function throughLinkFor(
  broker: ThroughBroker,
  log: (line: string) => void,
): NonNullable<SimRunOptions['through']> {
  switch (broker) {
    case 'ibkr':
      return async (sim, clock) =>
        (await import('../../test/fakes/tws/through')).ibkrThroughLink(sim, clock, log);
    case 'alpaca':
      return async (sim, clock) =>
        (await import('../../test/fakes/alpaca/through')).alpacaThroughLink(sim, clock, log);
    case 'ccxt':
      return async (sim, clock) =>
        (await import('../../test/fakes/exchange/through')).ccxtThroughLink(sim, clock, log);
  }
}

export function throughDescription(broker: ThroughBroker): string {
  switch (broker) {
    case 'ibkr':
      return 'through ibkr: the adapter and @stoqey/ib against the fake TWS on 127.0.0.1 (server version 193)';
    case 'alpaca':
      return 'through alpaca: the adapter and @alpacahq/alpaca-trade-api against the fake Alpaca on 127.0.0.1 (REST + trade_updates websocket)';
    case 'ccxt':
      return 'through ccxt: the adapter and ccxt (bingx) against the fake BingX on 127.0.0.1 (signed REST, polled each simulated instant, and the private swap websocket through ccxt.pro)';
  }
}
