// The simulated venue passes the venue conformance suite twice: as an IB-like options venue (an
// equity, an option chain, combos) and as a BingX-like futures venue (a perpetual, positions with
// ids of their own, a position history, no combos).
import { describeVenueConformance } from './suite';
import { simHarness } from './sim-harness';

describeVenueConformance('sim (options)', () => simHarness('options'));
describeVenueConformance('sim (futures, BingX-like)', () => simHarness('futures'));
