// keel run CONFIG on a broker account: the engine host on the wall clock (live-driver.ts) trading
// through the broker's adapter. The journal is the account's memory and is always continued (a
// restart replays it, then reconciles with the broker before any order). The run lasts until
// Ctrl-C / SIGTERM or --stop-after; then the report and daily log are written from the journal.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AccountId, formatIso } from '../../domain';
import type { EngineHost } from '../../engine/host';
import type { EngineSettings } from '../../engine/settings';
import { buildDailyLog, buildReport } from '../../engine/report';
import { writeRunReportHtml } from '../report-html';
import { notifySummary, runNotifier, tapAppends } from '../notify';
import { eventVersions } from '../../ledger/events';
import { openJournalAt, type JournalStore } from '../../ledger/journal';
import type { Projection } from '../../ledger/projection';
import { settingsForScenario } from '../../sim/run/settings-for-scenario';
import { strategiesForScenario } from '../../sim/run/strategies-for-scenario';
import type { OperatorTarget } from '../api/operator-api';
import type { ServedApi } from '../api/serve';
import type { ApiAddress } from '../api-address';
import { holdAccountLease } from '../account-lease';
import { brokerVenue, type BrokerVenue } from '../broker-venue';
import { driveLive, wallClock } from '../live-driver';
import type { RunConfig } from '../run-config';

export type LiveRunOptions = {
  readonly out: string;
  readonly journal: string | null;
  readonly api: ApiAddress | null;
  /** Milliseconds until the run stops by itself (null: until Ctrl-C / SIGTERM). */
  readonly stopAfterMs: number | null;
  readonly quiet: boolean;
  /** How long the account lease lasts unrenewed (a journal with leases: PostgreSQL). */
  readonly leaseTtlMs: number;
};

/** Exits and chases get a turn at least this often when the broker is quiet. */
const tickMs = 250;

