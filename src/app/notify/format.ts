// The body each webhook takes. Telegram: sendMessage's chat_id and text; Discord: content; Slack
// (incoming webhook): text; json: keel's own, every field of the notification.
import type { Webhook } from './config';
import type { Notification } from './notification';

/** Discord refuses content over 2,000 characters; Telegram text over 4,096. */
const discordContentMax = 2000;
const telegramTextMax = 4096;

export function webhookBody(
  webhook: Pick<Webhook, 'format' | 'chatId'>,
  n: Notification,
): Record<string, unknown> {
  const line = `${n.title}\n${n.text}\n${n.t}`;
  switch (webhook.format) {
    case 'json':
      return { source: 'keel', kind: n.kind, t: n.t, run: n.run, title: n.title, text: n.text, data: n.data };
    case 'telegram':
      return {
        chat_id: webhook.chatId ?? null,
        text: clip(line, telegramTextMax),
        disable_web_page_preview: true,
      };
    case 'discord':
      return { content: clip(line, discordContentMax), allowed_mentions: { parse: [] } };
    case 'slack':
      return { text: `*${slackEscape(n.title)}*\n${slackEscape(n.text)}\n${n.t}` };
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack reads &, < and > as markup (links, mentions): they are escaped, as its docs ask. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
