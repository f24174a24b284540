// keel run CONFIG: a strategy trading on a venue. On the simulated venue the session runs as fast
// as the machine allows (or paced by the wall clock with --realtime), shows progress, and ends
// with the day's daily log, report and the outside checker's verdict.
import { dailyLogFiles } from '../daily-log-files';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatIso } from '../../domain';
import { check, formatVerdict } from '../../sim/check';
import { runScenario, writeRun, type SimControl } from '../../sim/run';
import type { OperatorTarget } from '../api/operator-api';
import type { ServedApi } from '../api/serve';
import { isLoopback, parseApiAddress, type ApiAddress } from '../api-address';
import { strategiesForScenario } from '../../sim/run/strategies-for-scenario';
import { Progress } from '../progress';
import { loadRunConfig } from '../run-config';
import { writeRunReportHtml } from '../report-html';
import { notifySummary, runNotifier } from '../notify';
import { runLive } from './run-live';
import { isPostgresAddress } from '../../ledger/journal';

export type RunCommandOptions = {
  out?: string;
  days?: string;
  seed?: string;
  journal?: string;
  realtime?: boolean;
  api?: string;
  apiExpose?: boolean;
  speed?: string;
  quiet?: boolean;
  verbose?: boolean;
  print?: boolean;
  stopAfter?: string;
  leaseTtl?: string;
  venue?: string;
};

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  const days = opts.days === undefined ? undefined : Number(opts.days);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 260)) {
    process.stderr.write(`keel run: --days must be a whole number from 1 to 260, got ${opts.days}\n`);
    return 2;
  }
  const seed = opts.seed === undefined ? undefined : Number(opts.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) {
    process.stderr.write(`keel run: --seed must be a whole number >= 0, got ${opts.seed}\n`);
    return 2;
  }
  // Checked before anything is written (a start refused later has already set the last journal aside).
  const speed = opts.speed === undefined ? 1 : Number(opts.speed);
  if (!(speed > 0 && speed <= 100_000)) {
    process.stderr.write(`keel run: --speed must be a number in (0, 100000], got ${opts.speed}\n`);
    return 2;
  }
  if (opts.speed !== undefined && opts.realtime !== true && opts.api === undefined) {
    process.stderr.write(
      `keel run: --speed paces a run on the wall clock: add --realtime (or --api PORT), or leave --speed out to run as fast as the machine allows\n`,
    );
    return 2;
  }
  const loaded = loadRunConfig(file, {
    ...(days === undefined ? {} : { days }),
    ...(seed === undefined ? {} : { seed }),
  });
  if (!loaded.ok) {
    process.stderr.write(
      `keel run: ${file} is not a valid config:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    return 2;
  }
  const config = loaded.config;
  for (const w of config.warnings) process.stderr.write(`warning: ${w}\n`);
  if (opts.venue !== undefined && opts.venue !== 'sim') {
    process.stderr.write(
      `keel run: --venue takes only sim (the config's venue.kind names the broker), got ${opts.venue}\n`,
    );
    return 2;
  }
  const stopAfterMs = opts.stopAfter === undefined ? null : parseDuration(opts.stopAfter);
  if (Number.isNaN(stopAfterMs)) {
    process.stderr.write(
      `keel run: --stop-after takes a duration such as 90s, 30m or 8h, got ${opts.stopAfter}\n`,
    );
    return 2;
  }
  const leaseTtlMs = parseDuration(opts.leaseTtl ?? '15s');
  if (!(leaseTtlMs >= 3000 && leaseTtlMs <= 600_000)) {
    process.stderr.write(`keel run: --lease-ttl takes a duration from 3s to 10m, got ${opts.leaseTtl}\n`);
    return 2;
  }
  const served = opts.api === undefined ? null : servedApi(opts.api, opts.apiExpose === true);
  if (served === undefined) return 2;
  if (config.venueKind !== 'sim' && opts.venue !== 'sim') {
    return runLive(config, {
      out: opts.out ?? join('out', config.name),
      journal: opts.journal ?? null,
      api: served ?? null,
      stopAfterMs,
      quiet: opts.quiet === true,
      leaseTtlMs,
    });
  }
  const scenario = config.scenario;
  const out = opts.out ?? join('out', config.name);
  mkdirSync(out, { recursive: true });
  const given = opts.journal ?? config.journal;
  if (given !== undefined && given !== null && isPostgresAddress(given)) {
    process.stderr.write(
      'keel run: a PostgreSQL journal is for a broker account traded from many hosts; the simulated venue keeps its journal in a SQLite file (give a path, or leave --journal out)\n',
    );
    return 2;
  }
  const journal = given ?? freshSimJournal(out);
  const strategies = scenario.strategies.map((s) => `${s.id} (${s.kind})`).join(', ');
  process.stderr.write(
    `keel run ${config.name}: ${strategies} on the simulated venue, ${config.days} session(s) from ${scenario.clock.start.text}, seed ${scenario.seed}\n`,
  );
  const notify = runNotifier(config.notify, {
    run: config.name,
    zone: scenario.timeZone,
    out,
    simulated: true,
    env: process.env,
    say: (line) => process.stderr.write(`${line}\n`),
  });
  if (!notify.ok) {
    process.stderr.write(`keel run: ${file}: ${notify.errors.join('; ')}\n`);
    return 2;
  }
  const notifier = notify.notifier;
  let control: SimControl | null = null;
  const target: OperatorTarget = {
    operator: (cmd) =>
      control === null
        ? Promise.resolve({ ok: false, lines: ['the engine is not started yet'] })
        : control.operator(cmd),
    projection: () => control?.projection() ?? null,
    readout: () => control?.readout?.() ?? null,
    underlyings: scenario.market.map((m) => m.symbol),
  };
  let api: ServedApi | null = null;
  if (served !== null) {
    try {
      api = await (await import('../api/serve')).serveOperatorApi(target, served, journal, out);
    } catch (e) {
      process.stderr.write(`keel run: ${e instanceof Error ? e.message : String(e)}\n`);
      await notifier?.close();
      return 2;
    }
  }
  const progress = opts.quiet ? null : new Progress(`run ${config.name}`);
  const wallStart = Date.now();
  // Ctrl-C ends the run after the event in progress: outputs written, journal consistent, lock
  // released; the same --journal continues from it (replay, then reconciliation). A second one
  // exits at once.
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    progress?.line('stopping after the event in progress (Ctrl-C again to exit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const stopTimer = stopAfterMs === null ? null : setTimeout(() => stop.abort(), stopAfterMs);
  // The API needs time to pass: commands arrive while the session runs at the wall clock's pace.
  const pace =
    opts.realtime || api !== null
      ? async (t: number) => {
          const wait = (t - scenario.clock.start.t) / speed - (Date.now() - wallStart);
          if (wait > 0) await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      : undefined;
  let result;
  try {
    result = await runScenario(scenario, {
      strategies: strategiesForScenario,
      journalPath: journal,
      log: (line) => {
        if (opts.verbose) progress?.line(line);
      },
      progress: (fraction, t) => progress?.update(fraction, t, scenario.timeZone),
      ...(pace === undefined ? {} : { pace }),
      control: (c) => {
        control = c;
      },
      stop: stop.signal,
      ...(notifier === null ? {} : { onAppend: (event) => notifier.onAppend(event) }),
    });
  } catch (e) {
    if (stopTimer !== null) clearTimeout(stopTimer);
    process.off('SIGINT', onSigint);
    progress?.done();
    await api?.close();
    await notifier?.close();
    process.stderr.write(`keel run: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (stopTimer !== null) clearTimeout(stopTimer);
  process.off('SIGINT', onSigint);
  progress?.done();
  await api?.close();
  // Alerts still queued get notify.flushMs to go out; a dead endpoint costs no more than that.
  const alerts =
    notifier === null ? null : notifySummary(notifier.count, await notifier.close(), notify.recordPath);
  writeRun(out, result);
  const html = writeRunReportHtml(out, {
    report: result.report,
    startEquity: scenario.account.equity,
    seed: scenario.seed,
    source: join(out, 'report.json'),
  });
  if (opts.print !== false) {
    const logs = result.dailyLogs.length > 0 ? result.dailyLogs.map((d) => d.text) : [result.dailyLog];
    process.stdout.write(`${logs.join('\n')}\n`);
  }
  const verdict = check(
    { lines: result.venueLog, report: result.report, scenario: { name: scenario.name, seed: scenario.seed } },
    // A run stopped early may leave orders working: only a finished session must have converged.
    { converged: result.stoppedAt === null },
  );
  const s = result.report.summary;
  process.stdout.write(
    [
      `${config.name}: ${result.stats.events} simulated events in ${((Date.now() - wallStart) / 1000).toFixed(1)} s`,
      `groups ${result.report.groups.length} | executions ${s.executions} | commissions $${s.commissions.toFixed(2)} | realized PnL $${s.realizedPnl.toFixed(2)} | trading ${String(s.finalTradingState)}`,
      `refusals ${result.report.refusals.length} | discrepancies ${result.report.discrepancies.length}`,
      openAtEndLine(s),
      formatVerdict(verdict),
      `wrote ${out}/daily-log.md, report.json, venue-log.jsonl${dailyLogFiles(result.dailyLogs)}; journal ${journal}`,
      `report: ${html}`,
      ...(alerts === null ? [] : [alerts]),
      ...(result.stoppedAt === null
        ? []
        : [
            `stopped by Ctrl-C at ${formatIso(result.stoppedAt, scenario.timeZone)}: the journal is consistent and unlocked (\`keel status --journal ${journal}\` shows it)`,
          ]),
      '',
    ].join('\n'),
  );
  return result.stoppedAt === null ? 0 : 130;
}

/**
 * Where `--api` serves: a port or a loopback URL; another address only with --api-expose, said
 * loudly (the API can trade the account; its token is still needed). Undefined (said why) else.
 */
function servedApi(text: string, expose: boolean): ApiAddress | undefined {
  const parsed = parseApiAddress(text);
  if (!parsed.ok) {
    process.stderr.write(`keel run: ${parsed.error}\n`);
    return undefined;
  }
  const host = parsed.address.host;
  if (isLoopback(host)) return parsed.address;
  if (!expose) {
    process.stderr.write(
      `keel run: --api ${text}: the operator API can trade the account, so keel serves it on this machine only (127.0.0.1, localhost or ::1); add --api-expose to serve it on ${host}, only on a network you trust\n`,
    );
    return undefined;
  }
  process.stderr.write(
    `keel run: WARNING: the operator API is served on ${host}, beyond this machine: anyone who reaches it with the token can trade the account\n`,
  );
  return parsed.address;
}

/** What is still held when the run ends, at the last marks: nothing open is never left unsaid. */
function openAtEndLine(summary: Record<string, unknown>): string {
  const open = typeof summary['openGroups'] === 'number' ? summary['openGroups'] : 0;
  if (open === 0) return 'open at the end: none (everything keel opened is flat)';
  const u = summary['unrealizedPnl'];
  const unrealized = typeof u === 'number' ? `$${u.toFixed(2)} at the last marks` : 'n/a (no mark)';
  return `open at the end: ${open} group(s) | unrealized PnL ${unrealized} (the daily log lists them)`;
}

/** "90s", "30m", "8h" or plain seconds, in milliseconds; NaN when it is none of these. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (m === null) return NaN;
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000;
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : NaN;
}

/**
 * A simulated session starts from an empty account: the previous run's journal in this directory
 * is kept as journal-previous.sqlite, never deleted. A journal given with --journal is continued.
 */
function freshSimJournal(out: string): string {
  const path = join(out, 'journal.sqlite');
  if (existsSync(path)) {
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, join(out, `journal-previous.sqlite${suffix}`));
    }
  }
  return path;
}
