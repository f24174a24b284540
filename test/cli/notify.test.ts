// Alerts from `keel run` as a user sets them up: a notify section, a webhook URL (with its token)
// in an environment variable, a loopback server standing in for Slack. What is sent is what the
// run records; the token appears nowhere keel writes; a dead or hung endpoint never stalls the run.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, keelWithEnv } from '../support/keel-process';

const dir = mkdtempSync(join(tmpdir(), 'keel-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const token = 'T0KEN-SECRET-4242';
const example = readFileSync('examples/iron-condor-0dte.yaml', 'utf8');

function config(name: string, notify: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${example}\nnotify:\n${notify}`);
  return file;
}

const slackNotify = [
  '  events: [incident, breaker, halt, discrepancy, fill]',
  '  webhooks: [{ format: slack, urlEnv: KEEL_TEST_SLACK_URL }]',
  '  sendFromSim: true',
  '  retries: 1',
  '  backoffMs: 10',
  '  flushMs: 500',
  '',
].join('\n');

async function slackServer(answer: boolean) {
  const bodies: { path: string; text: string }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', text: (JSON.parse(text) as { text: string }).text });
      if (answer) res.writeHead(200).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { bodies, port: (server.address() as AddressInfo).port };
}

async function run(file: string, out: string, url: string) {
  const k = keelWithEnv({ KEEL_TEST_SLACK_URL: url }, 'run', file, '--out', out, '-q', '--no-print');
  const code = await k.exit;
  return { code, out: k.out(), err: k.err() };
}

type Recorded = { kind: string; title: string; text: string };
const recorded = (out: string) =>
  readFileSync(join(out, 'notifications.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Recorded);

describe('keel run with notify', () => {
  it('posts every alert it records to the webhook, and writes the token nowhere', async () => {
    const slack = await slackServer(true);
    const out = join(dir, 'live-hook');
    const r = await run(
      config('live-hook', slackNotify),
      out,
      `http://127.0.0.1:${slack.port}/services/${token}`,
    );
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const alerts = recorded(out);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.kind === 'fill')).toBe(true);
    expect(slack.bodies.map((b) => b.text.split('\n')[0])).toEqual(alerts.map((a) => `*${a.title}*`));
    expect(slack.bodies.every((b) => b.path === `/services/${token}`)).toBe(true);
    expect(r.out).toContain(
      `notify: ${alerts.length} alert(s) (${join(out, 'notifications.jsonl')}); slack webhook (KEEL_TEST_SLACK_URL): ${alerts.length} sent`,
    );
    for (const file of [
      'notifications.jsonl',
      'report.json',
      'daily-log.md',
      'report.html',
      'journal.sqlite',
    ])
      expect(readFileSync(join(out, file)).includes(token)).toBe(false);
    expect(r.out + r.err).not.toContain(token);
  }, 60_000);

  it('finishes the same run when the endpoint is dead or hangs: alerts counted as not delivered', async () => {
    const file = config('dead-hook', slackNotify);
    const reference = join(dir, 'reference');
    const slack = await slackServer(true);
    expect((await run(file, reference, `http://127.0.0.1:${slack.port}/services/${token}`)).code).toBe(0);
    const count = recorded(reference).length;

    const dead = join(dir, 'dead');
    const closed = await run(file, dead, `http://127.0.0.1:${await freePort()}/services/${token}`);
    expect(closed.code).toBe(0);
    expect(closed.out).toContain(`slack webhook (KEEL_TEST_SLACK_URL): 0 sent, ${count} not delivered`);

    const hung = await slackServer(false);
    const stuck = join(dir, 'hung');
    const waiting = await run(file, stuck, `http://127.0.0.1:${hung.port}/services/${token}`);
    expect(waiting.code).toBe(0);
    expect(hung.bodies.length).toBe(1); // the first POST never got an answer; the rest waited behind it
    expect(waiting.out).toContain(`slack webhook (KEEL_TEST_SLACK_URL): 0 sent, ${count} not delivered`);

    // The webhooks' fate changes nothing the engine did.
    for (const out of [dead, stuck]) {
      expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(
        readFileSync(join(reference, 'report.json'), 'utf8'),
      );
      expect(readFileSync(join(out, 'notifications.jsonl'), 'utf8')).toBe(
        readFileSync(join(reference, 'notifications.jsonl'), 'utf8'),
      );
    }
    expect(closed.out + closed.err + waiting.out + waiting.err).not.toContain(token);
  }, 60_000);

  it('keel sim records the alerts of the naked-short incident: the rejected close, the breaker, the residual', async () => {
    const out = join(dir, 'naked-short');
    const k = keelWithEnv(
      {},
      'sim',
      'scenarios/incidents/2026-01-28-naked-short-after-partial-close.yaml',
      '--out',
      out,
      '-q',
    );
    expect(await k.exit).toBe(0);
    expect(k.out()).toContain('notifications.jsonl (5 alert(s))');
    expect(recorded(out).map((a) => [a.kind, a.title])).toEqual([
      ['incident', 'jan28-naked-short: close order ic-v6-20260128-1-c9 rejected by the venue'],
      ['breaker', 'jan28-naked-short: trading REDUCING (circuit breaker)'],
      ['incident', 'jan28-naked-short: group ic-v6-20260128-1 left a residual position'],
      ['discrepancy', 'jan28-naked-short: discrepancy D1 residual'],
      ['breaker', 'jan28-naked-short: trading HALTED (circuit breaker)'],
    ]);
  }, 60_000);

  it('refuses a notify section written wrong, naming the field and the fix', async () => {
    const file = config('bad', '  webhooks: [{ format: telegram, urlEnv: KEEL_TG }]\n');
    const r = await run(file, join(dir, 'bad-out'), 'http://127.0.0.1:9/x');
    expect(r.code).toBe(2);
    expect(r.err).toContain('notify.webhooks[0].chatId: a telegram webhook needs chatId');
  }, 60_000);
});
