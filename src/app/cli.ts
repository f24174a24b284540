// keel's command line. Every command says what it will do and what it did.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { checkCommand } from './commands/check';
import { reportCommand } from './commands/report';
import { tradingStateOffline, viaApi, type Target } from './commands/operator';
import { runCommand, type RunCommandOptions } from './commands/run';
import { readSignalsFile } from './run-config';
import { simCommand } from './commands/sim';
import { sizeCommand, type SizeOptions } from './commands/size';
import { reconcileCommand, type ReconcileCliOptions } from './commands/reconcile';
import { statusCommand, statusOfPostgres, statusViaApi } from './commands/status';
import { isPostgresAddress } from '../ledger/journal';
import { sweepCommand } from './commands/sweep';
import { parseThroughBroker, throughBrokers } from './through';

type SimCliOptions = {
  out?: string;
  generate?: boolean;
  seeds: string;
  journal?: string;
  quiet?: boolean;
  verbose?: boolean;
  print?: boolean;
  through?: string;
  workers: string;
  resume?: boolean;
};

async function sim(file: string | undefined, opts: SimCliOptions): Promise<number> {
  const through = opts.through === undefined ? undefined : parseThroughBroker(opts.through);
  if (through === null) {
    process.stderr.write(
      `keel sim: --through takes one of ${throughBrokers.join(', ')}, got '${opts.through}'\n`,
    );
    return 2;
  }
  if (opts.generate)
    return sweepCommand({
      seeds: opts.seeds,
      out: opts.out,
      through,
      workers: Number(opts.workers),
      resume: opts.resume === true,
      quiet: opts.quiet === true,
    });
  if (file === undefined || opts.out === undefined) {
    process.stderr.write('keel sim: give a scenario file and --out DIR (or --generate --seeds A..B)\n');
    return 2;
  }
  const { out, journal, quiet, verbose, print } = opts;
  return simCommand(file, {
    out,
    ...(journal === undefined ? {} : { journal }),
    ...(quiet === undefined ? {} : { quiet }),
    ...(verbose === undefined ? {} : { verbose }),
    ...(print === undefined ? {} : { print }),
    ...(through === undefined ? {} : { through }),
  });
}

const program = new Command();
program
  .name('keel')
  .description('Safety-first trading execution engine')
  .version(keelVersion(), '-V, --version', "keel's version (from its package.json)")
  .showHelpAfterError();

program
  .command('sim')
  .description(
    'run a scenario in the deterministic simulator: writes venue-log.jsonl, report.json, daily-log.md, report.html, notifications.jsonl (the alerts a notify section would send) and checks invariants; with --generate, runs random scenarios from seeds and writes summary.html (in --out, default out/sweep-A-B)',
  )
  .argument('[scenario]', 'scenario file (YAML or JSON)')
  .option('--out <dir>', "directory for the run's files")
  .option('--generate', 'generate scenarios from seeds instead of reading a file')
  .option('--seeds <range>', 'with --generate: N or A..B', '1..100')
  .option(
    '--workers <n>',
    'with --generate: worker threads running seeds in parallel (the table is the same for any number)',
    String(availableParallelism()),
  )
  .option(
    '--resume',
    'with --generate: continue a stopped sweep from sweep-state.json in its --out directory',
  )
  .option('--journal <file>', 'keep the engine journal in this SQLite file (default: in memory)')
  .option('-q, --quiet', 'no progress output')
  .option('-v, --verbose', 'print the engine log')
  .option('--print', 'print the daily log at the end')
  .option(
    '--through <broker>',
    `run the engine through a broker's adapter and real client library, against a loopback fake of the broker backed by the simulated venue (${throughBrokers.join(', ')})`,
  )
  .action(async (file: string | undefined, opts: SimCliOptions) => {
    process.exitCode = await sim(file, opts);
  });

program
  .command('run')
  .description(
    "run a strategy from a config file: on the simulated venue, a full session (or --days N) with progress, ending with the daily log, report (report.json, report.html) and invariant check; a notify section sends alerts to webhooks; on a broker (venue.kind ibkr, alpaca or ccxt), the account's paper (or, with live: true, live) session until Ctrl-C or --stop-after, its journal continued and reconciled before any order",
  )
  .argument('<config>', 'run config (YAML or JSON), e.g. examples/iron-condor-0dte.yaml')
  .option('--out <dir>', "directory for the run's files (default out/<name>)")
  .option(
    '--days <n>',
    'consecutive trading sessions (weekends too on a 24/7 calendar), a daily-log-<date>.md each; budgets carry across them, weekly reset included',
  )
  .option('--seed <n>', "override the config's seed")
  .option(
    '--journal <file|url>',
    'continue this journal instead of a fresh one in the out directory: a SQLite file, or postgres://user@host:5432/db?journal=NAME (one per account; docs/journal.md)',
  )
  .option(
    '--lease-ttl <duration>',
    'on a PostgreSQL journal: how long the account lease lasts unrenewed; another engine takes over after it (default 15s)',
  )
  .option('--realtime', 'pace the simulated clock with the wall clock, to watch it live')
  .option('--speed <x>', 'with --realtime or --api: simulated seconds per wall-clock second', undefined)
  .option(
    '--api <port-or-url>',
    'serve the operator HTTP API and dashboard on this machine: a port (7070 = http://127.0.0.1:7070) or a URL (implies --realtime on the simulated venue); every request needs the token printed at start (docs/operator.md)',
  )
  .option(
    '--api-expose',
    'allow --api on an address beyond this machine (e.g. http://10.0.0.5:7070): the API can trade the account, so only on a network you trust; the token is still required',
  )
  .option('-q, --quiet', 'no progress output')
  .option('-v, --verbose', 'print the engine log')
  .option('--no-print', 'do not print the daily log at the end')
  .option(
    '--stop-after <duration>',
    'stop by itself after this wall-clock time (90s, 30m, 8h), as Ctrl-C would',
  )
  .option(
    '--venue <sim>',
    'run a broker config on the simulated venue instead (its market section), to try it first',
  )
  .action(async (file: string, opts: RunCommandOptions) => {
    process.exitCode = await runCommand(file, opts);
  });

