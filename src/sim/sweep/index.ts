export { generateScenario, generateScenarioYaml } from './generate';
export { sweepSeeds, runSeed, reproduceCommand, venueProfile, type SweepRow } from './sweep';
export {
  SweepTally,
  rowFails,
  failingKept,
  type SweepTallyJson,
  type CoverageCell,
  type TallyRow,
  listedKept,
} from './sweep-tally';
