// `keel run` on a BingX perpetual-futures account, from the command line: the CLI in its own
// process, the ccxt adapter and ccxt's bingx class talking to the fake BingX on 127.0.0.1 (an
// account on real time; the config's apiBaseUrl points there, as only a test does). An operator
// order fills through the wire; someone else's position is shown and never touched; Ctrl-C stops
// cleanly; the next start continues the journal and reconciles before any order. Keys come only
// from the environment and are never printed; a live account is refused without live: true; keys
// of another account are refused on this account's journal.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperBingx, type PaperBingx } from '../fakes/exchange/paper-bingx';
import { apiOrder, apiStatus, freePort, keel, until, type KeelProcess } from '../support/keel-process';

const dir = mkdtempSync(join(tmpdir(), 'keel-run-ccxt-'));
const btc = { symbol: 'BTC-USDT', bid: 109206.7, ask: 109206.9 };
let bingx: PaperBingx;

beforeAll(async () => {
  bingx = await paperBingx([btc, { symbol: 'ETH-USDT', bid: 3890.1, ask: 3890.3 }]);
  bingx.seedForeign('ETH-USDT', 2, 3850);
});
afterAll(async () => {
  await bingx.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A run config for the BingX account behind `baseUrl` (or, without one, BingX itself): operator orders only. */
function bingxConfig(name: string, venue: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'name: paper-bingx',
      'session: { timeZone: UTC }',
      `venue: { kind: ccxt, exchange: bingx${venue} }`,
      'account: { equity: 100000 }',
      'market:',
      '  - { symbol: BTC-USDT, kind: crypto, spot: 109206.8, vol: 0.45 }',
      'strategies: [] # operator orders only',
      '',
    ].join('\n'),
  );
  return file;
}

/** `keel run` with these keys in its environment (none: the variables unset). */
function keelRun(keys: { key: string; secret: string } | null, ...args: string[]): KeelProcess {
  const saved = { key: process.env['BINGX_API_KEY'], secret: process.env['BINGX_API_SECRET'] };
  delete process.env['BINGX_API_KEY'];
  delete process.env['BINGX_API_SECRET'];
  if (keys !== null) {
    process.env['BINGX_API_KEY'] = keys.key;
    process.env['BINGX_API_SECRET'] = keys.secret;
  }
  try {
    return keel('run', ...args); // the child takes this process's environment as it is now
  } finally {
    if (saved.key === undefined) delete process.env['BINGX_API_KEY'];
    else process.env['BINGX_API_KEY'] = saved.key;
    if (saved.secret === undefined) delete process.env['BINGX_API_SECRET'];
    else process.env['BINGX_API_SECRET'] = saved.secret;
  }
}

