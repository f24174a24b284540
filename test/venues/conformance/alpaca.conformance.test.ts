// The alpaca adapter passes the venue conformance suite through the real client library, talking to
// the loopback fake Alpaca that forwards to the simulated venue (alpaca-harness.ts). Cases that
// skip name why: no combos (one leg per order: multi-leg options are not sent yet), no option
// chain listed, no venue position ids (Alpaca positions are by symbol).
import { describeVenueConformance } from './suite';
import { alpacaHarness } from './alpaca-harness';

describeVenueConformance('alpaca (fake Alpaca over HTTP and a websocket)', () => alpacaHarness());
