// Reading a run's venue log in tests: lines of one type, keel's own orders.
import type { VenueLogLine } from '../src/venues/sim/venue-log';

export type Line<T extends VenueLogLine['type']> = Extract<VenueLogLine, { type: T }>;

export function linesOf<T extends VenueLogLine['type']>(log: readonly VenueLogLine[], type: T): Line<T>[] {
  return log.filter((l): l is Line<T> => l.type === type);
}

export function keelOrders(log: readonly VenueLogLine[]): Line<'order'>[] {
  return linesOf(log, 'order').filter((o) => o.origin === 'keel');
}
