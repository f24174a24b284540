export { FakeBingx, type FakeBingxOptions, type RequestKind, type WireFault } from './fake-bingx';
export { bingxJson, RawNumber } from './json';