describe('keel run on a BingX account through ccxt (fake BingX on loopback)', () => {
  const journal = join(dir, 'journal.sqlite');
  const out = join(dir, 'out');
  const keys = () => ({ key: bingx.apiKey, secret: bingx.secret });
  const config = () => bingxConfig('paper', `, apiBaseUrl: '${bingx.baseUrl}'`);

  it('connects, trades an operator order through the wire, leaves the foreign position alone, stops on Ctrl-C', async () => {
    const api = await freePort();
    const run = keelRun(keys(), config(), '--out', out, '--journal', journal, '--api', String(api));
    await until('the engine to start', () => run.err().includes('engine started'));
    expect(run.err()).toMatch(
      /on bingx swap \(cross margin, one-way mode\) at http:\/\/127\.0\.0\.1:\d+\/openApi \(a test exchange on this machine\)/,
    );
    expect(run.err()).not.toMatch(/LIVE MONEY/);
    expect(run.err()).toMatch(/reconciled, trading ACTIVE/);

    const answer = await apiOrder(api, { side: 'BUY', qty: 0.01, symbol: 'BTC-USDT', limit: btc.ask });
    expect(answer.ok, answer.lines.join('\n')).toBe(true);
    await until('the fill through the wire', async () =>
      (await apiStatus(api)).groups.some((g) =>
        g.legs.some((l) => l.instrument === 'BTC-USDT PERP' && l.owned === 0.01),
      ),
    );
    // The account is watched through the private websocket (ccxt.pro): the fill was pushed to it.
    expect(bingx.fake.streamConnections).toBeGreaterThan(0);
    expect(bingx.fake.streamFrames).toContain('ORDER_TRADE_UPDATE');
    const status = await apiStatus(api);
    expect(status.venue).toEqual({ kind: 'ccxt', connected: true, marketData: 'live' });
    expect(status.foreign).toEqual([{ instrument: 'ETH-USDT PERP', venueNet: 2, owned: 0, foreign: 2 }]);

    run.kill('SIGINT');
    expect(await run.exit, run.err()).toBe(130);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      scenario: string;
      summary: { executions: number };
      discrepancies: { kind: string }[];
    };
    expect(report.scenario).toBe('paper-bingx');
    expect(report.summary.executions).toBe(1);
    expect(report.discrepancies.map((d) => d.kind)).toEqual(['foreign-position']);
    // One order on the wire, under keel's id; the foreign ETH untouched at the venue.
    expect(bingx.fake.orderPosts).toHaveLength(1);
    expect(bingx.fake.orderPosts[0]).toMatchObject({ symbol: 'BTC-USDT', side: 'BUY', type: 'LIMIT' });
    expect(bingx.fake.orderPosts[0]?.['clientOrderID']).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    const snap = await bingx.sim.snapshot();
    expect(snap.positions.map((p) => p.qty).sort((a, b) => a - b)).toEqual([0.01, 2]);
    // The keys never reach the screen, the engine log, the report, the daily log or the journal.
    for (const key of [bingx.apiKey, bingx.secret]) {
      expect(run.err() + run.out()).not.toContain(key);
      for (const f of readdirSync(out)) expect(readFileSync(join(out, f)).includes(key), f).toBe(false);
    }
  }, 90_000);

  it('the next start continues the journal: reconciled holdings, then a flatten closes it reduce-only through the wire, --stop-after', async () => {
    const api = await freePort();
    const run = keelRun(
      keys(),
      config(),
      '--out',
      out,
      '--journal',
      journal,
      '--api',
      String(api),
      '--stop-after',
      '25s',
    );
    await until('the engine to start', () => run.err().includes('engine started'));
    expect(run.err()).toMatch(/2 start\(s\) in this journal/);
    const status = await apiStatus(api);
    expect(status.discrepancies).toEqual([expect.objectContaining({ kind: 'foreign-position' })]);
    expect(status.groups.flatMap((g) => g.legs.map((l) => [l.instrument, l.owned]))).toEqual([
      ['BTC-USDT PERP', 0.01],
    ]);
    // The operator flattens the group: a reduce-only close through the wire, the foreign ETH untouched.
    const group = (await apiStatus(api)).groups[0] as unknown as { group: string };
    const flatten = keel('flatten', '--group', group.group, '--api', String(api));
    expect(await flatten.exit, flatten.err()).toBe(0);
    await until('the close at BingX', () => bingx.fake.orderPosts.length === 2);
    expect(bingx.fake.orderPosts[1]).toMatchObject({ symbol: 'BTC-USDT', side: 'SELL', reduceOnly: 'true' });
    await until('the group flat', async () =>
      (await apiStatus(api)).groups.every((g) => g.legs.every((l) => l.owned === 0)),
    );
    expect(await run.exit, run.err()).toBe(0);
    expect(run.out()).toMatch(/paper-bingx: stopped; groups \d+ \| executions 2/);
    const snap = await bingx.sim.snapshot();
    expect(snap.positions.filter((p) => p.qty !== 0).map((p) => p.qty)).toEqual([2]);
  }, 90_000);

  it('another account’s keys are refused on this account’s journal, and nothing is sent', async () => {
    const other = await paperBingx([btc], { uid: '2000002' });
    try {
      const run = keelRun(
        { key: other.apiKey, secret: other.secret },
        bingxConfig('other', `, apiBaseUrl: '${other.baseUrl}'`),
        '--out',
        join(dir, 'other'),
        '--journal',
        journal,
      );
      expect(await run.exit).toBe(2);
      expect(run.err()).toMatch(/this journal belongs to account bingx-1000001, not bingx-2000002/);
      expect(other.fake.orderPosts).toEqual([]);
    } finally {
      await other.stop();
    }
  }, 90_000);

  it('refuses missing keys naming the variables, and a live account without live: true', async () => {
    const noKeys = keelRun(null, config(), '--out', join(dir, 'no-keys'));
    expect(await noKeys.exit).toBe(2);
    expect(noKeys.err()).toMatch(
      /venue: set BINGX_API_KEY and BINGX_API_SECRET in the environment \(keys are never read from a config file\)/,
    );
    // No sandbox, no test url: BingX's live account. Refused before any connection is tried.
    const live = keelRun(keys(), bingxConfig('live', ''), '--out', join(dir, 'live'));
    expect(await live.exit).toBe(2);
    expect(live.err()).toMatch(
      /venue: this is a live bingx account \(real money\): set sandbox: true for demo trading, or live: true to trade it/,
    );
    expect(live.err()).not.toContain(bingx.secret);
    // apiBaseUrl is for a fake on this machine only.
    const away = keelRun(keys(), bingxConfig('away', ", apiBaseUrl: 'https://127.0.0.3/openApi'"));
    expect(await away.exit).toBe(2);
    expect(away.err()).toMatch(/apiBaseUrl https:\/\/127\.0\.0\.3\/openApi is not a loopback http\(s\) url/);
  }, 90_000);
});
