export {
  runScenario,
  type SimControl,
  type SimRunOptions,
  type SimRunResult,
  type StrategyFactory,
} from './runner';
export { writeRun, runFiles } from './write-run';
export { EngineCrash } from './crash';
export { strategiesForScenario } from './strategies-for-scenario';
