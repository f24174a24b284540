// The notifier of one `keel run`: on the simulated venue alerts are recorded (and sent only with
// notify.sendFromSim, to the webhooks whose variable is set); on a broker account every webhook's
// variable must be set, and alerts are recorded and sent.
import { join } from 'node:path';
import type { TimeZone } from '../../domain';
import { resolveWebhooks, type NotifyConfig } from './config';
import { Notifier, notificationsFile } from './notifier';
import type { Post } from './outbox';

export type RunNotifier =
  | { readonly ok: true; readonly notifier: Notifier | null; readonly recordPath: string | null }
  | { readonly ok: false; readonly errors: readonly string[] };

export function runNotifier(
  config: NotifyConfig | null,
  args: {
    readonly run: string;
    readonly zone: TimeZone;
    readonly out: string;
    readonly simulated: boolean;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly say: (line: string) => void;
    readonly post?: Post;
  },
): RunNotifier {
  if (config === null) return { ok: true, notifier: null, recordPath: null };
  const send = !args.simulated || config.sendFromSim;
  const resolved = send
    ? resolveWebhooks(config, args.env, !args.simulated)
    : { ok: true as const, webhooks: [], missing: [] };
  if (!resolved.ok) return { ok: false, errors: resolved.errors };
  const recordPath = config.record ? join(args.out, notificationsFile) : null;
  if (args.simulated && !config.sendFromSim && config.webhooks.length > 0)
    args.say(
      `notify: on the simulated venue alerts are recorded${recordPath === null ? '' : ` in ${recordPath}`}, not sent (notify.sendFromSim: true sends them)`,
    );
  for (const name of resolved.missing) args.say(`notify: ${name} is not set: that webhook is skipped`);
  const notifier = new Notifier({
    config,
    webhooks: resolved.webhooks,
    run: args.run,
    zone: args.zone,
    recordPath,
    log: args.say,
    ...(args.post === undefined ? {} : { post: args.post }),
  });
  return { ok: true, notifier, recordPath };
}
