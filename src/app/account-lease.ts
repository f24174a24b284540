// One engine per account across hosts: before trading, `keel run` takes the account's lease in a
// journal that has one (PostgreSQL), waits while another engine holds it (saying who, until when),
// renews it while it runs, and stops at once when it cannot: a takeover means another engine
// trades the account now, and the database would refuse this one's writes anyway.
import { formatIso, type TimeZone } from '../domain';
import type { JournalLease } from '../ledger/journal';

export type HeldLease = {
  readonly token: number;
  /** Stops renewing (the journal's close releases the lease). */
  stop(): void;
};

export type LeaseOptions = {
  readonly holder: string;
  readonly ttlMs: number;
  readonly zone: TimeZone;
  readonly say: (line: string) => void;
  /** Giving up while waiting (Ctrl-C). */
  readonly stop: AbortSignal;
  /** The lease is gone: trading must stop now. */
  readonly onLost: (why: string) => void;
};

/** How often a waiting engine asks again, at most. */
const waitPollMsMax = 1_000;

export async function holdAccountLease(lease: JournalLease, o: LeaseOptions): Promise<HeldLease | null> {
  let shown = '';
  for (;;) {
    if (o.stop.aborted) return null;
    const attempt = await lease.acquire(o.holder, o.ttlMs);
    if (attempt.ok) {
      o.say(
        `took the account lease (fencing token ${attempt.lease.token}, renewed every ${Math.round(o.ttlMs / 3000)} s)`,
      );
      return { token: attempt.lease.token, stop: renewing(lease, attempt.lease.expiresAt, o) };
    }
    const held = attempt.heldBy;
    const line = `the account is traded by ${held.holder} (token ${held.token}, lease until ${formatIso(held.expiresAt, o.zone)}); waiting to take over when it lapses (Ctrl-C to give up)`;
    if (line !== shown) o.say(line);
    shown = line;
    await sleep(waitPollMsMax, o.stop);
  }
}

function renewing(lease: JournalLease, firstExpiry: number, o: LeaseOptions): () => void {
  let expiresAt = firstExpiry;
  let lost = false;
  const timer = setInterval(
    () => {
      lease.renew(o.ttlMs).then(
        (kept) => {
          if (kept || lost) {
            expiresAt = Date.now() + o.ttlMs;
            return;
          }
          lost = true;
          o.onLost('another engine took the account lease over');
        },
        (e: unknown) => {
          // A database hiccup: fine while the lease still runs; past its expiry another engine may trade.
          if (lost || Date.now() < expiresAt) return;
          lost = true;
          o.onLost(
            `the lease could not be renewed before it lapsed (${e instanceof Error ? e.message : String(e)})`,
          );
        },
      );
    },
    Math.max(250, Math.floor(o.ttlMs / 3)),
  );
  return () => clearInterval(timer);
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
