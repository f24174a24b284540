// `keel run` on an Interactive Brokers paper account, from the command line: the CLI in its own
// process, the ibkr adapter and @stoqey/ib talking to the fake TWS on 127.0.0.1 (a paper account
// on real time). An operator order fills through the wire; someone else's position is shown and
// never touched; Ctrl-C and --stop-after stop cleanly; the next start continues the journal,
// reconciles with the account before any order, and never reuses an IB order id.
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperTws, type PaperTws } from '../fakes/tws/paper-tws';
import {
  apiHeaders,
  apiPost,
  apiStatus,
  freePort,
  keel,
  paperIbkrConfig,
  until,
} from '../support/keel-process';

const dir = mkdtempSync(join(tmpdir(), 'keel-run-ibkr-'));
let tws: PaperTws;

beforeAll(async () => {
  tws = await paperTws([
    { symbol: 'PLTR', bid: 170.7, ask: 170.8 },
    { symbol: 'MSFT', bid: 477.1, ask: 477.3 },
  ]);
  tws.seedForeign('MSFT', 50, 470);
});
afterAll(async () => {
  await tws.stop();
  rmSync(dir, { recursive: true, force: true });
});

const config = (port: number, extra = '') => paperIbkrConfig(dir, port, 5, extra);
const keelRun = (...args: string[]) => keel('run', ...args);

describe('keel run on an IBKR paper account (fake TWS on loopback)', () => {
  const journal = join(dir, 'journal.sqlite');
  const out = join(dir, 'out');

  it('connects, trades an operator order through the wire, leaves the foreign position alone, stops on Ctrl-C', async () => {
    const api = await freePort();
    const run = keelRun(config(tws.port), '--out', out, '--journal', journal, '--api', String(api));
    await until('the engine to start', () => run.err().includes('engine started'));
    expect(run.err()).toMatch(/on Interactive Brokers at 127\.0\.0\.1:\d+ \(paper port\), client id 5/);
    expect(run.err()).toMatch(/reconciled, trading ACTIVE/);

    const order = await apiPost(api, '/order', { side: 'BUY', qty: 10, symbol: 'PLTR', limit: 170.8 });
    const answer = (await order.json()) as { ok: boolean; lines: string[] };
    expect(answer.ok, answer.lines.join('\n')).toBe(true);
    const status = () => apiStatus(api);
    await until('the fill through the wire', async () =>
      (await status()).groups.some((g) => g.legs.some((l) => l.instrument === 'PLTR' && l.owned === 10)),
    );
    // The dashboard and keel status show the broker link and whether quotes are delayed.
    expect((await status()).venue).toEqual({ kind: 'ibkr', connected: true, marketData: 'live' });
    expect((await status()).foreign).toEqual([{ instrument: 'MSFT', venueNet: 50, owned: 0, foreign: 50 }]);

    // The API wants its token and its own Host name; the keel CLI finds the token by itself.
    expect((await fetch(`http://127.0.0.1:${api}/status`)).status).toBe(401);
    // fetch() will not send another Host; a raw request does, as a rebinding page's would.
    const rebound = await new Promise<number>((resolve, reject) =>
      request(
        {
          host: '127.0.0.1',
          port: api,
          path: '/status',
          headers: { ...apiHeaders(api), host: `evil.example:${api}` },
        },
        (res) => resolve(res.statusCode ?? 0),
      )
        .on('error', reject)
        .end(),
    );
    expect(rebound).toBe(421);
    const cliStatus = keel('status', '--api', String(api));
    expect(await cliStatus.exit, cliStatus.err()).toBe(0);
    expect(cliStatus.out()).toMatch(/venue ibkr: connected, market data live/);

    run.kill('SIGINT');
    expect(await run.exit, run.err()).toBe(130);
    // The token: 0600 beside the journal, shown once (the dashboard URL), in no log, journal or report.
    const tokenFile = `${journal}.api-token`;
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(run.err().split(token).length - 1).toBe(1);
    expect(run.err()).toContain(`dashboard: http://127.0.0.1:${api}/?token=${token}`);
    for (const f of ['engine.log', 'report.json', 'daily-log.md'])
      expect(readFileSync(join(out, f), 'utf8'), f).not.toContain(token);
    expect(readFileSync(journal).includes(token)).toBe(false);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      scenario: string;
      summary: { executions: number };
      discrepancies: { kind: string }[];
    };
    expect(report.scenario).toBe('paper-ibkr');
    expect(report.summary.executions).toBe(1);
    // Someone else's MSFT is shown as such; nothing else is out of place.
    expect(report.discrepancies.map((d) => d.kind)).toEqual(['foreign-position']);
    // The order went out with keel's id as orderRef, from the configured client id.
    const placed = tws.fake.ordersPlaced();
    expect(placed).toHaveLength(1);
    expect(placed[0]?.clientId).toBe(5);
    // The foreign lot is untouched at the venue.
    const snap = await tws.sim.snapshot();
    expect(snap.positions.map((p) => p.qty).sort((a, b) => a - b)).toEqual([10, 50]);
  }, 60_000);

  it('the next start continues the journal: reconciled holdings, order ids above the last, --stop-after', async () => {
    const api = await freePort();
    const first = tws.fake.ordersPlaced()[0]?.ibOrderId ?? 0;
    const run = keelRun(
      config(tws.port),
      '--out',
      out,
      '--journal',
      journal,
      '--api',
      String(api),
      '--stop-after',
      '12s',
    );
    await until('the engine to start', () => run.err().includes('engine started'));
    expect(run.err()).toMatch(/2 start\(s\) in this journal/);
    const status = await apiStatus(api);
    expect(status.discrepancies).toEqual([expect.objectContaining({ kind: 'foreign-position' })]);
    expect(status.groups.flatMap((g) => g.legs.map((l) => [l.instrument, l.owned]))).toEqual([['PLTR', 10]]);
    const sell = await apiPost(api, '/order', { side: 'SELL', qty: 1, symbol: 'PLTR', limit: 170.7 });
    expect(((await sell.json()) as { ok: boolean }).ok).toBe(true);
    await until('the second order at TWS', () => tws.fake.ordersPlaced().length === 2);
    const second = tws.fake.ordersPlaced()[1]?.ibOrderId ?? 0;
    expect(second).toBeGreaterThan(first);
    expect(await run.exit, run.err()).toBe(0);
    expect(run.out()).toMatch(/paper-ibkr: stopped; groups \d+ \| executions 2/);
  }, 60_000);

  it('refuses a live port without live: true, and says so when TWS is not there', async () => {
    const live = keelRun(config(7496));
    expect(await live.exit).toBe(2);
    expect(live.err()).toMatch(
      /venue: port 7496 is a live-trading port \(TWS 7496, Gateway 4001\): set live: true/,
    );
    const nobody = keelRun(config(await freePort()), '--out', join(dir, 'nobody'));
    expect(await nobody.exit).toBe(2);
    expect(nobody.err()).toMatch(
      /could not connect to TWS \/ Gateway \(is the API socket enabled, the port right\?\)/,
    );
  }, 60_000);
});
