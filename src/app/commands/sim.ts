// keel sim SCENARIO --out DIR: one deterministic run, its three files, and the checker's verdict.
import { dailyLogFiles } from '../daily-log-files';
import { check, formatVerdict } from '../../sim/check';
import { runScenario, writeRun } from '../../sim/run';
import { loadScenario } from '../../sim/scenario';
import { strategiesForScenario } from '../../sim/run/strategies-for-scenario';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Notifier, notificationsFile, notifySchema } from '../notify';
import { Progress } from '../progress';
import { writeRunReportHtml } from '../report-html';
import { throughDescription, throughLinkFor, type ThroughBroker } from '../through';

export type SimCommandOptions = {
  out: string;
  quiet?: boolean;
  verbose?: boolean;
  journal?: string;
  print?: boolean;
  /** Run the engine through this broker's adapter and a loopback fake of the broker. */
  through?: ThroughBroker;
};

export async function simCommand(file: string, opts: SimCommandOptions): Promise<number> {
  const loaded = loadScenario(file);
  if (!loaded.ok) {
    process.stderr.write(
      `keel sim: ${file} is not a valid scenario:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    return 2;
  }
  const scenario = loaded.scenario;
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  // What a run config's notify section would send, recorded: the same scenario, the same alerts.
  mkdirSync(opts.out, { recursive: true });
  const alerts = new Notifier({
    config: notifySchema.parse({}),
    webhooks: [],
    run: scenario.name,
    zone: scenario.timeZone,
    recordPath: join(opts.out, notificationsFile),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const progress = opts.quiet ? null : new Progress(`sim ${scenario.name} seed ${scenario.seed}`);
  let result;
  const startedMs = Date.now();
  try {
    result = await runScenario(scenario, {
      strategies: strategiesForScenario,
      ...(opts.journal === undefined ? {} : { journalPath: opts.journal }),
      log: (line) => {
        if (opts.verbose) progress?.line(line);
      },
      progress: (fraction, t) => progress?.update(fraction, t, scenario.timeZone),
      onAppend: (event) => alerts.onAppend(event),
      ...(opts.through === undefined
        ? {}
        : {
            through: throughLinkFor(opts.through, (line) => {
              if (opts.verbose) progress?.line(line);
            }),
          }),
    });
  } catch (e) {
    progress?.done();
    process.stderr.write(`keel sim: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  progress?.done();
  const wallSec = Math.max(0.001, (Date.now() - startedMs) / 1000);
  writeRun(opts.out, result);
  const html = writeRunReportHtml(opts.out, {
    report: result.report,
    startEquity: scenario.account.equity,
    seed: scenario.seed,
    source: join(opts.out, 'report.json'),
  });
  if (opts.print) process.stdout.write(`${result.dailyLog}\n`);
  const verdict = check(
    { lines: result.venueLog, report: result.report, scenario: { name: scenario.name, seed: scenario.seed } },
    { converged: true },
  );
  const s = result.report.summary;
  process.stdout.write(
    [
      `scenario ${scenario.name} seed ${scenario.seed}: ${result.stats.events} simulated events, ${result.stats.crashes} engine crash(es)`,
      `groups ${result.report.groups.length} | executions ${s.executions} | commissions $${s.commissions.toFixed(2)} | realized PnL $${s.realizedPnl.toFixed(2)} | trading ${String(s.finalTradingState)}`,
      `refusals ${result.report.refusals.length} | discrepancies ${result.report.discrepancies.length}`,
      ...(opts.through === undefined
        ? []
        : [
            `${throughDescription(opts.through)}: ${Math.round(result.stats.events / wallSec)} simulated events/s (${wallSec.toFixed(1)} s)`,
          ]),
      formatVerdict(verdict),
      `wrote ${opts.out}/venue-log.jsonl, report.json, daily-log.md${dailyLogFiles(result.dailyLogs)}, ${notificationsFile} (${alerts.count} alert(s))`,
      `report: ${html}`,
      '',
    ].join('\n'),
  );
  return 0;
}
