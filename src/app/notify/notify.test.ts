// Alerts: which journal events become notifications, each webhook format's body as a loopback
// server receives it, retries after a 500, a dead endpoint that never holds up the caller, a
// bounded queue, and a URL (with its token) that no log line ever shows.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedOffsetZone } from '../../domain';
import {
  NotificationSource,
  NotifyOutbox,
  notifySchema,
  resolveWebhooks,
  type Notification,
  type Webhook,
  type WebhookFormat,
} from '.';

type Received = { method: string; path: string; contentType: string; body: unknown };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback webhook answering each request with the next status of `statuses` (then the last). */
async function webhookServer(statuses: number[] = [200], answer = true) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(text) as unknown,
      });
      if (!answer) return; // a hung endpoint: accepts, never answers
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { received, url: (path: string) => `http://127.0.0.1:${port}${path}` };
}

const zone = fixedOffsetZone(-300);
const t = Date.UTC(2026, 1, 13, 15, 0); // 10:00 New York

const halt: Notification = {
  kind: 'halt',
  t: '2026-02-13T10:00:00-05:00',
  run: 'xsp',
  title: 'xsp: trading HALTED by the operator',
  text: 'manual stop <check> & see',
  data: { event: 'trading.state', state: 'HALTED' },
};

const settings = { retries: 3, backoffMs: 10, timeoutMs: 2_000, queueMax: 100 };

function webhook(format: WebhookFormat, url: string, extra: Partial<Webhook> = {}): Webhook {
  return { format, url, urlEnv: 'KEEL_TEST_HOOK', name: `${format} webhook (KEEL_TEST_HOOK)`, ...extra };
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 600) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('notifications from the journal', () => {
  it('makes breaker trips, operator halts, discrepancies, incidents and fills; nothing else', () => {
    const source = new NotificationSource('xsp', zone);
    const events = [
      {
        type: 'instrument.defined',
        t,
        data: {
          instrument: {
            id: 'I1',
            symbol: 'XSP',
            kind: 'option',
            expiry: '2026-02-13',
            strike: 670,
            right: 'P',
            multiplier: 100,
            tick: 0.01,
          },
        },
      },
      {
        type: 'order.intent',
        t,
        data: { order: { clientOrderId: 'g1-c1', intent: 'close', groupId: 'g1', strategyId: 'ic' } },
      },
      {
        type: 'order.intent',
        t,
        data: { order: { clientOrderId: 'g2-o1', intent: 'open', groupId: 'g2', strategyId: 'ic' } },
      },
      { type: 'trading.state', t, data: { state: 'ACTIVE', reason: 'start', source: 'engine' } },
      {
        type: 'order.fill',
        t,
        data: { fill: { clientOrderId: 'g1-c1', instrumentId: 'I1', side: 'BUY', qty: 1, price: 0.45 } },
      },
      { type: 'order.rejected', t, data: { clientOrderId: 'g2-o1', code: 201, message: 'no' } },
      {
        type: 'order.rejected',
        t,
        data: { clientOrderId: 'g1-c1', code: 201, message: 'No trading permissions' },
      },
      {
        type: 'trading.state',
        t,
        data: { state: 'REDUCING', reason: 'a close was rejected', source: 'engine' },
      },
      { type: 'group.status', t, data: { groupId: 'g1', status: 'residual', reason: 'legs left: -1 460C' } },
      {
        type: 'discrepancy.raised',
        t,
        data: { id: 'D1', kind: 'residual', groupId: 'g1', detail: 'g1 could not be closed' },
      },
      { type: 'trading.state', t, data: { state: 'HALTED', reason: 'checking', source: 'operator' } },
      { type: 'discrepancy.resolved', t, data: { id: 'D1', resolution: 'closed by hand' } },
      { type: 'order.lost', t, data: { clientOrderId: 'g1-c1', reason: 'not at the venue' } },
    ];
    const made = events.map((e) => source.next(e)).filter((n) => n !== null);
    expect(made.map((n) => [n.kind, n.title])).toEqual([
      ['fill', 'xsp: BUY 1 XSP 2026-02-13 670P @ 0.45'],
      ['incident', 'xsp: close order g1-c1 rejected by the venue'],
      ['breaker', 'xsp: trading REDUCING (circuit breaker)'],
      ['incident', 'xsp: group g1 left a residual position'],
      ['discrepancy', 'xsp: discrepancy D1 residual'],
      ['halt', 'xsp: trading HALTED by the operator'],
      ['discrepancy', 'xsp: discrepancy D1 resolved'],
      ['incident', 'xsp: order g1-c1 lost'],
    ]);
    expect(made[0]?.t).toBe('2026-02-13T10:00:00-05:00');
    expect(made[0]?.data).toMatchObject({ intent: 'close', group: 'g1', strategy: 'ic' });
  });
});

