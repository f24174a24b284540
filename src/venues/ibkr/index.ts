// The Interactive Brokers adapter (TWS / IB Gateway through @stoqey/ib): its public surface.
export { IbkrVenue, type IbkrVenueOptions } from './ibkr-venue';
export {
  ibkrConfigErrors,
  ibkrLivePorts,
  ibkrPaperPorts,
  parseIbkrSettings,
  type IbkrConfig,
} from './config';
export { meaningOf, type IbErrorMeaning } from './errors';
export { ibOrderStatuses, type IbOrderStatus } from './status-mapping';
