// The operator HTTP API against a fake engine: a bad body is refused with 400 naming the field and
// never reaches the engine; a good one becomes exactly the OperatorCommand the CLI and scenarios
// give; status answers 503 while the engine is restarting (no projection).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { GroupId, StrategyId, timeZoneOf } from '../../domain';
import type { OperatorCommand, OperatorResult } from '../../engine/operator';
import { Projection } from '../../ledger/projection';
import { freePort } from '../../../test/support/keel-process';
import { buildOperatorApi } from './operator-api';

let commands: OperatorCommand[];
let projection: Projection | null;
let app: FastifyInstance;

beforeEach(() => {
  commands = [];
  projection = null;
  app = buildOperatorApi(
    {
      operator: async (cmd): Promise<OperatorResult> => {
        commands.push(cmd);
        return { ok: cmd.action !== 'flatten', lines: [`did ${cmd.action}`] };
      },
      projection: () => projection,
    },
    security,
  );
});

const token = 'a'.repeat(64);
const security = { token, hosts: ['127.0.0.1:7070'] };
const auth = { host: '127.0.0.1:7070', authorization: `Bearer ${token}` };

afterEach(async () => {
  await app.close();
});

async function post(url: string, payload?: object) {
  const res = await app.inject(
    payload === undefined
      ? { method: 'POST', url, headers: auth }
      : { method: 'POST', url, payload, headers: auth },
  );
  return { status: res.statusCode, body: res.json() as { error?: string; ok?: boolean; lines?: string[] } };
}

describe('operator API: bad bodies are 400 and name the field', () => {
  const bad: [string, string, object | undefined, RegExp][] = [
    ['halt without reason', '/halt', {}, /^reason: give a reason: it is journaled$/],
    ['halt with an empty reason', '/halt', { reason: '' }, /^reason: give a reason: it is journaled$/],
    ['halt without a body', '/halt', undefined, /^reason: give a reason: it is journaled$/],
    ['resume without reason', '/resume', { note: 'x' }, /reason/],
    ['resume with an unknown key', '/resume', { reason: 'ok', force: true }, /force/],
    ['resolve without id', '/resolve', { reason: 'checked' }, /^id: give the discrepancy id/],
    [
      'signals without any',
      '/signals',
      { strategy: 'swing', signals: [] },
      /^signals: give at least one signal$/,
    ],
    ['signals without a strategy', '/signals', { signals: [{ symbol: 'PLTR' }] }, /^strategy: /],
    ['resolve with an empty reason', '/resolve', { id: 'D1', reason: '' }, /^reason: give a reason/],
    [
      'LMT order without limit',
      '/order',
      { side: 'BUY', qty: 1, symbol: 'PLTR' },
      /^limit: a LMT order needs limit$/,
    ],
    [
      'order without symbol',
      '/order',
      { side: 'BUY', qty: 1, type: 'MKT' },
      /^symbol: give the symbol to trade/,
    ],
    ['order without side', '/order', { qty: 1, symbol: 'PLTR', type: 'MKT' }, /^side: /],
    ['order with side hold', '/order', { side: 'hold', qty: 1, symbol: 'PLTR', type: 'MKT' }, /^side: /],
    ['order with qty 0', '/order', { side: 'BUY', qty: 0, symbol: 'PLTR', type: 'MKT' }, /^qty: /],
    [
      'order with a wrong right',
      '/order',
      { side: 'BUY', qty: 1, symbol: 'XSP', right: 'X', type: 'MKT' },
      /^right: /,
    ],
    [
      'order with a stray key',
      '/order',
      { side: 'BUY', qty: 1, symbol: 'PLTR', type: 'MKT', account: 'B' },
      /account/,
    ],
    ['order with type STP', '/order', { side: 'BUY', qty: 1, symbol: 'PLTR', type: 'STP' }, /^type: /],
    [
      'flatten with both group and strategy',
      '/flatten',
      { group: 'g-1', strategy: 'ic-0dte' },
      /give exactly one of group or strategy/,
    ],
    ['flatten with neither', '/flatten', {}, /give exactly one of group or strategy/],
    ['flatten with an empty group', '/flatten', { group: '' }, /^group: /],
  ];
  for (const [name, url, payload, error] of bad) {
    it(name, async () => {
      const res = await post(url, payload);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(error);
      expect(commands).toEqual([]);
    });
  }
});

