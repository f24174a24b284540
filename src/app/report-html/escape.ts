// Everything a report shows comes from files a run wrote, and some of it (strategy ids, reasons,
// a venue's message) from a config or a broker: it is text, never markup.
const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}
