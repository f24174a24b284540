// `seq`: the venue numbers its lines 1, 2, 3, ... and its clock never runs backwards. A gap means
// the log lost a line; every other invariant reads the log in this order.
import { parseIsoWithOffset } from '../../domain';
import { violation, type CheckInput, type Violation } from './types';

export function checkSeq(input: Pick<CheckInput, 'lines'>): Violation[] {
  const found: Violation[] = [];
  let expectedSeq = 1;
  let latest: { epochMs: number; t: string } | null = null;
  for (const line of input.lines) {
    if (line.seq !== expectedSeq) {
      found.push(violation('seq', line, `line seq ${line.seq} where ${expectedSeq} was expected`));
    }
    expectedSeq = line.seq + 1;
    const parsed = parseIsoWithOffset(line.t);
    if (parsed === null) {
      found.push(violation('seq', line, `t "${line.t}" is not ISO 8601 with an offset`));
    } else if (latest !== null && parsed.epochMs < latest.epochMs) {
      found.push(violation('seq', line, `t ${line.t} is earlier than ${latest.t} before it`));
    } else {
      latest = { epochMs: parsed.epochMs, t: line.t };
    }
  }
  return found;
}