describe('webhooks on a loopback server', () => {
  it('posts each format its own body, as JSON', async () => {
    const server = await webhookServer();
    const hooks = [
      webhook('json', server.url('/json')),
      webhook('telegram', server.url('/bot123:TOKEN/sendMessage'), { chatId: -100123 }),
      webhook('discord', server.url('/discord')),
      webhook('slack', server.url('/slack')),
    ];
    const outbox = new NotifyOutbox(hooks, settings, () => {});
    outbox.enqueue(halt);
    const stats = await outbox.close(10_000);
    expect(stats.map((s) => s.sent)).toEqual([1, 1, 1, 1]);
    const by = (path: string) => server.received.find((r) => r.path === path);
    for (const r of server.received) {
      expect(r.method).toBe('POST');
      expect(r.contentType).toBe('application/json');
    }
    expect(by('/json')?.body).toEqual({
      source: 'keel',
      kind: 'halt',
      t: '2026-02-13T10:00:00-05:00',
      run: 'xsp',
      title: 'xsp: trading HALTED by the operator',
      text: 'manual stop <check> & see',
      data: { event: 'trading.state', state: 'HALTED' },
    });
    expect(by('/bot123:TOKEN/sendMessage')?.body).toEqual({
      chat_id: -100123,
      text: 'xsp: trading HALTED by the operator\nmanual stop <check> & see\n2026-02-13T10:00:00-05:00',
      disable_web_page_preview: true,
    });
    expect(by('/discord')?.body).toEqual({
      content: 'xsp: trading HALTED by the operator\nmanual stop <check> & see\n2026-02-13T10:00:00-05:00',
      allowed_mentions: { parse: [] },
    });
    expect(by('/slack')?.body).toEqual({
      text: '*xsp: trading HALTED by the operator*\nmanual stop &lt;check&gt; &amp; see\n2026-02-13T10:00:00-05:00',
    });
  });

  it('retries after a 500 and delivers; a 400 is not retried', async () => {
    const flaky = await webhookServer([500, 503, 200]);
    const refused = await webhookServer([400]);
    const log: string[] = [];
    const outbox = new NotifyOutbox(
      [webhook('json', flaky.url('/hook')), webhook('slack', refused.url('/hook'))],
      settings,
      (line) => log.push(line),
    );
    outbox.enqueue(halt);
    const [sent, no] = await outbox.close(10_000);
    expect(flaky.received.length).toBe(3);
    expect(sent).toMatchObject({ sent: 1, failed: 0 });
    expect(refused.received.length).toBe(1);
    expect(no).toMatchObject({ sent: 0, failed: 1 });
    expect(log).toEqual([
      'notify: slack webhook (KEEL_TEST_HOOK): refused (HTTP 400); check the URL in KEEL_TEST_HOOK',
    ]);
  });

  it('gives up after its retries, keeps order, and names no URL or token in what it logs', async () => {
    const down = await webhookServer([500]);
    const log: string[] = [];
    const outbox = new NotifyOutbox(
      [webhook('json', down.url('/bot999:SECRETTOKEN/x'))],
      { ...settings, retries: 2 },
      (l) => log.push(l),
    );
    outbox.enqueue(halt);
    outbox.enqueue({ ...halt, title: 'second' });
    const [stats] = await outbox.close(10_000);
    expect(down.received.length).toBe(6); // 3 attempts each, the first alert's before the second's
    expect((down.received[3]?.body as { title: string }).title).toBe('second');
    expect(stats).toMatchObject({ sent: 0, failed: 2 });
    expect(log.length).toBe(2);
    for (const line of log) {
      expect(line).toContain('gave up on an alert after 3 attempt(s) (HTTP 500)');
      expect(line).not.toMatch(/SECRETTOKEN|127\.0\.0\.1|bot999/);
    }
  });

  it('never holds up the caller: a hung endpoint fills a bounded queue, the rest are dropped and counted', async () => {
    const hung = await webhookServer([200], false);
    const log: string[] = [];
    const outbox = new NotifyOutbox(
      [webhook('discord', hung.url('/bot1:SECRET/hook'))],
      { ...settings, queueMax: 3, timeoutMs: 60_000 },
      (l) => log.push(l),
    );
    // Ten alerts queue (or drop) at once, while the first POST hangs.
    for (let i = 0; i < 10; i++) outbox.enqueue({ ...halt, title: `alert ${i}` });
    expect(outbox.stats()[0]).toMatchObject({ sent: 0, dropped: 7, queued: 3 });
    await until(() => hung.received.length === 1);
    // The run ends: what is still queued gets its flush time, then is given up (the hung POST aborted).
    const [stats] = await outbox.close(50);
    expect(stats).toMatchObject({ sent: 0, failed: 3, dropped: 7, queued: 0 });
    expect(log).toEqual([
      'notify: discord webhook (KEEL_TEST_HOOK): queue full (3); dropping alerts until it drains',
    ]);
  });

  it('many retried alerts leave no listener behind on the outbox (no MaxListenersExceeded warning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const outbox = new NotifyOutbox(
        [webhook('slack', 'http://127.0.0.1:9/hook')],
        { ...settings, retries: 1, backoffMs: 1 },
        () => {},
        () => Promise.resolve({ status: 500 }),
      );
      for (let i = 0; i < 15; i++) outbox.enqueue({ ...halt, title: `alert ${i}` });
      const [stats] = await outbox.close(10_000);
      expect(stats).toMatchObject({ sent: 0, failed: 15 });
      await new Promise((r) => setTimeout(r, 10)); // a warning is emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('a closed port is a network error, retried, then given up, naming no address', async () => {
    const gone = await webhookServer();
    const url = gone.url('/bot7:SECRET/hook');
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    const log: string[] = [];
    const outbox = new NotifyOutbox(
      [webhook('telegram', url, { chatId: 1 })],
      { ...settings, retries: 1 },
      (l) => log.push(l),
    );
    outbox.enqueue(halt);
    const [stats] = await outbox.close(10_000);
    expect(stats).toMatchObject({ sent: 0, failed: 1 });
    expect(log).toEqual([
      'notify: telegram webhook (KEEL_TEST_HOOK): gave up on an alert after 2 attempt(s) (network error ECONNREFUSED)',
    ]);
  });
});

