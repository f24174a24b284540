// IB order ids: integers that must increase for a client id, starting at or above `nextValidId`.
// An id is never used twice, even across restarts: the caller hands in the last id it journaled
// and the adapter starts at max(nextValidId, last + 1); every id taken is reported so the caller
// can journal it before the order goes out.
import { assert } from '../../domain';

export class OrderIdAllocator {
  private next: number | null = null;

  constructor(
    private lastUsed: number | null,
    private onTaken: (id: number) => void = () => {},
  ) {
    assert(lastUsed === null || Number.isSafeInteger(lastUsed), `last order id ${lastUsed}`);
  }

  /** The journal's last id (an engine start): ids continue above it; `onTaken` hears each new one. */
  resume(last: number | null, onTaken: (id: number) => void): void {
    assert(last === null || Number.isSafeInteger(last), `last order id ${last}`);
    this.onTaken = onTaken;
    if (last === null) return;
    this.lastUsed = Math.max(this.lastUsed ?? last, last);
    if (this.next !== null) this.next = Math.max(this.next, last + 1);
  }

  /** TWS said which id is next (on connect, and after reqIds). */
  onNextValidId(id: number): void {
    assert(Number.isSafeInteger(id), `nextValidId ${id}`);
    this.next = Math.max(id, (this.lastUsed ?? 0) + 1, this.next ?? 0);
  }

  /** Some id at or below `id` is already taken at TWS (error 103): never offer it again. */
  skipPast(id: number): void {
    this.next = Math.max(this.next ?? 0, id + 1);
  }

  get ready(): boolean {
    return this.next !== null;
  }

  take(): number {
    assert(this.next !== null, 'an order id before nextValidId');
    const id = this.next++;
    this.lastUsed = id;
    this.onTaken(id);
    return id;
  }

  get lastUsedId(): number | null {
    return this.lastUsed;
  }
}
