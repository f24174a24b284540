// The loopback fake TWS (the wire protocol at one pinned server version, backed by the simulated venue).
export { FakeTws, type FakeTwsOptions } from './fake-tws';
export { pinnedServerVersion } from './messages';
