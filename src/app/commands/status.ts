// keel status --journal FILE: what keel owns (by group), what is foreign, and keel's open orders,
// replayed from the journal. Read-only: works while an engine holds the journal.
import { parseApiAddress } from '../api-address';
import { replayJournal, replayJournalPages } from '../journal-replay';
import { describeInstrument, formatIso, isLive, microsToCents, netRealized } from '../../domain';
import { budgetLines, budgetView } from '../../engine/report';
import { openJournal, openJournalAt, JournalError, type JournalStore } from '../../ledger/journal';
import { eventVersions } from '../../ledger/events';
import { isActiveGroup, type Projection } from '../../ledger/projection';
import type { VenueView } from '../api/operator-api';
import { authHeaders } from '../api/api-token';

export async function statusCommand(opts: { journal: string; json?: boolean }): Promise<number> {
  let journal;
  try {
    journal = openJournal(opts.journal, {
      knownVersions: eventVersions,
      owner: 'keel status',
      nowMs: 0,
      readOnly: true,
    });
  } catch (e) {
    if (e instanceof JournalError) {
      process.stderr.write(`keel status: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const status = statusOf((await replayJournal(journal)).projection);
    process.stdout.write(opts.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
    return 0;
  } catch (e) {
    if (e instanceof JournalError) {
      process.stderr.write(`keel status: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    journal.close();
  }
}

type Status = ReturnType<typeof statusOf>;

/** keel status --journal postgres://…: the journal read page by page, and who holds the account. */
export async function statusOfPostgres(address: string, json: boolean): Promise<number> {
  let journal: JournalStore;
  try {
    journal = await openJournalAt(address, {
      knownVersions: eventVersions,
      owner: 'keel status',
      nowMs: 0,
      readOnly: true,
    });
  } catch (e) {
    process.stderr.write(`keel status: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  try {
    const { projection, timeZone } = await replayJournalPages(journal);
    const holder = await journal.lease?.current();
    const lease =
      holder === undefined || holder === null
        ? null
        : { holder: holder.holder, token: holder.token, expiresAt: formatIso(holder.expiresAt, timeZone) };
    const status = { ...statusOf(projection), lease };
    const leaseLine =
      lease === null
        ? 'account lease: never taken\n'
        : `account lease: ${lease.holder} (token ${lease.token}) until ${lease.expiresAt}\n`;
    process.stdout.write(json ? JSON.stringify(status, null, 2) + '\n' : leaseLine + formatStatus(status));
    return 0;
  } catch (e) {
    if (!(e instanceof JournalError)) throw e;
    process.stderr.write(`keel status: ${e.message}\n`);
    return 2;
  } finally {
    await journal.close();
  }
}

/** The same view from a running engine's operator API. */
export async function statusViaApi(api: string, json: boolean): Promise<number> {
  const address = parseApiAddress(api);
  if (!address.ok) {
    process.stderr.write(`keel status: ${address.error}\n`);
    return 2;
  }
  try {
    const res = await fetch(`${address.address.url}/status`, { headers: authHeaders(address.address.url) });
    const body = (await res.json()) as Status & { error?: string; venue?: VenueView };
    if (body.error !== undefined) {
      process.stderr.write(`keel status: ${body.error}\n`);
      return 2;
    }
    process.stdout.write(
      json ? JSON.stringify(body, null, 2) + '\n' : venueLine(body.venue) + formatStatus(body),
    );
    return 0;
  } catch (e) {
    process.stderr.write(
      `keel status: no engine answers at ${address.address.url} (${e instanceof Error ? e.message : String(e)})\n`,
    );
    return 2;
  }
}

export function statusOf(p: Projection) {
  const groups = [...p.groups.values()].filter(isActiveGroup).map((g) => ({
    group: g.id,
    strategy: g.strategyId,
    status: g.status,
    legs: g.legs.map((l) => ({
      instrument: describeInstrument(p.requireInstrument(l.instrumentId)),
      owned: p.ownership.owned(l.instrumentId, g.id),
    })),
    realizedPnl: microsToCents(netRealized(g.pnl)),
  }));
  const foreign = p.ownership
    .instruments()
    .map((id) => ({
      instrument: describeInstrument(p.requireInstrument(id)),
      venueNet: p.ownership.venueNetQty(id) ?? 0,
      owned: p.ownership.ownedTotal(id),
      foreign: p.ownership.foreign(id),
    }))
    .filter((r) => r.foreign !== 0);
  const openOrders = [...p.orders.all()]
    .filter((o) => isLive(o.state))
    .map((o) => ({
      clientOrderId: o.intent.clientOrderId,
      group: o.intent.groupId,
      intent: o.intent.intent,
      state: o.state,
      qty: o.intent.qty,
      limit: o.intent.limitPrice,
    }));
  const discrepancies = [...p.discrepancies.values()]
    .filter((d) => !d.resolved)
    .map((d) => ({ id: d.id, kind: d.kind, detail: d.detail }));
  return {
    tradingState: p.tradingState,
    reason: p.tradingHistory.at(-1)?.reason ?? null,
    groups,
    foreign,
    openOrders,
    discrepancies,
    budget: budgetView(p),
    events: p.eventsApplied,
  };
}

function venueLine(v: VenueView | undefined): string {
  if (v === undefined) return '';
  const data = v.marketData === 'delayed' ? 'market data DELAYED (15 minutes or more)' : 'market data live';
  return `venue ${v.kind}: ${v.connected ? 'connected' : 'DISCONNECTED'}, ${data}\n`;
}

function formatStatus(s: Status): string {
  const out = [
    `trading ${s.tradingState}${s.reason ? ` (${s.reason})` : ''} — ${s.events} journal events`,
    '',
    'OWNED (by group):',
  ];
  if (s.groups.length === 0) out.push('  none');
  for (const g of s.groups) {
    out.push(`  ${g.group} [${g.strategy}] ${g.status}  realized ${g.realizedPnl.toFixed(2)}`);
    for (const l of g.legs) out.push(`    ${String(l.owned).padStart(6)}  ${l.instrument}`);
  }
  out.push('', "FOREIGN (at the venue, not keel's; never touched):");
  if (s.foreign.length === 0) out.push('  none');
  for (const f of s.foreign)
    out.push(
      `  ${String(f.foreign).padStart(6)}  ${f.instrument}  (venue net ${f.venueNet}, keel owns ${f.owned})`,
    );
  out.push('', "OPEN ORDERS (keel's):");
  if (s.openOrders.length === 0) out.push('  none');
  for (const o of s.openOrders)
    out.push(`  ${o.clientOrderId}  ${o.intent} ${o.qty} @ ${o.limit ?? 'MKT'}  ${o.state}`);
  if (s.discrepancies.length > 0) {
    out.push('', 'OPEN DISCREPANCIES:');
    for (const d of s.discrepancies) out.push(`  ${d.id} ${d.kind}: ${d.detail}`);
  }
  if (s.budget !== null) out.push('', 'EXPOSURE BUDGETS:', ...budgetLines(s.budget).map((l) => `  ${l}`));
  return out.join('\n') + '\n';
}
