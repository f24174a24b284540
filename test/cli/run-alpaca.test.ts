// `keel run` on an Alpaca paper account, from the command line: the CLI in its own process, the
// alpaca adapter and @alpacahq/alpaca-trade-api talking to the fake Alpaca on 127.0.0.1 (REST and
// the trade_updates websocket, a paper account on real time). The keys come from the environment
// and appear in no output, log, journal or report; an operator order fills through the wire; the
// foreign lot is left alone; Ctrl-C stops cleanly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wallClock } from '../../src/app/live-driver';
import { timeZoneOf } from '../../src/domain';
import { FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { apiOrder, apiPost, apiStatus, freePort, keelWithEnv, until } from '../support/keel-process';
import { paperVenue } from '../support/paper-venue';

const dir = mkdtempSync(join(tmpdir(), 'keel-run-alpaca-'));
const clock = wallClock(timeZoneOf('America/New_York'));
let fake: FakeAlpaca;

beforeAll(async () => {
  const sim = paperVenue([
    { symbol: 'PLTR', bid: 170.7, ask: 170.8 },
    { symbol: 'MSFT', bid: 477.1, ask: 477.3 },
  ]);
  const msft = sim.resolveInstrument({ symbol: 'MSFT' });
  if (!msft.ok) throw new Error(msft.reason);
  sim.seedPosition(msft.instrument, 50, 470);
  fake = new FakeAlpaca({
    sim,
    now: () => clock.now(),
    keyId: 'PKTESTKEYID0001',
    secret: 'test-secret-0001',
  });
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): string {
  const file = join(dir, 'paper-alpaca.yaml');
  writeFileSync(
    file,
    [
      'name: paper-alpaca',
      'session: { timeZone: America/New_York }',
      `venue: { kind: alpaca, apiBaseUrl: '${fake.urls.tradingUrl}' }`,
      'account: { equity: 105000 }',
      'market:',
      '  - { symbol: PLTR, kind: equity, spot: 170.75, vol: 0.5 }',
      'strategies: []',
      '',
    ].join('\n'),
  );
  return file;
}

describe('keel run on an Alpaca paper account (fake Alpaca on loopback)', () => {
  it('trades an operator order through REST and the stream, keys never shown, foreign lot untouched', async () => {
    const api = await freePort();
    const out = join(dir, 'out');
    const env = { APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secret };
    const run = keelWithEnv(env, 'run', config(), '--out', out, '--api', String(api));
    await until('the engine to start', () => run.err().includes('engine started'));
    expect(run.err()).toMatch(/on Alpaca paper http:\/\/127\.0\.0\.1:\d+/);
    expect((await apiOrder(api, { side: 'BUY', qty: 10, symbol: 'PLTR', limit: 170.8 })).ok).toBe(true);
    await until('the fill through the stream', async () =>
      (await apiStatus(api)).groups.some((g) =>
        g.legs.some((l) => l.instrument === 'PLTR' && l.owned === 10),
      ),
    );
    expect((await apiStatus(api)).foreign).toEqual([
      { instrument: 'MSFT', venueNet: 50, owned: 0, foreign: 50 },
    ]);
    run.kill('SIGINT');
    expect(await run.exit, run.err()).toBe(130);
    for (const secret of [fake.secret, fake.keyId]) {
      expect(run.err() + run.out()).not.toContain(secret);
      for (const f of ['engine.log', 'report.json', 'daily-log.md'])
        expect(readFileSync(join(out, f), 'utf8'), f).not.toContain(secret);
      expect(readFileSync(join(out, 'journal.sqlite')).includes(secret)).toBe(false);
    }
  }, 60_000);

  it("sizes from the account's equity as Alpaca reports it, not the config's: the 291-share PLTR order is refused with what fits $50,000", async () => {
    fake.setEquity(50_000);
    const api = await freePort();
    const out = join(dir, 'out-equity');
    const env = { APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secret };
    const run = keelWithEnv(env, 'run', config(), '--out', out, '--api', String(api));
    await until('the engine to start', () => run.err().includes('engine started'));
    const res = await apiPost(api, '/order', {
      side: 'BUY',
      qty: 291,
      symbol: 'PLTR',
      limit: 170.77,
      stop: 163,
    });
    const answer = (await res.json()) as { ok: boolean; lines: string[] };
    run.kill('SIGINT');
    expect(await run.exit, run.err()).toBe(130);
    expect(answer.ok).toBe(false);
    // The config says $105,000 (61 shares would fit); the account Alpaca reports holds $50,000.
    expect(answer.lines.join('\n')).toContain('the per-position cap is 10% ($5,000): at most 29 shares');
    expect(answer.lines.join('\n')).toContain('the largest order that passes now: 29');
  }, 60_000);
});