describe('operator API: good bodies become the operator command', () => {
  const good: [string, string, object | undefined, OperatorCommand][] = [
    ['halt', '/halt', { reason: 'checking fills' }, { action: 'halt', reason: 'checking fills' }],
    ['resume', '/resume', { reason: 'checked' }, { action: 'resume', reason: 'checked' }],
    ['cancel --mine (no body)', '/cancel', undefined, { action: 'cancel', mine: true }],
    [
      'signals for a strategy',
      '/signals',
      { strategy: 'swing', signals: [{ symbol: 'PLTR', score: 82, entry: 170.77, stop: 163 }] },
      {
        action: 'signals',
        strategy: StrategyId.of('swing'),
        signals: [{ symbol: 'PLTR', score: 82, entry: 170.77, stop: 163 }],
      },
    ],
    [
      'resolve a discrepancy',
      '/resolve',
      { id: 'D3', reason: 'foreign calls confirmed by hand' },
      { action: 'resolve', id: 'D3', reason: 'foreign calls confirmed by hand' },
    ],
    [
      'flatten a group',
      '/flatten',
      { group: 'operator-20260102-1' },
      { action: 'flatten', group: GroupId.of('operator-20260102-1'), strategy: null },
    ],
    [
      'flatten a strategy',
      '/flatten',
      { strategy: 'ic-0dte' },
      { action: 'flatten', group: null, strategy: StrategyId.of('ic-0dte') },
    ],
    [
      'an equity LMT with a protective stop',
      '/order',
      { side: 'BUY', qty: 291, symbol: 'PLTR', limit: 170.77, stop: 163 },
      {
        action: 'order',
        instrument: { symbol: 'PLTR' },
        side: 'BUY',
        qty: 291,
        type: 'LMT',
        limit: 170.77,
        stop: 163,
        fit: false,
      },
    ],
    [
      'a MKT order with --fit',
      '/order',
      { side: 'SELL', qty: 5, symbol: 'TSLA', type: 'MKT', fit: true },
      {
        action: 'order',
        instrument: { symbol: 'TSLA' },
        side: 'SELL',
        qty: 5,
        type: 'MKT',
        limit: null,
        stop: null,
        fit: true,
      },
    ],
    [
      'an option by expiry, strike and right',
      '/order',
      { side: 'BUY', qty: 1, symbol: 'XSP', expiry: '2026-02-13', strike: 690, right: 'C', limit: 1.25 },
      {
        action: 'order',
        instrument: { symbol: 'XSP', expiry: '2026-02-13', strike: 690, right: 'C' },
        side: 'BUY',
        qty: 1,
        type: 'LMT',
        limit: 1.25,
        stop: null,
        fit: false,
      },
    ],
    [
      'lowercase side, type and right, as the CLI takes them',
      '/order',
      { side: 'sell', qty: 1, symbol: 'XSP', expiry: '2026-02-13', strike: 690, right: 'c', type: 'mkt' },
      {
        action: 'order',
        instrument: { symbol: 'XSP', expiry: '2026-02-13', strike: 690, right: 'C' },
        side: 'SELL',
        qty: 1,
        type: 'MKT',
        limit: null,
        stop: null,
        fit: false,
      },
    ],
  ];
  for (const [name, url, payload, command] of good) {
    it(name, async () => {
      const res = await post(url, payload);
      expect(res.status).toBe(200);
      expect(commands).toEqual([command]);
      // The engine's answer, as it gave it.
      expect(res.body).toEqual({ ok: command.action !== 'flatten', lines: [`did ${command.action}`] });
    });
  }
});

describe('operator API: status', () => {
  it('is 503 while there is no projection (the engine restarts after a crash)', async () => {
    const res = await app.inject({ method: 'GET', url: '/status', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'the engine is restarting' });
    expect(commands).toEqual([]);
  });

  it('is the projection status once the engine runs', async () => {
    projection = new Projection(timeZoneOf('America/New_York'));
    const res = await app.inject({ method: 'GET', url: '/status', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ groups: [], openOrders: [] });
  });
});