program
  .command('report')
  .description(
    "report.html from a finished run: equity curve, drawdown, each strategy's trades, win rate, average PnL, max drawdown and commissions, every closed trade, incidents; one self-contained file that opens from disk",
  )
  .argument(
    '<run-dir-or-journal>',
    'a run directory (its report.json, else its journal.sqlite), a report.json, a journal file, or postgres://…?journal=NAME',
  )
  .option('--out <dir>', "write report.html here (default: the run directory, or the journal's folder)")
  .action(async (path: string, opts: { out?: string }) => {
    process.exitCode = await reportCommand(path, opts);
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
  .description(
    'owned positions by group, foreign positions, open orders, discrepancies and exposure budgets, from a journal or a running engine',
  )
  .option(
    '--journal <file|url>',
    'the engine journal: a SQLite file or a postgres:// URL (read-only, works while an engine runs; shows who holds the account lease)',
  )
  .option('--api <port-or-url>', 'a running engine: 7070 (= http://127.0.0.1:7070) or its URL')
  .option('--json', 'machine-readable output')
  .action(async (opts: { journal?: string; api?: string; json?: boolean }) => {
    if (opts.api !== undefined) process.exitCode = await statusViaApi(opts.api, opts.json === true);
    else if (opts.journal !== undefined)
      process.exitCode = isPostgresAddress(opts.journal)
        ? await statusOfPostgres(opts.journal, opts.json === true)
        : await statusCommand({ ...opts, journal: opts.journal });
    else process.exitCode = needTarget('status');
  });

program
  .command('reconcile')
  .description(
    'the venue-vs-keel table (positions, orders, executions, position history) and the discrepancies, as a start-up reconciliation finds them; read-only',
  )
  .requiredOption('--journal <file>', 'the engine journal (SQLite)')
  .option(
    '--scenario <file-or-dir>',
    'the simulated venue: a run directory (venue-log.jsonl) or a scenario to run',
  )
  .option('--json', 'machine-readable output')
  .option('--resolve <id>', 'resolve an open discrepancy as the operator (journaled; needs --reason)')
  .option('--reason <text>', 'with --resolve: what was checked')
  .action(async (opts: ReconcileCliOptions) => {
    process.exitCode = await reconcileCommand(opts);
  });

const apiOption = [
  '--api <port-or-url>',
  'a running engine: the port keel run --api serves (7070 = http://127.0.0.1:7070) or its URL',
] as const;

/** halt and resume: to a running engine (--api) or into a stopped engine's journal (--journal). */
function tradingStateCommand(
  verb: 'halt' | 'resume',
  state: 'HALTED' | 'ACTIVE',
  description: string,
  reasonHelp: string,
): void {
  program
    .command(verb)
    .description(description)
    .requiredOption('--reason <text>', reasonHelp)
    .option(...apiOption)
    .option('--journal <file>', `a stopped engine's journal: ${state} from its next start`)
    .action(async (opts: { reason: string } & Target) => {
      process.exitCode = opts.api
        ? await viaApi(opts.api, `/${verb}`, { reason: opts.reason }, verb)
        : opts.journal
          ? await tradingStateOffline(opts.journal, state, opts.reason, verb)
          : needTarget(verb);
    });
}

tradingStateCommand(
  'halt',
  'HALTED',
  "stop all trading now: keel's own working orders are cancelled (protective stops and targets stay), nothing new is sent",
  'why (journaled)',
);
tradingStateCommand(
  'resume',
  'ACTIVE',
  'resume trading after a halt; the reason is journaled',
  'why it is safe again (journaled)',
);

program
  .command('cancel')
  .description(
    "cancel keel's own working orders (never anyone else's: no global cancel); protective stops and targets stay",
  )
  .requiredOption('--mine', "only keel's own orders (required: keel never cancels other people's orders)")
  .requiredOption(...apiOption)
  .action(async (opts: { api: string }) => {
    process.exitCode = await viaApi(opts.api, '/cancel', {}, 'cancel');
  });

program
  .command('signals')
  .description(
    "give a running strategy signals (equity-bracket): each is checked like the config's, journaled, and kept across restarts",
  )
  .argument('<file>', 'CSV with the header date,symbol,score,entry,stop, or a JSON array')
  .requiredOption('--strategy <id>', 'the strategy that takes them')
  .requiredOption(...apiOption)
  .action(async (file: string, opts: { api: string; strategy: string }) => {
    const read = readSignalsFile(file, file);
    if (!read.ok) {
      process.stderr.write(`keel signals: ${read.errors.join('; ')}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await viaApi(
      opts.api,
      '/signals',
      { strategy: opts.strategy, signals: read.signals },
      'signals',
    );
  });

program
  .command('resolve')
  .description(
    'mark an open discrepancy resolved after checking it (journaled with the reason); trading state is unchanged',
  )
  .argument('<id>', 'discrepancy id, e.g. D3 (keel status lists the open ones)')
  .requiredOption('--reason <text>', 'what was checked')
  .requiredOption(...apiOption)
  .action(async (id: string, opts: { api: string; reason: string }) => {
    process.exitCode = await viaApi(opts.api, '/resolve', { id, reason: opts.reason }, 'resolve');
  });

program
  .command('flatten')
  .description('close a group or every group of a strategy: owned legs only, shorts bought back first')
  .option('--group <id>', 'one group')
  .option('--strategy <id>', 'every open group of a strategy')
  .requiredOption(...apiOption)
  .action(async (opts: { api: string; group?: string; strategy?: string }) => {
    if ((opts.group === undefined) === (opts.strategy === undefined)) {
      process.stderr.write('keel flatten: give exactly one of --group ID or --strategy ID\n');
      process.exitCode = 2;
      return;
    }
    const body = opts.group === undefined ? { strategy: opts.strategy } : { group: opts.group };
    process.exitCode = await viaApi(opts.api, '/flatten', body, 'flatten');
  });

program
  .command('order')
  .description(
    'an operator order through the same pre-trade gate as strategies: refused with the rule, or fitted with --fit',
  )
  .argument('<side>', 'buy or sell')
  .argument('<qty>', 'quantity')
  .argument('<symbol>', 'symbol, e.g. PLTR')
  .option('--limit <price>', 'limit price (without it: a market order)')
  .option('--stop <price>', 'protective stop: the risk cap sizes against it')
  .option('--fit', 'send the largest order the gate allows instead of refusing')
  .requiredOption(...apiOption)
  .action(
    async (
      side: string,
      qty: string,
      symbol: string,
      opts: { api: string; limit?: string; stop?: string; fit?: boolean },
    ) => {
      const s = side.toUpperCase();
      const q = Number(qty);
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      const stop = opts.stop === undefined ? undefined : Number(opts.stop);
      const bad =
        s !== 'BUY' && s !== 'SELL'
          ? `side must be buy or sell, got ${side}`
          : !(q > 0)
            ? `qty must be a positive number, got ${qty}`
            : limit !== undefined && !(limit > 0)
              ? `--limit must be a positive price, got ${opts.limit}`
              : stop !== undefined && !(stop > 0)
                ? `--stop must be a positive price, got ${opts.stop}`
                : null;
      if (bad !== null) {
        process.stderr.write(`keel order: ${bad}\n`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await viaApi(
        opts.api,
        '/order',
        {
          side: s,
          qty: q,
          symbol,
          type: limit === undefined ? 'MKT' : 'LMT',
          ...(limit === undefined ? {} : { limit }),
          ...(stop === undefined ? {} : { stop }),
          fit: opts.fit === true,
        },
        'order',
      );
    },
  );

program
  .command('size')
  .description(
    'dual-cap position size: shares by risk at the stop and by notional, the lesser wins, rounded down to the lot',
  )
  .option('--side <buy|sell>', 'buy (a long: stop below the entry) or sell (a short: stop above it)', 'buy')
  .requiredOption('--entry <price>', 'expected entry price')
  .requiredOption('--stop <price>', 'protective stop price')
  .requiredOption('--equity <amount>', 'account equity')
  .option('--risk-pct <fraction>', 'loss at the stop as a fraction of equity', '0.02')
  .option('--notional-pct <fraction>', 'position value as a fraction of equity', '0.10')
  .option('--multiplier <n>', 'contract multiplier (1 for shares)', '1')
  .option('--lot <n>', 'quantity step', '1')
  .option('--confidence <fraction>', "a strategy's risk multiplier in [0, 1]; only shrinks the size", '1')
  .option('--json', 'machine-readable output')
  .action((opts: SizeOptions) => {
    process.exitCode = sizeCommand(opts);
  });

/** The version in keel's own package.json: the nearest one above this file (src/app/ or dist/). */
function keelVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'keel') return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return 'unknown';
}

function needTarget(verb: string): number {
  process.stderr.write(`keel ${verb}: give --api URL (a running engine) or --journal FILE (a stopped one)\n`);
  return 2;
}

await program.parseAsync(process.argv);
