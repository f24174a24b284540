// Alerts leave through an outbox the engine never waits on: `enqueue` only queues (bounded: a
// full queue drops the new alert and counts it), and one sender per webhook posts in order,
// retrying a failed post with growing waits, so a dead or slow endpoint delays only its own queue.
// Nothing logged names a webhook's URL (it carries the token): a webhook is named by its variable.
import type { Webhook } from './config';
import { webhookBody } from './format';
import type { Notification } from './notification';

export type OutboxSettings = {
  readonly retries: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly queueMax: number;
};

/** A wait never grows past this, however many retries. */
const backoffCapMs = 60_000;

export type WebhookStats = {
  readonly name: string;
  sent: number;
  /** Given up on: retries spent, refused (4xx), or still queued when the run ended. */
  failed: number;
  /** Dropped because the queue was full. */
  dropped: number;
  queued: number;
};

/** One POST; `signal` ends it (its timeout, or the outbox closing). */
export type Post = (url: string, body: string, signal: AbortSignal) => Promise<{ status: number }>;

const fetchPost: Post = async (url, body, signal) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal,
  });
  // The body is read (and dropped) so the connection is freed.
  await response.arrayBuffer().catch(() => undefined);
  return { status: response.status };
};

class WebhookSender {
  readonly stats: WebhookStats;
  private readonly queue: Notification[] = [];
  private running: Promise<void> | null = null;
  private closing = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly webhook: Webhook,
    private readonly settings: OutboxSettings,
    private readonly post: Post,
    private readonly log: (line: string) => void,
  ) {
    this.stats = { name: webhook.name, sent: 0, failed: 0, dropped: 0, queued: 0 };
  }

  enqueue(n: Notification): void {
    if (this.closing) return;
    if (this.queue.length >= this.settings.queueMax) {
      this.stats.dropped++;
      if (this.stats.dropped === 1)
        this.log(
          `notify: ${this.webhook.name}: queue full (${this.settings.queueMax}); dropping alerts until it drains`,
        );
      return;
    }
    this.queue.push(n);
    this.stats.queued = this.queue.length;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Waits up to `ms` for the queue to empty, then gives up on what is left. */
  async close(ms: number): Promise<void> {
    this.closing = true;
    if (this.running !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    }
    this.abort.abort();
    this.stats.failed += this.queue.length;
    this.queue.length = 0;
    this.stats.queued = 0;
  }

  private async drain(): Promise<void> {
    for (let n = this.queue[0]; n !== undefined && !this.abort.signal.aborted; n = this.queue[0]) {
      const delivered = await this.deliver(n);
      if (this.abort.signal.aborted) return;
      this.queue.shift();
      this.stats.queued = this.queue.length;
      if (delivered) this.stats.sent++;
      else this.stats.failed++;
    }
  }

  private async deliver(n: Notification): Promise<boolean> {
    const body = JSON.stringify(webhookBody(this.webhook, n));
    for (let attempt = 0; attempt <= this.settings.retries; attempt++) {
      if (attempt > 0) {
        const wait = Math.min(this.settings.backoffMs * 2 ** (attempt - 1), backoffCapMs);
        if (!(await this.sleep(wait))) return false;
      }
      let outcome: string;
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.abort.signal]);
        const { status } = await this.post(this.webhook.url, body, signal);
        if (status >= 200 && status < 300) return true;
        outcome = `HTTP ${status}`;
        // A 4xx other than 408 / 429 will not change on a retry: the body or the URL is wrong.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          this.log(
            `notify: ${this.webhook.name}: refused (${outcome}); check the URL in ${this.webhook.urlEnv}`,
          );
          return false;
        }
      } catch (e) {
        outcome = this.describe(e);
      }
      if (this.abort.signal.aborted) return false;
      if (attempt === this.settings.retries)
        this.log(
          `notify: ${this.webhook.name}: gave up on an alert after ${attempt + 1} attempt(s) (${outcome})`,
        );
    }
    return false;
  }

  /** Resolves true after ms, false at once when the outbox closes. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve(false);
      // The listener goes with the wait: one left per retry would pile up on the outbox's signal.
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The error's kind and code, never its text: fetch's messages can quote the URL. */
  private describe(e: unknown): string {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timed out';
    const cause = e instanceof Error ? (e as Error & { cause?: { code?: unknown } }).cause : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : null;
    return code === null ? 'network error' : `network error ${code}`;
  }
}

export class NotifyOutbox {
  private readonly senders: WebhookSender[];

  constructor(
    webhooks: readonly Webhook[],
    settings: OutboxSettings,
    log: (line: string) => void,
    post: Post = fetchPost,
  ) {
    this.senders = webhooks.map((w) => new WebhookSender(w, settings, post, log));
  }

  /** Never blocks and never throws: the engine's turn goes on whatever the webhooks do. */
  enqueue(n: Notification): void {
    for (const s of this.senders) s.enqueue(n);
  }

  stats(): readonly WebhookStats[] {
    return this.senders.map((s) => ({ ...s.stats }));
  }

  /** Gives queued alerts up to `ms` to go out, then drops the rest (counted as failed). */
  async close(ms: number): Promise<readonly WebhookStats[]> {
    await Promise.all(this.senders.map((s) => s.close(ms)));
    return this.stats();
  }
}
