// The ccxt adapter passes the venue conformance suite through the real ccxt library (its bingx
// class), talking to the loopback fake BingX that forwards to the simulated venue (ccxt-harness.ts).
// Cases that skip name why: no combos (a perpetual order has one leg), no session end (BingX
// perpetuals trade around the clock; DAY is sent as GTC).
import { describeVenueConformance } from './suite';
import { ccxtHarness } from './ccxt-harness';

describeVenueConformance('ccxt bingx (fake BingX over HTTP)', () => ccxtHarness());
