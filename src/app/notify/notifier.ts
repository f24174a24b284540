// The notifier a run hangs on its journal: every appended event goes through it; the alerts the
// config asks for are recorded (notifications.jsonl, in order, byte-identical for a simulated run)
// and handed to the webhooks' outbox. A fault here never reaches the engine.
import { appendFileSync, writeFileSync } from 'node:fs';
import type { TimeZone } from '../../domain';
import type { NotifyConfig, NotifyKind, Webhook } from './config';
import { NotificationSource, type Notification } from './notification';
import { NotifyOutbox, type Post, type WebhookStats } from './outbox';

export const notificationsFile = 'notifications.jsonl';

export type NotifierOptions = {
  readonly config: NotifyConfig;
  /** Webhooks to post to now (none: record only). */
  readonly webhooks: readonly Webhook[];
  readonly run: string;
  readonly zone: TimeZone;
  /** notifications.jsonl's path, or null not to record. */
  readonly recordPath: string | null;
  readonly log: (line: string) => void;
  readonly post?: Post;
};

export class Notifier {
  private readonly source: NotificationSource;
  private readonly kinds: ReadonlySet<NotifyKind>;
  private readonly outbox: NotifyOutbox;
  private recorded = 0;
  private broken = false;

  constructor(private readonly options: NotifierOptions) {
    this.source = new NotificationSource(options.run, options.zone);
    this.kinds = new Set(options.config.events);
    this.outbox = new NotifyOutbox(options.webhooks, options.config, options.log, options.post);
    if (options.recordPath !== null) writeFileSync(options.recordPath, '');
  }

  /** An event the engine has just journaled. */
  onAppend(event: { readonly type: string; readonly t: number; readonly data: unknown }): void {
    if (this.broken) return;
    try {
      const n = this.source.next(event);
      if (n === null || !this.kinds.has(n.kind)) return;
      this.deliver(n);
    } catch (e) {
      // An alert is never worth an engine: say it once and stop alerting.
      this.broken = true;
      this.options.log(`notify: stopped after an error (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  get count(): number {
    return this.recorded;
  }

  /** Lets queued alerts go out for up to flushMs; what each webhook did. */
  close(): Promise<readonly WebhookStats[]> {
    return this.outbox.close(this.options.config.flushMs);
  }

  private deliver(n: Notification): void {
    this.recorded++;
    if (this.options.recordPath !== null) appendFileSync(this.options.recordPath, `${JSON.stringify(n)}\n`);
    this.outbox.enqueue(n);
  }
}

/** "notify: 3 alert(s); slack webhook (KEEL_SLACK): 3 sent" for the end of a run. */
export function notifySummary(
  count: number,
  stats: readonly WebhookStats[],
  recordPath: string | null,
): string {
  const where = recordPath === null ? '' : ` (${recordPath})`;
  const hooks = stats.map(
    (s) =>
      `${s.name}: ${s.sent} sent${s.failed > 0 ? `, ${s.failed} not delivered` : ''}${s.dropped > 0 ? `, ${s.dropped} dropped (queue full)` : ''}`,
  );
  return [`notify: ${count} alert(s)${where}`, ...hooks].join('; ');
}
