// The engine never reads a venue's own codes or words: adapters map them to typed events and
// reasons (src/venues/venue.ts). A venue code or status string in src/engine/ is a leak of one
// venue's dialect into the engine, where another venue would silently not match it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const venueDialect: readonly { what: string; pattern: RegExp }[] = [
  { what: 'an IB connectivity or informational code', pattern: /\b(1100|1101|1102|10349|2104|2106|2158)\b/ },
  {
    what: 'an IB order status',
    pattern: /['"`](PendingSubmit|PreSubmitted|ApiCancelled|ApiPending|Inactive)['"`]/,
  },
  {
    what: 'an Alpaca order status',
    pattern: /['"`](pending_new|pending_cancel|pending_replace|done_for_day)['"`]/,
  },
  {
    what: 'a venue reason text',
    pattern: /['"`](end of day|instrument expired|cancelled by client|not connected)['"`]/i,
  },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('src/engine speaks no venue dialect', () => {
  it('has no venue codes, statuses or reason texts', () => {
    const leaks: string[] = [];
    for (const file of sources('src/engine')) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, k) => {
          if (/^\s*(\/\/|\*)/.test(line)) return; // comments may name a venue's code to say why
          for (const d of venueDialect)
            if (d.pattern.test(line)) leaks.push(`${file}:${k + 1}: ${d.what}: ${line.trim()}`);
        });
    }
    expect(leaks).toEqual([]);
  });
});
