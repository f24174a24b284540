// The wall-clock driver of the engine host: what `keel run` uses against a venue that lives in
// real time (a broker's paper or live account). The venue's events arrive whenever its socket
// says so; the host acts on each burst on the next turn of the event loop, ticks the engine on a
// timer, and stops cleanly on the abort signal (Ctrl-C): the turn in progress finishes, the venue
// session closes, and the journal is left as the last append made it.
import type { Clock, TimeZone } from '../domain';
import { EngineHost, type HostOptions, type HostScheduler } from '../engine/host';

/** Real time. The zone offset only says how times print; instants are the wall clock's. */
export function wallClock(timeZone: TimeZone): Clock {
  return { now: () => Date.now(), timeZone };
}

export const wallScheduler: HostScheduler = { afterInput: (fn) => setImmediate(fn) };

export type LiveDriverOptions = Omit<HostOptions, 'scheduler' | 'isCrash' | 'onCrash' | 'account'> & {
  /** The account traded; a function when only the connected venue can say (its one account). */
  readonly account: HostOptions['account'] | (() => HostOptions['account']);
  /** How often exits, chases and strategies get a turn when nothing else happens. */
  readonly tickMs: number;
  readonly stop: AbortSignal;
  /** Called with the host once it runs (the operator API gives commands through it). */
  readonly onStarted?: (host: EngineHost) => void;
};

const tickMsMin = 50;

export async function driveLive(options: LiveDriverOptions): Promise<EngineHost> {
  if (!(options.tickMs >= tickMsMin))
    throw new Error(`tickMs must be at least ${tickMsMin}, got ${options.tickMs}`);
  let account;
  try {
    await options.venue.connect();
    account = typeof options.account === 'function' ? options.account() : options.account;
  } catch (e) {
    await options.venue.close();
    throw e;
  }
  const host = new EngineHost({ ...options, account, scheduler: wallScheduler });
  try {
    // Live, any error in the engine is a bug: it propagates and the process stops loudly.
    await host.start();
    options.onStarted?.(host);
    await new Promise<void>((resolve, reject) => {
      let ticking = false;
      const timer = setInterval(() => {
        if (ticking) return; // a slow tick is never stacked behind another
        ticking = true;
        host.tick().then(
          () => (ticking = false),
          (e: unknown) => {
            clearInterval(timer);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      }, options.tickMs);
      const done = () => {
        clearInterval(timer);
        resolve();
      };
      if (options.stop.aborted) done();
      else options.stop.addEventListener('abort', done, { once: true });
    });
  } finally {
    // The venue session closes even when the engine died of an error (host.stop() rethrows it):
    // a broker's poller or socket left open would keep a stopped keel polling the account.
    try {
      await host.stop();
    } finally {
      await options.venue.close();
    }
  }
  return host;
}