describe('notify config', () => {
  const parse = (v: unknown) => {
    const r = notifySchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('defaults to every alert but fills, recorded', () => {
    expect(notifySchema.parse({})).toMatchObject({
      events: ['incident', 'breaker', 'halt', 'discrepancy'],
      webhooks: [],
      record: true,
      sendFromSim: false,
      queueMax: 1000,
    });
  });

  it('names the field and the fix', () => {
    expect(parse({ webhooks: [{ format: 'telegram', urlEnv: 'KEEL_TG' }] })).toEqual([
      "webhooks.0.chatId: a telegram webhook needs chatId: the chat the bot posts to (e.g. chatId: -1001234567890); urlEnv holds the bot's sendMessage URL with its token (docs/config.md)",
    ]);
    expect(parse({ webhooks: [{ format: 'slack', urlEnv: 'http://127.0.0.1/hook' }] })[0]).toMatch(
      /^webhooks\.0\.urlEnv: expected the name of an environment variable holding the webhook URL .*never the URL itself: it carries the token$/,
    );
    expect(parse({ webhooks: [{ format: 'teams', urlEnv: 'X' }] })).toEqual([
      'webhooks.0.format: expected one of json, telegram, discord, slack (json: keel\'s own body), got "teams"',
    ]);
    expect(parse({ events: ['halts'] })).toEqual([
      'events.0: expected one of incident, breaker, halt, discrepancy, fill, got "halts"',
    ]);
    expect(parse({ webhooks: [{ format: 'slack', urlEnv: 'X', url: 'y' }] })[0]).toMatch(/url/);
    // The URL written into the config (the first thing a new user tries) says where it goes instead.
    expect(parse({ webhooks: [{ format: 'slack', url: 'http://127.0.0.1/hook' }] })).toEqual([
      'webhooks.0.urlEnv: give urlEnv: the name of the environment variable holding the webhook URL (e.g. urlEnv: KEEL_SLACK_WEBHOOK)',
      'webhooks.0: url is not taken here: a webhook URL carries its token, so put it in an environment variable and name that variable in urlEnv',
    ]);
  });

  it('reads URLs from the environment: required on a broker account, skipped on the simulator', () => {
    const config = notifySchema.parse({ webhooks: [{ format: 'slack', urlEnv: 'KEEL_SLACK' }] });
    expect(resolveWebhooks(config, {}, true)).toEqual({
      ok: false,
      errors: [
        'notify.webhooks[0].urlEnv: the environment variable KEEL_SLACK is not set; export it with the webhook URL before keel run',
      ],
    });
    expect(resolveWebhooks(config, {}, false)).toEqual({ ok: true, webhooks: [], missing: ['KEEL_SLACK'] });
    expect(resolveWebhooks(config, { KEEL_SLACK: 'not a url' }, false)).toEqual({
      ok: false,
      errors: [
        "notify.webhooks[0].urlEnv: KEEL_SLACK does not hold an http(s) URL; set it to the webhook's URL",
      ],
    });
  });
});