describe('dashboard', () => {
  it('serves one self-contained page: its script, styles and uPlot inline, run only by their nonce', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/?token=${token}`,
      headers: { host: '127.0.0.1:7070' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain("fetch('/events'");
    expect(res.body).toContain('uPlot');
    // Nothing loaded from elsewhere (no CDN): no script or stylesheet by address, and the policy allows none.
    expect(res.body).not.toMatch(/<script src=|<link /);
    const csp = String(res.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/https?:/);
    const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    for (const attrs of scripts) expect(attrs).toBe(` nonce="${nonce}"`);
    // A new nonce for every page.
    const again = await app.inject({
      method: 'GET',
      url: `/?token=${token}`,
      headers: { host: '127.0.0.1:7070' },
    });
    expect(again.headers['content-security-policy']).not.toBe(csp);
  });

  it('a browser without the token gets the login page with 401: the page, no data', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/',
      headers: { host: '127.0.0.1:7070', accept: 'text/html,application/xhtml+xml' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('This dashboard needs the API token');
  });

  it('/dashboard is the picture at once: state, account, groups, closed trades, and the curves', async () => {
    projection = new Projection(timeZoneOf('America/New_York'));
    const res = await app.inject({ method: 'GET', url: '/dashboard', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { view: Record<string, unknown>; samples: unknown[] };
    expect(body.view).toMatchObject({
      tradingState: 'ACTIVE',
      groups: [],
      closed: [],
      refusals: [],
      discrepancies: [],
      incidents: [],
      foreign: [],
      account: { equity: null, realizedToday: 0, realizedWeek: 0, open: 0 },
    });
    expect(body.samples).toHaveLength(1);
    projection = null;
    const restarting = await app.inject({ method: 'GET', url: '/dashboard', headers: auth });
    expect(restarting.statusCode).toBe(503);
  });

  it('/events streams the picture (server-sent events) and ends when the server closes', async () => {
    const port = await freePort();
    const served = buildOperatorApi(
      {
        operator: async () => ({ ok: true, lines: [] }),
        projection: () => new Projection(timeZoneOf('UTC')),
      },
      { token, hosts: [`127.0.0.1:${port}`] },
    );
    await served.listen({ port, host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const reader = (res.body as ReadableStream<Uint8Array>)
        .pipeThrough(new TextDecoderStream())
        .getReader();
      let text = '';
      while (!/event: samples\n/.test(text)) text += (await reader.read()).value ?? '';
      const view = /event: view\ndata: (.*)\n/.exec(text)?.[1];
      expect(JSON.parse(view ?? '{}')).toMatchObject({ tradingState: 'ACTIVE', timeZone: 'UTC' });
      await served.close();
      for (;;) if ((await reader.read()).done) break;
    } finally {
      await served.close();
    }
  });
});

describe('operator API security', () => {
  const endpoints: [string, string, object | undefined][] = [
    ['GET', '/', undefined],
    ['GET', '/status', undefined],
    ['GET', '/events', undefined],
    ['GET', '/dashboard', undefined],
    ['POST', '/halt', { reason: 'x' }],
    ['POST', '/resume', { reason: 'x' }],
    ['POST', '/cancel', {}],
    ['POST', '/flatten', { group: 'g1' }],
    ['POST', '/order', { side: 'BUY', qty: 1, symbol: 'PLTR', limit: 1 }],
    ['POST', '/resolve', { id: 'D1', reason: 'x' }],
    ['POST', '/signals', { strategy: 's', signals: [{}] }],
  ];
  for (const [method, url, payload] of endpoints) {
    it(`${method} ${url} without the token, or with a wrong one, is 401 and reaches nothing`, async () => {
      const bare = { method: method as 'GET' | 'POST', url, headers: { host: '127.0.0.1:7070' } };
      const withPayload = payload === undefined ? bare : { ...bare, payload };
      const none = await app.inject(withPayload);
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: expect.stringMatching(/give the API token/) });
      const wrong = await app.inject({
        ...withPayload,
        headers: { host: '127.0.0.1:7070', authorization: `Bearer ${'b'.repeat(64)}` },
      });
      expect(wrong.statusCode).toBe(401);
      const inQuery = await app.inject({ ...withPayload, url: `${url}?token=${token}` });
      expect(inQuery.statusCode).toBe(url === '/' ? 200 : 401); // only the page takes it in the URL
      expect(commands).toEqual([]);
    });
  }

  it('a request naming another Host (DNS rebinding) is refused before the token is even read', async () => {
    for (const host of ['evil.example:7070', 'attacker.test', '127.0.0.1:9999', ''])
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/halt',
            payload: { reason: 'x' },
            headers: { ...auth, host },
          })
        ).statusCode,
      ).toBe(421);
    expect(commands).toEqual([]);
  });

  it('sends no CORS headers; a form post is not JSON and is refused', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/status',
      headers: { ...auth, origin: 'http://127.0.0.1:9' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const form = await app.inject({
      method: 'POST',
      url: '/halt',
      payload: 'reason=x',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    expect(form.json()).toEqual({
      error: 'send the body as JSON, with Content-Type: application/json',
    });
    const broken = await app.inject({
      method: 'POST',
      url: '/halt',
      payload: '{reason',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({
      error: 'the body is not valid JSON; send a JSON object, e.g. {"reason": "..."}',
    });
    const get = await app.inject({ method: 'GET', url: '/halt', headers: auth });
    expect(get.statusCode).toBe(404);
    expect(commands).toEqual([]);
  });
});
