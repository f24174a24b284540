export { generateScenario, generateScenarioYaml } from './generate';
export { sweepSeeds, runSeed, reproduceCommand, type SweepRow } from './sweep';
export { SweepTally, rowFails, type SweepTallyJson, type CoverageCell } from './sweep-tally';
