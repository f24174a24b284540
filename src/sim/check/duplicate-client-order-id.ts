// `duplicate-client-order-id`: keel's client order id is how it finds an order again after a crash
// (write-ahead intent). Two venue orders under one id is a duplicate send or an id collision.
import { violation, type CheckInput, type Violation } from './types';

export function checkDuplicateClientOrderIds(input: Pick<CheckInput, 'lines'>): Violation[] {
  const found: Violation[] = [];
  const firstByClientId = new Map<string, { venueOrderId: string; seq: number }>();
  for (const line of input.lines) {
    if (line.type !== 'order' || line.origin !== 'keel' || line.clientOrderId === null) continue;
    const first = firstByClientId.get(line.clientOrderId);
    if (first === undefined) {
      firstByClientId.set(line.clientOrderId, { venueOrderId: line.venueOrderId, seq: line.seq });
      continue;
    }
    found.push(
      violation(
        'duplicate-client-order-id',
        line,
        `keel order ${line.venueOrderId} reuses client order id ${line.clientOrderId} of order ${first.venueOrderId} (seq ${first.seq})`,
      ),
    );
  }
  return found;
}
