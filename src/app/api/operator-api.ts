// The operator HTTP API of a running engine: the dashboard (/, its live feed /events and /dashboard), status, halt, resume, cancel
// --mine, flatten, orders, signals for a strategy, and resolving a discrepancy. Every command goes to engine.operator(), the same path as the CLI and scenarios, so an
// HTTP order passes the same pre-trade gate. Bad input is refused naming the field.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import { GroupId, StrategyId } from '../../domain';
import type { OperatorCommand, OperatorResult } from '../../engine/operator';
import type { EngineReadout } from '../../engine/readout';
import type { Projection } from '../../ledger/projection';
import { statusOf } from '../commands/status';
import { tokensEqual } from './api-token';
import { dashboardPage } from './dashboard';
import { DashboardFeed } from './dashboard-feed';

/** The broker link as the operator sees it (absent on the simulated venue). */
export type VenueView = {
  readonly kind: string;
  readonly connected: boolean;
  /** delayed: some quotes are the broker's delayed data (IB without a subscription). */
  readonly marketData: 'live' | 'delayed';
};

export type OperatorTarget = {
  operator(cmd: OperatorCommand): Promise<OperatorResult>;
  projection(): Projection | null;
  venue?: () => VenueView;
  /** What the dashboard reads beyond the projection: marks, exits, the engine's clock (null while restarting). */
  readout?: () => EngineReadout | null;
  /** The market's symbols: the dashboard draws their spot with the entries and exits. */
  underlyings?: readonly string[];
};

/** A string that must be given: missing, of another type or empty, the message names the fix. */
const required = (message: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? message : undefined) }).min(1, message);
const reason = z.object({ reason: required('give a reason: it is journaled') }).strict();
const signals = z
  .object({
    strategy: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'give the id of a strategy that takes signals'),
    signals: z.array(z.record(z.string(), z.unknown())).min(1, 'give at least one signal'),
  })
  .strict();
const resolve = z
  .object({
    id: required('give the discrepancy id (keel status lists them)'),
    reason: required('give a reason: what was checked (it is journaled)'),
  })
  .strict();
const flatten = z
  .object({ group: z.string().min(1).optional(), strategy: z.string().min(1).optional() })
  .strict()
  .refine((b) => (b.group === undefined) !== (b.strategy === undefined), {
    message: 'give exactly one of group or strategy',
  });
/** Words the CLI takes in any case (buy, Buy, BUY) are taken so here too. */
const anyCase = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(values));

const order = z
  .object({
    side: anyCase(['BUY', 'SELL']),
    qty: z.number().positive(),
    symbol: required('give the symbol to trade (e.g. PLTR)'),
    expiry: z.string().optional(),
    strike: z.number().positive().optional(),
    right: anyCase(['C', 'P']).optional(),
    type: anyCase(['MKT', 'LMT']).default('LMT'),
    limit: z.number().positive().optional(),
    stop: z.number().positive().optional(),
    fit: z.boolean().default(false),
  })
  .strict()
  .refine((o) => o.type === 'MKT' || o.limit !== undefined, {
    message: 'a LMT order needs limit',
    path: ['limit'],
  });

/**
 * Who may talk to the API: a request must name one of `hosts` in its Host header (a web page that
 * reaches a loopback server through DNS rebinding names its own host) and carry the token, as
 * `Authorization: Bearer TOKEN` (the dashboard page itself may take it once as `?token=`).
 */
export type ApiSecurity = { readonly token: string; readonly hosts: readonly string[] };

/** The Host header values a server bound to `host:port` answers to. */
export function hostsServed(host: string, port: number): string[] {
  const bracket = (name: string) => (name.includes(':') ? `[${name}]` : name);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  const names =
    host === '127.0.0.1' || host === 'localhost' || host === '::1'
      ? loopback
      : host === '0.0.0.0' || host === '::'
        ? [
            ...loopback,
            ...Object.values(networkInterfaces()).flatMap((list) =>
              (list ?? []).map((a) => bracket(a.address)),
            ),
          ]
        : [bracket(host)];
  return names.map((name) => `${name}:${port}`);
}

