// Executions joined with their commission reports by execId, and a combo's leg executions joined
// into one execution group. IB execIds look like "0000e0d5.6575d5b4.01.01": a correction keeps the
// part before the last dot and changes the suffix; it replaces the execution it corrects and is
// never counted twice (keel keeps the first execId as the execution's name).
import { toMicros, type Micros, type Side } from '../../domain';
import type { Contract, Execution } from '@stoqey/ib';
import { isBag } from './order-mapping';

export type IbExecution = {
  readonly execId: string;
  readonly orderId: number;
  readonly permId: number;
  readonly conId: number;
  readonly bag: boolean;
  readonly side: Side;
  readonly shares: number;
  readonly price: number;
  readonly orderRef: string;
  readonly time: string;
};

export function execPrefix(execId: string): string {
  const dot = execId.lastIndexOf('.');
  return dot > 0 ? execId.slice(0, dot) : execId;
}

export function readExecution(contract: Contract, e: Execution): IbExecution | string {
  if (!e.execId) return 'an execution without an execId';
  const side: Side | null = e.side === 'BOT' ? 'BUY' : e.side === 'SLD' ? 'SELL' : null;
  if (side === null) return `execution ${e.execId}: side '${String(e.side)}'`;
  if (e.shares === undefined || !(e.shares > 0)) return `execution ${e.execId}: shares ${String(e.shares)}`;
  return {
    execId: e.execId,
    orderId: e.orderId ?? 0,
    permId: e.permId ?? 0,
    conId: contract.conId ?? 0,
    bag: isBag(contract),
    side,
    shares: e.shares,
    price: e.price ?? 0,
    orderRef: e.orderRef ?? '',
    time: e.time ?? '',
  };
}

export type ExecutionRecord = {
  /** keel's name of the execution: the first execId reported for it. */
  readonly key: string;
  exec: IbExecution;
  commission: Micros | null;
  readonly t: number;
  comboExecId: string | null;
};

export type ExecutionAdded =
  | { readonly kind: 'new'; readonly record: ExecutionRecord }
  | { readonly kind: 'duplicate'; readonly record: ExecutionRecord }
  | { readonly kind: 'correction'; readonly record: ExecutionRecord; readonly before: IbExecution };

/** Bound on executions kept for one session (a day of heavy trading is a few thousand). */
export const executionsKeptMax = 200_000;

export class ExecutionBook {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly byExecId = new Map<string, string>();
  private readonly byPrefix = new Map<string, string>();
  /** Commission reports that came before their execution. */
  private readonly earlyCommissions = new Map<string, Micros>();

  add(exec: IbExecution, t: number): ExecutionAdded {
    const known = this.byExecId.get(exec.execId);
    if (known !== undefined) return { kind: 'duplicate', record: this.records.get(known) as ExecutionRecord };
    const corrected = this.byPrefix.get(execPrefix(exec.execId));
    if (corrected !== undefined) {
      const record = this.records.get(corrected) as ExecutionRecord;
      const before = record.exec;
      record.exec = exec;
      this.byExecId.set(exec.execId, record.key);
      return { kind: 'correction', record, before };
    }
    if (this.records.size >= executionsKeptMax) throw new Error('ibkr: execution book full');
    const record: ExecutionRecord = { key: exec.execId, exec, commission: null, t, comboExecId: null };
    this.records.set(record.key, record);
    this.byExecId.set(exec.execId, record.key);
    this.byPrefix.set(execPrefix(exec.execId), record.key);
    const early = this.earlyCommissions.get(exec.execId);
    if (early !== undefined) {
      record.commission = early;
      this.earlyCommissions.delete(exec.execId);
    }
    return { kind: 'new', record };
  }

  /** Joins a commission report; the record it completed, if any. */
  commission(execId: string, amount: number | undefined): ExecutionRecord | null {
    const micros = toMicros(amount ?? 0);
    const key = this.byExecId.get(execId);
    if (key === undefined) {
      this.earlyCommissions.set(execId, micros);
      return null;
    }
    const record = this.records.get(key) as ExecutionRecord;
    record.commission = micros;
    return record;
  }

  get(execId: string): ExecutionRecord | null {
    const key = this.byExecId.get(execId);
    return key === undefined ? null : (this.records.get(key) ?? null);
  }

  all(): ExecutionRecord[] {
    return [...this.records.values()];
  }
}

/** One execution of a combo: the BAG's execution names the units, each leg must fill ratio x units. */
export class ComboExecution {
  readonly legs: ExecutionRecord[] = [];
  private readonly want: Map<number, number>;
  private readonly have = new Map<number, number>();

  constructor(
    readonly comboExecId: string,
    readonly units: number,
    ratios: ReadonlyMap<number, number>,
  ) {
    this.want = new Map([...ratios].map(([conId, ratio]) => [conId, ratio * units]));
  }

  /** Whether this leg execution belongs here (its leg still needs quantity). */
  takes(exec: IbExecution): boolean {
    const want = this.want.get(exec.conId);
    return want !== undefined && (this.have.get(exec.conId) ?? 0) + exec.shares <= want + 1e-9;
  }

  add(record: ExecutionRecord): void {
    record.comboExecId = this.comboExecId;
    this.legs.push(record);
    this.have.set(record.exec.conId, (this.have.get(record.exec.conId) ?? 0) + record.exec.shares);
  }

  get complete(): boolean {
    for (const [conId, want] of this.want)
      if (Math.abs((this.have.get(conId) ?? 0) - want) > 1e-9) return false;
    return this.legs.every((l) => l.commission !== null);
  }
}
