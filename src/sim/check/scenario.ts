// `scenario-mismatch`: when the caller says which scenario and seed it ran, the report must be that
// run's report; judging one run's venue log against another run's report proves nothing.
import { violation, type CheckInput, type Violation } from './types';

export function checkScenario(input: CheckInput): Violation[] {
  const { scenario, report } = input;
  if (scenario === undefined) return [];
  if (scenario.name === report.scenario && scenario.seed === report.seed) return [];
  return [
    violation(
      'scenario-mismatch',
      null,
      `the run was ${scenario.name} seed ${scenario.seed} but the report is for ${report.scenario} seed ${report.seed}`,
    ),
  ];
}