export function buildOperatorApi(target: OperatorTarget, security: ApiSecurity): FastifyInstance {
  const app = Fastify({ logger: false });
  const sendPage = (reply: FastifyReply) => {
    const page = dashboardPage();
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', page.csp)
      .send(page.html);
  };
  app.addHook('onRequest', async (req, reply) => {
    if (!security.hosts.includes(req.headers.host ?? ''))
      return reply.code(421).send({
        error: `this API answers to ${security.hosts.join(' or ')} only, not Host ${req.headers.host ?? '(none)'}`,
      });
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const query =
      req.method === 'GET' && req.routeOptions.url === '/'
        ? (req.query as { token?: unknown }).token
        : undefined;
    const given = bearer ?? (typeof query === 'string' ? query : undefined);
    if (given === undefined || !tokensEqual(given, security.token)) {
      // A browser asking for the page without the token gets the page's own login screen (it
      // holds no data; it asks for the token and reads nothing until given the right one).
      if (req.method === 'GET' && req.routeOptions.url === '/' && /text\/html/.test(req.headers.accept ?? ''))
        return sendPage(reply.code(401));
      return reply.code(401).send({
        error:
          'give the API token (Authorization: Bearer TOKEN): keel run prints the dashboard URL with it; the keel CLI finds it itself, or set KEEL_API_TOKEN',
      });
    }
  });
  // The body parser's own refusals (not JSON, empty, a form post) say what to send instead.
  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, _req, reply) => {
    const fix: Record<string, string> = {
      FST_ERR_CTP_INVALID_MEDIA_TYPE: 'send the body as JSON, with Content-Type: application/json',
      FST_ERR_CTP_INVALID_JSON_BODY: 'the body is not valid JSON; send a JSON object, e.g. {"reason": "..."}',
      FST_ERR_CTP_EMPTY_JSON_BODY:
        'the body is empty; send a JSON object, e.g. {"reason": "..."}, or no Content-Type',
    };
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    return reply
      .code(status)
      .send({ error: (error.code === undefined ? undefined : fix[error.code]) ?? error.message });
  });
  const parse = <T>(
    schema: z.ZodType<T>,
    body: unknown,
  ): { ok: true; value: T } | { ok: false; error: string } => {
    const r = schema.safeParse(body ?? {});
    if (r.success) return { ok: true, value: r.data };
    return {
      ok: false,
      error: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  };
  const run = async (cmd: OperatorCommand) => {
    const result = await target.operator(cmd);
    return { ok: result.ok, lines: result.lines };
  };

  app.get('/', async (_req, reply) => sendPage(reply));
  // The dashboard's live feed (server-sent events) and the same picture at once, behind the token.
  const feed = new DashboardFeed(target);
  app.addHook('onReady', async () => feed.start());
  app.addHook('preClose', async () => feed.stop());
  app.get('/events', (req, reply) => {
    reply.hijack();
    feed.attach(req.raw, reply.raw);
  });
  app.get('/dashboard', async (_req, reply) => {
    const now = feed.snapshot();
    if (now === null) return reply.code(503).send({ error: 'the engine is restarting' });
    return now;
  });
  app.get('/status', async (_req, reply) => {
    const p = target.projection();
    if (p === null) return reply.code(503).send({ error: 'the engine is restarting' });
    return target.venue ? { ...statusOf(p), venue: target.venue() } : statusOf(p);
  });
  app.post('/halt', async (req, reply) => {
    const b = parse(reason, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    return run({ action: 'halt', reason: b.value.reason });
  });
  app.post('/resume', async (req, reply) => {
    const b = parse(reason, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    return run({ action: 'resume', reason: b.value.reason });
  });
  app.post('/cancel', async () => run({ action: 'cancel', mine: true }));
  app.post('/signals', async (req, reply) => {
    const b = parse(signals, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    return run({ action: 'signals', strategy: StrategyId.of(b.value.strategy), signals: b.value.signals });
  });
  app.post('/resolve', async (req, reply) => {
    const b = parse(resolve, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    return run({ action: 'resolve', id: b.value.id, reason: b.value.reason });
  });
  app.post('/flatten', async (req, reply) => {
    const b = parse(flatten, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    return run({
      action: 'flatten',
      group: b.value.group === undefined ? null : GroupId.of(b.value.group),
      strategy: b.value.strategy === undefined ? null : StrategyId.of(b.value.strategy),
    });
  });
  app.post('/order', async (req, reply) => {
    const b = parse(order, req.body);
    if (!b.ok) return reply.code(400).send({ error: b.error });
    const o = b.value;
    const instrument =
      o.expiry !== undefined && o.strike !== undefined && o.right !== undefined
        ? { symbol: o.symbol, expiry: o.expiry, strike: o.strike, right: o.right }
        : { symbol: o.symbol };
    return run({
      action: 'order',
      instrument,
      side: o.side,
      qty: o.qty,
      type: o.type,
      limit: o.limit ?? null,
      stop: o.stop ?? null,
      fit: o.fit,
    });
  });
  return app;
}
