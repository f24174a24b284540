// keel's command line. Every command says what it will do and what it did.
import { Command } from 'commander';
import { checkCommand } from './commands/check';
import { runCommand, type RunCommandOptions } from './commands/run';
import { simCommand } from './commands/sim';
import { statusCommand } from './commands/status';
import { sweepCommand } from './commands/sweep';

type SimCliOptions = {
  out?: string;
  generate?: boolean;
  seeds: string;
  journal?: string;
  quiet?: boolean;
  verbose?: boolean;
  print?: boolean;
};

async function sim(file: string | undefined, opts: SimCliOptions): Promise<number> {
  if (opts.generate) return sweepCommand(opts.seeds, opts.out);
  if (file === undefined || opts.out === undefined) {
    process.stderr.write('keel sim: give a scenario file and --out DIR (or --generate --seeds A..B)\n');
    return 2;
  }
  const { out, ...rest } = opts;
  return simCommand(file, { ...rest, out });
}

const program = new Command();
program.name('keel').description('Safety-first trading execution engine').showHelpAfterError();

program
  .command('sim')
  .description(
    'run a scenario in the deterministic simulator: writes venue-log.jsonl, report.json, daily-log.md and checks invariants; with --generate, runs random scenarios from seeds',
  )
  .argument('[scenario]', 'scenario file (YAML or JSON)')
  .option('--out <dir>', "directory for the run's files")
  .option('--generate', 'generate scenarios from seeds instead of reading a file')
  .option('--seeds <range>', 'with --generate: N or A..B', '1..100')
  .option('--journal <file>', 'keep the engine journal in this SQLite file (default: in memory)')
  .option('-q, --quiet', 'no progress output')
  .option('-v, --verbose', 'print the engine log')
  .option('--print', 'print the daily log at the end')
  .action(async (file: string | undefined, opts: SimCliOptions) => {
    process.exitCode = await sim(file, opts);
  });

program
  .command('run')
  .description(
    'run a strategy from a config file: on the simulated venue, a full session (or --days N) with progress, ending with the daily log, report and invariant check',
  )
  .argument('<config>', 'run config (YAML or JSON), e.g. examples/iron-condor-0dte.yaml')
  .option('--out <dir>', "directory for the run's files (default out/<name>)")
  .option('--days <n>', 'consecutive trading sessions; budgets carry across them, weekly reset included')
  .option('--seed <n>', "override the config's seed")
  .option('--journal <file>', 'continue this journal instead of a fresh one in the out directory')
  .option('--realtime', 'pace the simulated clock with the wall clock, to watch it live')
  .option('-q, --quiet', 'no progress output')
  .option('-v, --verbose', 'print the engine log')
  .option('--no-print', 'do not print the daily log at the end')
  .action(async (file: string, opts: RunCommandOptions) => {
    process.exitCode = await runCommand(file, opts);
  });

program
  .command('check')
  .description("check a finished run (venue-log.jsonl + report.json) against keel's safety invariants")
  .argument('<dir>', 'run directory')
  .option('--json', 'machine-readable result')
  .action(async (dir: string, opts: { json?: boolean }) => {
    process.exitCode = await checkCommand(dir, opts);
  });

program
  .command('status')
  .description('owned positions by group, foreign positions and open orders, from a journal')
  .requiredOption('--journal <file>', 'the engine journal (SQLite)')
  .option('--json', 'machine-readable output')
  .action((opts: { journal: string; json?: boolean }) => {
    process.exitCode = statusCommand(opts);
  });

await program.parseAsync(process.argv);
