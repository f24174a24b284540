// The simulator's clock: a priority queue of (time, insertion order). Ties run in the order they
// were scheduled, so a run is a pure function of the scenario and seed.
import { assert, InvariantError } from '../../domain';

type Entry = { t: number; seq: number; label: string; fn: () => void | Promise<void> };

const queueLengthMax = 5_000_000;

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;

  push(t: number, label: string, fn: () => void | Promise<void>): void {
    if (!Number.isFinite(t)) throw new InvariantError(`event '${label}' at a non-finite time`);
    assert(this.heap.length < queueLengthMax, 'simulation event queue overflow');
    this.heap.push({ t, seq: this.seq++, label, fn });
    this.up(this.heap.length - 1);
  }

  /** Reserves `n` order numbers for events queued later (pushReserved), in place of queuing them now. */
  reserve(n: number): number {
    const first = this.seq;
    this.seq += n;
    return first;
  }

  /** Queues an event under an order number from reserve(): it runs where it would have if queued then. */
  pushReserved(t: number, seq: number, label: string, fn: () => void | Promise<void>): void {
    if (!Number.isFinite(t)) throw new InvariantError(`event '${label}' at a non-finite time`);
    if (!(seq < this.seq)) throw new InvariantError(`event '${label}': order number ${seq} was not reserved`);
    assert(this.heap.length < queueLengthMax, 'simulation event queue overflow');
    this.heap.push({ t, seq, label, fn });
    this.up(this.heap.length - 1);
  }

  pop(): Entry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.t;
  }

  get size(): number {
    return this.heap.length;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const child = h[i] as Entry;
      const above = h[parent] as Entry;
      if (!this.less(child, above)) break;
      h[i] = above;
      h[parent] = child;
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && this.less(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) return;
      const moved = h[i] as Entry;
      h[i] = h[m] as Entry;
      h[m] = moved;
      i = m;
    }
  }
}
