// keel's command line. Every command says what it will do and what it did.
import { Command } from 'commander';
import { checkCommand } from './commands/check';
import { simCommand } from './commands/sim';
import { statusCommand } from './commands/status';

const program = new Command();
program.name('keel').description('Safety-first trading execution engine').showHelpAfterError();

program
  .command('sim')
  .description(
    'run a scenario in the deterministic simulator: writes venue-log.jsonl, report.json, daily-log.md and checks invariants',
  )
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .requiredOption('--out <dir>', "directory for the run's files")
  .option('--journal <file>', 'keep the engine journal in this SQLite file (default: in memory)')
  .option('-q, --quiet', 'no progress output')
  .option('-v, --verbose', 'print the engine log')
  .option('--print', 'print the daily log at the end')
  .action(
    async (
      file: string,
      opts: { out: string; quiet?: boolean; verbose?: boolean; journal?: string; print?: boolean },
    ) => {
      process.exitCode = await simCommand(file, opts);
    },
  );

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
