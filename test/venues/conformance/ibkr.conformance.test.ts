// The ibkr adapter passes the venue conformance suite through the real client library, talking to
// the loopback fake TWS that forwards to the simulated venue (ibkr-harness.ts).
import { describeVenueConformance } from './suite';
import { ibkrHarness } from './ibkr-harness';

describeVenueConformance('ibkr (fake TWS over the wire)', () => ibkrHarness());
