// Write-ahead on a journal that is durable only later (PostgreSQL): the engine's orders and
// cancels wait here, in order, until the host has flushed the events before them; reads, lookups
// and the subscription go straight to the venue. On a journal durable at once (SQLite) the host
// does not use it and commands go out inside the engine's turn, as they always did.
import type { ClientOrderId, OrderSpec } from '../domain';
import type { Venue } from '../venues/venue';

export type VenueCommand =
  | { readonly kind: 'submit'; readonly order: OrderSpec }
  | { readonly kind: 'cancel'; readonly clientOrderId: ClientOrderId };

/** Bounds one turn's commands: far above any structure's legs and chases. */
const commandsWaitingMax = 10_000;

export function commandOutbox(venue: Venue): { venue: Venue; take(): VenueCommand[] } {
  let waiting: VenueCommand[] = [];
  const push = (c: VenueCommand) => {
    if (waiting.length >= commandsWaitingMax)
      throw new Error(`more than ${commandsWaitingMax} venue commands wait for the journal`);
    waiting.push(c);
  };
  const held: Venue = {
    name: venue.name,
    capabilities: venue.capabilities,
    market: venue.market,
    connect: () => venue.connect(),
    close: () => venue.close(),
    subscribe: (listener) => venue.subscribe(listener),
    resolveInstrument: (terms) => venue.resolveInstrument(terms),
    instrument: (id) => venue.instrument(id),
    optionChain: (symbol, expiry) => venue.optionChain(symbol, expiry),
    watch: (ids) => venue.watch(ids),
    submit: (order) => push({ kind: 'submit', order }),
    cancel: (clientOrderId) => push({ kind: 'cancel', clientOrderId }),
    snapshot: (request) => venue.snapshot(request),
    isConnected: () => venue.isConnected(),
    ...(venue.orderSequence ? { orderSequence: venue.orderSequence } : {}),
  };
  return {
    venue: held,
    take() {
      const out = waiting;
      waiting = [];
      return out;
    },
  };
}

export function send(venue: Venue, command: VenueCommand): void {
  switch (command.kind) {
    case 'submit':
      return venue.submit(command.order);
    case 'cancel':
      return venue.cancel(command.clientOrderId);
  }
}
