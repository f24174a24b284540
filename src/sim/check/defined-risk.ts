// `defined-risk`: after every venue event, every short option keel holds is covered by a long of
// the same underlying, expiry and right (the naked-short incident left a short call open after its
// long was sold). All fill lines of one combo execution (one comboExecId) are one event, and so are
// the settlements stamped with one instant (expiry settles every strike at once). Each uncovered
// episode of an option family is reported once, at the line where it began.
import type { VenueLogLine } from '../../venues/sim/venue-log';
import { familyKey, uncoveredShorts, type Holding, type Uncovered } from './cover';
import { replay, type Ledger } from './ledger';
import { describeRecord, fmtQty, indexReport } from './report-index';
import { violation, type CheckInput, type Violation } from './types';

export function checkDefinedRisk(input: CheckInput): Violation[] {
  const lastOfBatch = lastLineOfBatch(input.lines);
  const openBatches = new Set<string>();
  const uncoveredFamilies = new Set<string>();
  const found: Violation[] = [];
  let changed = false;
  replay(input.lines, indexReport(input.report), (effect, line, ledger) => {
    const key = batchKey(line);
    if (key !== null) {
      if (lastOfBatch.get(key) === line.seq) openBatches.delete(key);
      else openBatches.add(key);
    }
    if ((effect.kind === 'fill' && effect.owner === 'keel') || effect.kind === 'settle') changed = true;
    if (!changed || openBatches.size > 0) return;
    changed = false;
    const byFamily = groupByFamily(uncoveredShorts(keelHoldings(ledger)));
    for (const [family, legs] of byFamily) {
      if (uncoveredFamilies.has(family)) continue;
      uncoveredFamilies.add(family);
      found.push(violation('defined-risk', line, nakedMessage(legs, family, ledger)));
    }
    for (const family of uncoveredFamilies) if (!byFamily.has(family)) uncoveredFamilies.delete(family);
  });
  return found;
}

function batchKey(line: VenueLogLine): string | null {
  if (line.type === 'fill' && line.comboExecId !== null) return `combo:${line.comboExecId}`;
  if (line.type === 'settle') return `settle:${line.t}`;
  return null;
}

function lastLineOfBatch(lines: readonly VenueLogLine[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const line of lines) {
    const key = batchKey(line);
    if (key !== null) last.set(key, line.seq);
  }
  return last;
}

function keelHoldings(ledger: Ledger): Holding[] {
  const holdings: Holding[] = [];
  for (const [id, qty] of ledger.keelQty) {
    const instrument = ledger.instruments.get(id);
    if (qty !== 0 && instrument !== undefined) holdings.push({ instrument, qty });
  }
  return holdings;
}

function groupByFamily(uncovered: readonly Uncovered[]): Map<string, Uncovered[]> {
  const byFamily = new Map<string, Uncovered[]>();
  for (const u of uncovered) {
    const key = familyKey(u.instrument) ?? u.instrument.id;
    byFamily.set(key, [...(byFamily.get(key) ?? []), u]);
  }
  return byFamily;
}

function nakedMessage(legs: readonly Uncovered[], family: string, ledger: Ledger): string {
  const right = legs[0]?.instrument.right === 'C' ? 'call' : 'put';
  const naked = legs.map((u) => `${u.qty} of ${describeRecord(u.instrument)}`).join(', ');
  const held = keelHoldings(ledger)
    .filter((h) => familyKey(h.instrument) === family)
    .map((h) => `${describeRecord(h.instrument)} ${fmtQty(h.qty)}`)
    .join(', ');
  const where = right === 'call' ? 'at or above' : 'at or below';
  return `short ${right} uncovered: ${naked} has no long ${right} ${where} its strike (keel holds ${held})`;
}
