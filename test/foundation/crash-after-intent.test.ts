// Write-ahead intent: kill the engine after an order intent is journaled and before it is sent;
// on restart the intent is found, resolved (lost: the venue never saw it) and never sent twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventVersions } from '../../src/ledger/events';
import { openJournal } from '../../src/ledger/journal';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const base = readFileSync('scenarios/demo/condor-foreign-calls.yaml', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withCrashAfter(appends: number): string {
  return `${base}\nfaults:\n  - { afterAppends: ${appends}, crashEngine: { restartAfter: 30 } }\n`;
}

async function intentSeqs(): Promise<{ seq: number; clientOrderId: string }[]> {
  const journalPath = join(dir, 'baseline.db');
  await runChecked(scenarioFromYaml(base, 'baseline.yaml'), { journalPath });
  const journal = openJournal(journalPath, {
    knownVersions: eventVersions,
    owner: 'test',
    nowMs: 0,
    readOnly: true,
  });
  try {
    return [...journal.read()]
      .filter((e) => e.type === 'order.intent')
      .map((e) => ({
        seq: e.seq,
        clientOrderId: (e.data as { order: { clientOrderId: string } }).order.clientOrderId,
      }));
  } finally {
    journal.close();
  }
}

describe('crash between journaling an intent and sending it', () => {
  it('resolves the intent as lost on restart and never sends it, for the first intents of the day', async () => {
    const intents = (await intentSeqs()).slice(0, 3);
    expect(intents.length).toBeGreaterThan(0);
    for (const { seq, clientOrderId } of intents) {
      const run = await runChecked(scenarioFromYaml(withCrashAfter(seq), `crash-${seq}.yaml`));
      expect(run.stats.crashes).toBe(1);
      expect(run.verdict.violations).toEqual([]);
      const sent = run.venueLog.filter((l) => l.type === 'order' && l.clientOrderId === clientOrderId);
      expect(sent).toEqual([]);
      const order = run.report.orders.find((o) => o.clientOrderId === clientOrderId);
      expect(order?.state).toBe('lost');
      const ids = run.venueLog.flatMap((l) =>
        l.type === 'order' && l.origin === 'keel' ? [l.clientOrderId] : [],
      );
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
