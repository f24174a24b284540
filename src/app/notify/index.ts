// Alerts from a run to webhooks (generic JSON, Telegram, Discord, Slack): docs/config.md#notify.
export {
  notifyKinds,
  notifyKindsDefault,
  notifySchema,
  resolveWebhooks,
  webhookFormats,
  type NotifyConfig,
  type NotifyKind,
  type Webhook,
  type WebhookConfig,
  type WebhookFormat,
} from './config';
export { webhookBody } from './format';
export { NotificationSource, type Notification } from './notification';
export { NotifyOutbox, type OutboxSettings, type Post, type WebhookStats } from './outbox';
export { Notifier, notificationsFile, notifySummary, type NotifierOptions } from './notifier';
export { runNotifier, type RunNotifier } from './run-notifier';
export { tapAppends } from './tap';
