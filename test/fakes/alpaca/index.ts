// The loopback fake Alpaca (trading REST, market-data snapshots, the trade_updates websocket), backed by the simulated venue.
export { FakeAlpaca, type FakeAlpacaOptions, type OrderPostFault } from './fake-alpaca';
