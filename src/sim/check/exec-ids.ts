// `duplicate-exec-id`: one execution id names one execution. The venue may report an execution
// twice (spec: duplicateFill), and the checker counts it once; a second line with the same exec id
// but a different instrument, side, quantity, price or order is two executions under one name.
import type { Violation, CheckInput, FillLine } from './types';
import { violation } from './types';

export function checkExecIds(input: Pick<CheckInput, 'lines'>): Violation[] {
  const found: Violation[] = [];
  const firstByExecId = new Map<string, FillLine>();
  for (const line of input.lines) {
    if (line.type !== 'fill') continue;
    const first = firstByExecId.get(line.execId);
    if (first === undefined) {
      firstByExecId.set(line.execId, line);
      continue;
    }
    const differs = differingFields(first, line);
    if (differs.length > 0) {
      found.push(
        violation(
          'duplicate-exec-id',
          line,
          `exec id ${line.execId} first reported at seq ${first.seq} is reported again with a different ${differs.join(', ')}`,
        ),
      );
    }
  }
  return found;
}

function differingFields(a: FillLine, b: FillLine): string[] {
  const fields: [string, unknown, unknown][] = [
    ['venueOrderId', a.venueOrderId, b.venueOrderId],
    ['clientOrderId', a.clientOrderId, b.clientOrderId],
    ['comboExecId', a.comboExecId, b.comboExecId],
    ['instrument', a.instrument.id, b.instrument.id],
    ['side', a.side, b.side],
    ['qty', a.qty, b.qty],
    ['price', a.price, b.price],
    ['commission', a.commission, b.commission],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([name]) => name);
}
