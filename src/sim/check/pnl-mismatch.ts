// `pnl-mismatch`: the report's money equals what the venue's fills say, to the cent (spec). Each
// group's realized PnL is recomputed with keel's one average-cost rule (domain/pnl.ts) from the
// fills of the group's client order ids, in seq order, with the venue's commissions; at a
// settlement the group's own quantity settles at the settlement price with no commission.
import {
  addMicros,
  applyPnlFill,
  emptyPnl,
  microsToCents,
  netRealized,
  toMicros,
  ZERO_MICROS,
  type Micros,
  type PnlState,
} from '../../domain';
import type { ReportGroup } from '../../engine/report/report-types';
import { replay } from './ledger';
import { indexReport } from './report-index';
import { violation, type CheckInput, type Violation } from './types';

type GroupBook = { readonly pnl: PnlState; last: { seq: number; t: string } | null };

export function checkPnl(input: CheckInput): Violation[] {
  const books = new Map<string, GroupBook>(
    input.report.groups.map((g) => [g.id, { pnl: emptyPnl(), last: null }]),
  );
  let keelExecutions = 0;
  let keelCommissions: Micros = ZERO_MICROS;
  replay(input.lines, indexReport(input.report), (effect) => {
    if (effect.kind === 'fill' && effect.owner === 'keel') {
      const { fill } = effect;
      keelExecutions += 1;
      keelCommissions = addMicros(keelCommissions, toMicros(fill.commission));
      const book = effect.groupId === null ? undefined : books.get(effect.groupId);
      if (book === undefined || fill.qty <= 0) return;
      applyPnlFill(book.pnl, {
        instrumentKey: fill.instrument.id,
        side: fill.side,
        qty: fill.qty,
        price: fill.price,
        multiplier: fill.instrument.multiplier,
        commission: toMicros(fill.commission),
      });
      book.last = fill;
    } else if (effect.kind === 'settle') {
      const { settle } = effect;
      for (const [groupId, qty] of effect.groupsBefore) {
        const book = books.get(groupId);
        if (book === undefined) continue;
        applyPnlFill(book.pnl, {
          instrumentKey: settle.instrument.id,
          side: qty > 0 ? 'SELL' : 'BUY',
          qty: Math.abs(qty),
          price: settle.price,
          multiplier: settle.instrument.multiplier,
          commission: ZERO_MICROS,
        });
        book.last = settle;
      }
    }
  });
  const found = input.report.groups.flatMap((g) => {
    const book = books.get(g.id);
    return book === undefined ? [] : groupMismatches(g, book);
  });
  return [...found, ...summaryMismatches(input, keelExecutions, keelCommissions)];
}

function groupMismatches(group: ReportGroup, book: GroupBook): Violation[] {
  const net = microsToCents(netRealized(book.pnl));
  const commissions = microsToCents(book.pnl.commissions);
  const found: Violation[] = [];
  const name = `group ${group.id} (${group.strategy})`;
  if (net !== cents(group.realizedPnl)) {
    found.push(
      violation(
        'pnl-mismatch',
        book.last,
        `${name}: venue fills give realized PnL ${money(net)} net (${money(microsToCents(book.pnl.realized))} ` +
          `before ${money(commissions)} commissions), report says ${money(group.realizedPnl)}`,
      ),
    );
  }
  if (commissions !== cents(group.commissions)) {
    found.push(
      violation(
        'pnl-mismatch',
        book.last,
        `${name}: venue fills give commissions ${money(commissions)}, report says ${money(group.commissions)}`,
      ),
    );
  }
  return found;
}

function summaryMismatches(input: CheckInput, executions: number, commissions: Micros): Violation[] {
  const { summary, groups } = input.report;
  const found: Violation[] = [];
  const groupSum = microsToCents(
    groups.reduce((sum, g) => addMicros(sum, toMicros(g.realizedPnl)), ZERO_MICROS),
  );
  if (cents(summary.realizedPnl) !== groupSum) {
    found.push(
      violation(
        'pnl-mismatch',
        null,
        `summary.realizedPnl ${money(summary.realizedPnl)} but the groups sum to ${money(groupSum)}`,
      ),
    );
  }
  if (summary.executions !== executions) {
    found.push(
      violation(
        'pnl-mismatch',
        null,
        `summary.executions ${summary.executions} but the venue has ${executions} keel executions`,
      ),
    );
  }
  if (cents(summary.commissions) !== microsToCents(commissions)) {
    found.push(
      violation(
        'pnl-mismatch',
        null,
        `summary.commissions ${money(summary.commissions)} but keel's venue fills paid ${money(microsToCents(commissions))}`,
      ),
    );
  }
  return found;
}

function cents(amount: number): number {
  return microsToCents(toMicros(amount));
}

function money(amount: number): string {
  return amount.toFixed(2);
}
