// The PostgreSQL journal on this machine's server, beside the SQLite figures of the same run:
// durable single appends (append + flush, one commit each), batched fills (one multi-row insert per
// flush), and reading a million-event journal page by page. Needs a server: KEEL_TEST_PG_URL
// (default postgres://postgres@127.0.0.1:5432/test); a database of its own is made and dropped.
// Run: node --import tsx bench/journal-postgres.bench.ts
import { pathToFileURL } from 'node:url';
import { openJournalAt, type JournalStore, type NewEvent } from '../src/ledger/journal';
import { postgresAvailable, postgresFixture } from '../test/support/postgres-fixture';
import { fillData, intentData, type JournalBenchResult } from './journal.bench';

const singleAppendSeconds = 2;
const batchSeconds = 2;
const smallBatchEvents = 100;
const largeBatchEvents = 10_000;
const replayEvents = 1_000_000;
const t0 = 1_771_000_000_000;
const knownVersions = { 'order.intent': 1, 'order.fill': 1 };

const fill = (n: number, t: number): NewEvent => ({ type: 'order.fill', v: 1, t, data: fillData(n) });
const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function journalAt(url: string): Promise<JournalStore> {
  const journal = await openJournalAt(url, { knownVersions, owner: 'bench', nowMs: t0 });
  const lease = await journal.lease?.acquire('bench', 600_000);
  if (lease?.ok !== true) throw new Error('bench: could not take the lease');
  return journal;
}

async function singleAppends(url: string): Promise<number> {
  const journal = await journalAt(url);
  const start = process.hrtime.bigint();
  let count = 0;
  while (seconds(start) < singleAppendSeconds) {
    journal.append({ type: 'order.intent', v: 1, t: t0 + count, data: intentData(count) });
    await journal.flush();
    count += 1;
  }
  const rate = count / seconds(start);
  await journal.close();
  return rate;
}

async function batches(url: string, size: number): Promise<number> {
  const journal = await journalAt(url);
  const start = process.hrtime.bigint();
  let events = 0;
  while (seconds(start) < batchSeconds) {
    journal.appendBatch(Array.from({ length: size }, (_, i) => fill(events + i, t0 + events)));
    await journal.flush();
    events += size;
  }
  const rate = events / seconds(start);
  await journal.close();
  return rate;
}

async function replay(url: string): Promise<{ buildSec: number; readSec: number }> {
  let start = process.hrtime.bigint();
  const writer = await journalAt(url);
  for (let built = 0; built < replayEvents; built += largeBatchEvents) {
    writer.appendBatch(Array.from({ length: largeBatchEvents }, (_, i) => fill(built + i, t0 + built)));
    await writer.flush();
  }
  await writer.close();
  const buildSec = seconds(start);
  const reader = await openJournalAt(url, { knownVersions, owner: 'bench', nowMs: t0, readOnly: true });
  start = process.hrtime.bigint();
  let count = 0;
  for await (const page of reader.pages()) count += page.length;
  const readSec = seconds(start);
  await reader.close();
  if (count !== replayEvents) throw new Error(`read ${count} events, expected ${replayEvents}`);
  return { buildSec, readSec };
}

export async function main(sqlite: JournalBenchResult | null = null): Promise<void> {
  const missing = await postgresAvailable();
  if (missing !== null) {
    console.log(`journal bench (PostgreSQL): skipped: ${missing}`);
    return;
  }
  const db = await postgresFixture();
  try {
    const single = await singleAppends(db.url('single'));
    const small = await batches(db.url('small'), smallBatchEvents);
    const large = await batches(db.url('large'), largeBatchEvents);
    const r = await replay(db.url('replay'));
    const vs = (pg: number, base: number | undefined) =>
      base === undefined ? '' : `${fmt(pg / base, 2)}x SQLite`;
    const rows: [string, string, string][] = [
      [
        'durable single append (append + flush)',
        `${fmt(single)} /s`,
        vs(single, sqlite?.singleAppendsPerSec),
      ],
      [
        `batched fills (${smallBatchEvents} per flush)`,
        `${fmt(small)} /s`,
        vs(small, sqlite?.batchEventsPerSec),
      ],
      [
        `batched fills (${fmt(largeBatchEvents)} per flush)`,
        `${fmt(large)} /s`,
        vs(large, sqlite?.batchEventsPerSec),
      ],
      [`build ${fmt(replayEvents)}-event journal`, `${fmt(r.buildSec, 2)} s`, ''],
      [
        `read ${fmt(replayEvents)} events, page by page (parse + check)`,
        `${fmt(replayEvents / r.readSec)} /s`,
        `${fmt(r.readSec, 2)} s${sqlite ? `, ${fmt(r.readSec / sqlite.replaySec, 2)}x SQLite's time` : ''}`,
      ],
    ];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c as 0 | 1 | 2].length)));
    console.log(`journal bench (PostgreSQL at ${db.url('x').replace(/\?.*$/, '')})`);
    for (const [what, figure, ratio] of rows)
      console.log(
        `  ${what.padEnd(widths[0] ?? 0)}  ${figure.padStart(widths[1] ?? 0)}  ${ratio.padStart(widths[2] ?? 0)}`,
      );
  } finally {
    await db.drop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
