export { generateScenario, generateScenarioYaml } from './generate';
export { sweepSeeds, runSeed, reproduceCommand, type SweepRow } from './sweep';
