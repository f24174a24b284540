// Crash injection: the engine "process" dies at an instant between two of its steps. The journal
// (the disk) survives; everything in memory is gone. A crash after the Nth append leaves that
// append durable, exactly like a process killed right after fsync.
import type { EventStore } from '../../engine/recorder';

export class EngineCrash extends Error {
  override readonly name = 'EngineCrash';
}

export class CrashableStore implements EventStore {
  appends = 0;
  private crashAtAppend: number | null = null;

  /** `onAppend` sees each event once it is durable (alerts: src/app/notify), before any crash. */
  constructor(
    private readonly inner: EventStore,
    private readonly onAppend: ((event: { type: string; t: number; data: unknown }) => void) | null = null,
  ) {}

  crashAfterAppend(n: number): void {
    this.crashAtAppend = n;
  }

  append(event: { type: string; v: number; t: number; data: unknown }): number {
    const seq = this.inner.append(event);
    this.appends++;
    this.onAppend?.(event);
    if (this.crashAtAppend !== null && this.appends === this.crashAtAppend) {
      this.crashAtAppend = null;
      throw new EngineCrash(`engine crashed after journal append ${this.appends} (${event.type})`);
    }
    return seq;
  }

  read(fromSeq?: number) {
    return this.inner.read(fromSeq);
  }

  /** Checkpoints are the journal's own: they outlive a crash as its events do. */
  get checkpoints() {
    return this.inner.checkpoints;
  }
}
