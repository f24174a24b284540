// The run config's `notify:` section: which engine events become alerts, and the webhooks they go
// to. A webhook's URL carries its token, so the config names only the environment variable that
// holds it; the URL is read at start and never written anywhere.
import { z } from 'zod';

export const notifyKinds = ['incident', 'breaker', 'halt', 'discrepancy', 'fill'] as const;
export type NotifyKind = (typeof notifyKinds)[number];
export const webhookFormats = ['json', 'telegram', 'discord', 'slack'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

/** Alerts by default: everything but fills (a busy day has hundreds). */
export const notifyKindsDefault: readonly NotifyKind[] = ['incident', 'breaker', 'halt', 'discrepancy'];

const envName = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'give urlEnv: the name of the environment variable holding the webhook URL (e.g. urlEnv: KEEL_SLACK_WEBHOOK)'
        : undefined,
  })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: (issue) =>
      `expected the name of an environment variable holding the webhook URL (e.g. KEEL_SLACK_WEBHOOK), got ${JSON.stringify(issue.input)}; never the URL itself: it carries the token`,
  });

const webhookSchema = z
  .object(
    {
      format: z.enum(webhookFormats, {
        error: (issue) =>
          `expected one of ${webhookFormats.join(', ')} (json: keel's own body), got ${JSON.stringify(issue.input)}`,
      }),
      urlEnv: envName,
      // Telegram's sendMessage needs the chat; the bot token is in the URL (urlEnv).
      chatId: z.union([z.string().min(1), z.int()]).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' && issue.keys.includes('url')
          ? 'url is not taken here: a webhook URL carries its token, so put it in an environment variable and name that variable in urlEnv'
          : undefined,
    },
  )
  .strict()
  .superRefine((w, ctx) => {
    if (w.format === 'telegram' && w.chatId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['chatId'],
        message:
          "a telegram webhook needs chatId: the chat the bot posts to (e.g. chatId: -1001234567890); urlEnv holds the bot's sendMessage URL with its token (docs/config.md)",
      });
    if (w.format !== 'telegram' && w.chatId !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['chatId'],
        message: `only used with format: telegram (format is ${w.format}); remove chatId`,
      });
  });

export const notifySchema = z
  .object({
    events: z
      .array(
        z.enum(notifyKinds, {
          error: (issue) => `expected one of ${notifyKinds.join(', ')}, got ${JSON.stringify(issue.input)}`,
        }),
      )
      .min(1, 'name at least one of incident, breaker, halt, discrepancy, fill (or remove events)')
      .default([...notifyKindsDefault]),
    webhooks: z.array(webhookSchema).max(8, 'at most 8 webhooks').default([]),
    // notifications.jsonl in the run's out directory: what was (or, on the simulated venue, would be) sent.
    record: z.boolean().default(true),
    // On the simulated venue alerts are recorded only, unless this says to send them too.
    sendFromSim: z.boolean().default(false),
    retries: z.int().min(0).max(10).default(4),
    backoffMs: z.int().min(10).max(60_000).default(500),
    timeoutMs: z.int().min(100).max(60_000).default(5_000),
    queueMax: z.int().min(1).max(100_000).default(1_000),
    // At the end of a run, how long alerts still queued may take to go out before they are dropped.
    flushMs: z.int().min(0).max(60_000).default(5_000),
  })
  .strict();

export type NotifyConfig = z.infer<typeof notifySchema>;
export type WebhookConfig = NotifyConfig['webhooks'][number];

/** A webhook with its URL read from the environment. */
export type Webhook = WebhookConfig & { readonly url: string; readonly name: string };

export type ResolvedWebhooks =
  | { readonly ok: true; readonly webhooks: readonly Webhook[]; readonly missing: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The webhooks' URLs from the environment. A variable that is not set is an error naming it when
 * `required` (a broker account: its alerts must go out), else it is listed in `missing`.
 */
export function resolveWebhooks(
  config: NotifyConfig,
  env: Readonly<Record<string, string | undefined>>,
  required: boolean,
): ResolvedWebhooks {
  const webhooks: Webhook[] = [];
  const errors: string[] = [];
  const missing: string[] = [];
  config.webhooks.forEach((w, i) => {
    const url = env[w.urlEnv];
    const name = `${w.format} webhook (${w.urlEnv})`;
    if (url === undefined || url === '') {
      if (required)
        errors.push(
          `notify.webhooks[${i}].urlEnv: the environment variable ${w.urlEnv} is not set; export it with the webhook URL before keel run`,
        );
      else missing.push(w.urlEnv);
      return;
    }
    if (!/^https?:\/\//i.test(url)) {
      errors.push(
        `notify.webhooks[${i}].urlEnv: ${w.urlEnv} does not hold an http(s) URL; set it to the webhook's URL`,
      );
      return;
    }
    webhooks.push({ ...w, url, name });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, webhooks, missing };
}
