import type { Scenario } from '../scenario';
import { createStrategies } from '../../strategies';

/**
 * The scenario's strategies on its exchange calendar; the risk config's positions-per-day bounds
 * each one's entries.
 */
export function strategiesForScenario(scenario: Scenario) {
  return createStrategies(scenario.strategies, scenario.risk.maxPositionsPerDay, scenario.clock.calendar);
}