export async function runLive(config: RunConfig, opts: LiveRunOptions): Promise<number> {
  const scenario = config.scenario;
  const clock = wallClock(scenario.timeZone);
  mkdirSync(opts.out, { recursive: true });
  const logFile = join(opts.out, 'engine.log');
  const say = (line: string) => {
    const stamped = `${formatIso(clock.now(), scenario.timeZone).slice(0, 19)} ${line}`;
    appendFileSync(logFile, `${stamped}\n`);
    if (!opts.quiet) process.stderr.write(`${stamped}\n`);
  };
  const built = await brokerVenue(config, clock, (line) => say(`${config.venueKind}: ${line}`));
  if (!built.ok) {
    process.stderr.write(
      `keel run: ${config.file} is not a valid config:\n${built.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    return 2;
  }
  const broker = built.broker;
  const journalPath = opts.journal ?? config.journal ?? join(opts.out, 'journal.sqlite');
  let journal: JournalStore;
  try {
    journal = await openJournalAt(journalPath, {
      knownVersions: eventVersions,
      owner: `keel run ${config.name}`,
      nowMs: clock.now(),
    });
  } catch (e) {
    process.stderr.write(`keel run: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const strategies = scenario.strategies.map((s) => `${s.id} (${s.kind})`).join(', ');
  process.stderr.write(
    `keel run ${config.name}: ${strategies} on ${broker.describe}${broker.live ? ' — LIVE MONEY' : ''}; journal ${journal.location}\n`,
  );
  // A broker account's alerts go out: every webhook's variable must be set.
  const notify = runNotifier(config.notify, {
    run: config.name,
    zone: scenario.timeZone,
    out: opts.out,
    simulated: false,
    env: process.env,
    say,
  });
  if (!notify.ok) {
    await journal.close();
    process.stderr.write(`keel run: ${config.file}: ${notify.errors.join('; ')}\n`);
    return 2;
  }
  const notifier = notify.notifier;
  if (notifier !== null) tapAppends(journal, (event) => notifier.onAppend(event));
  let alerts: string | null = null;
  let host: EngineHost | null = null;
  const target: OperatorTarget = {
    operator: (cmd) =>
      host === null
        ? Promise.resolve({ ok: false, lines: ['the engine is not started yet'] })
        : host.operator(cmd),
    projection: () => host?.current?.projection ?? null,
    readout: () => host?.current?.readout() ?? null,
    underlyings: scenario.market.map((m) => m.symbol),
    venue: () => ({
      kind: config.venueKind,
      connected: broker.venue.isConnected(),
      marketData: broker.marketData(),
    }),
  };
  let api: ServedApi | null = null;
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    if (stop.signal.aborted) process.exit(130);
    say('stopping: the turn in progress finishes, then the session closes (Ctrl-C again to exit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = opts.stopAfterMs === null ? null : setTimeout(() => stop.abort(), opts.stopAfterMs);
  let leaseLost: string | null = null;
  const loseLease = (why: string) => {
    if (leaseLost !== null) return;
    leaseLost = why;
    say(`STOPPING: ${why}; this engine sends nothing more`);
    stop.abort();
  };
  const lease =
    journal.lease === null
      ? null
      : await holdAccountLease(journal.lease, {
          holder: `keel run ${config.name} (pid ${process.pid} on ${hostname()})`,
          ttlMs: opts.leaseTtlMs,
          zone: scenario.timeZone,
          say,
          stop: stop.signal,
          onLost: loseLease,
        });
  if (journal.lease !== null && lease === null) {
    if (timer !== null) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await journal.close();
    process.stderr.write('keel run: stopped while waiting for the account lease; nothing was traded\n');
    return interrupted ? 130 : 0;
  }
  let last: Projection | null;
  try {
    if (opts.api !== null)
      api = await (await import('../api/serve')).serveOperatorApi(target, opts.api, journalPath, opts.out);
    const ran = await driveLive({
      venue: broker.venue,
      store: journal,
      clock,
      strategies: () => strategiesForScenario(scenario),
      settings: withBrokerEquity(settingsForScenario(scenario), broker),
      account: () => AccountId.of(broker.account()),
      log: say,
      tickMs,
      stop: stop.signal,
      onJournalRefused: (e) =>
        loseLease(`the journal refused this engine's writes (${e instanceof Error ? e.message : String(e)})`),
      onStarted: (h) => {
        host = h;
        const p = h.current?.projection;
        say(
          `engine started (${p?.starts ?? 0} start(s) in this journal): reconciled, trading ${String(p?.tradingState ?? 'unknown')}; Ctrl-C stops`,
        );
      },
    });
    last = ran.current?.projection ?? null;
  } catch (e) {
    process.stderr.write(`keel run: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await api?.close();
    lease?.stop();
    if (notifier !== null) alerts = notifySummary(notifier.count, await notifier.close(), notify.recordPath);
    await journal.close();
  }
  if (leaseLost !== null) {
    // The account's journal is another engine's now: this one's view may hold refused events.
    process.stderr.write(
      `keel run: stopped: ${leaseLost as string}; no report is written (the engine holding the account has the journal)\n`,
    );
    return 3;
  }
  if (last === null) {
    process.stderr.write('keel run: the engine did not start; nothing was traded\n');
    return 2;
  }
  const report = buildReport(last, config.name, scenario.seed, {
    venue: config.venueKind,
    startEquity: scenario.account.equity,
    duplicateFillsIgnored: last.duplicateFillsIgnored,
  });
  writeFileSync(join(opts.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const dailyLog = buildDailyLog(last, report, `${config.name} on ${config.venueKind}`);
  writeFileSync(join(opts.out, 'daily-log.md'), `${dailyLog}\n`);
  const html = writeRunReportHtml(opts.out, {
    report,
    startEquity: scenario.account.equity,
    seed: null,
    source: join(opts.out, 'report.json'),
  });
  const s = report.summary;
  process.stdout.write(
    [
      dailyLog,
      `${config.name}: stopped; groups ${report.groups.length} | executions ${s.executions} | commissions $${s.commissions.toFixed(2)} | realized PnL $${s.realizedPnl.toFixed(2)} | trading ${String(s.finalTradingState)}`,
      `refusals ${report.refusals.length} | discrepancies ${report.discrepancies.length}`,
      `wrote ${opts.out}/daily-log.md, report.json, engine.log; journal ${journalPath} (the next run continues it)`,
      `report: ${html}`,
      ...(alerts === null ? [] : [alerts]),
      '',
    ].join('\n'),
  );
  return interrupted ? 130 : 0;
}

/** A broker that reports the account's equity (Alpaca) sizes and budgets from it, not from the config's figure. */
function withBrokerEquity(settings: EngineSettings, broker: BrokerVenue): EngineSettings {
  const equity = broker.equity;
  if (settings.risk === null || equity === undefined) return settings;
  return { ...settings, risk: { ...settings.risk, venueEquity: () => equity() } };
}
