// Instruments and option chains as the venue resolves them, cached for the session. A lookup that
// needs a broker round trip (IB reqContractDetails, an exchange's market list) answers "pending"
// now and fills the cache when the answer arrives; `onResolved` then lets the host act again. The
// simulated venue answers at once, so a simulated run never waits.
import type { Instrument, InstrumentId, InstrumentTerms } from '../domain';
import type { MaybePromise, ResolveResult, Venue } from '../venues/venue';

export type Lookup<T> = { readonly state: 'ready'; readonly value: T } | { readonly state: 'pending' };

/** Bounds the cache: a strategy scanning chains for a year of expiries stays well below it. */
const cachedLookupsMax = 100_000;

export class InstrumentCache {
  private readonly byTerms = new Map<string, Lookup<ResolveResult>>();
  private readonly byId = new Map<InstrumentId, Lookup<Instrument | null>>();
  private readonly chains = new Map<string, Lookup<readonly Instrument[]>>();
  /** Terms whose answer is on its way: an operator's order waits for it, a strategy does not. */
  private readonly termsInFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly venue: Venue,
    private readonly onResolved: () => void,
  ) {}

  resolve(terms: InstrumentTerms): Lookup<ResolveResult> {
    const key = termsKey(terms);
    return this.lookup(
      this.byTerms,
      key,
      () => this.venue.resolveInstrument(terms),
      (e) => ({
        ok: false,
        reason: `the venue could not resolve it: ${e}`,
      }),
      (answered) => {
        this.termsInFlight.set(key, answered);
        void answered.finally(() => this.termsInFlight.delete(key));
      },
    );
  }

  /** Settles once the venue has answered for these terms (at once where it already has). */
  async whenResolved(terms: InstrumentTerms): Promise<void> {
    if (this.resolve(terms).state === 'ready') return;
    await this.termsInFlight.get(termsKey(terms));
  }

  /** The venue's description of an instrument it reported (a position, a fill); null: it has none. */
  describe(id: InstrumentId): Lookup<Instrument | null> {
    return this.lookup(
      this.byId,
      id,
      () => this.venue.instrument(id),
      () => null,
    );
  }

  /** Awaits descriptions of all of `ids` (reconciliation reads a snapshot before it acts). */
  async describeAll(ids: readonly InstrumentId[]): Promise<Map<InstrumentId, Instrument | null>> {
    const out = new Map<InstrumentId, Instrument | null>();
    await Promise.all(
      ids.map(async (id) => {
        const now = this.describe(id);
        if (now.state === 'ready') {
          out.set(id, now.value);
          return;
        }
        out.set(id, await settle(this.venue.instrument(id), () => null));
      }),
    );
    return out;
  }

  optionChain(symbol: string, expiry: string): readonly Instrument[] {
    const r = this.lookup(
      this.chains,
      `${symbol}|${expiry}`,
      () => this.venue.optionChain(symbol, expiry),
      () => [],
    );
    return r.state === 'ready' ? r.value : [];
  }

  private lookup<K, T>(
    cache: Map<K, Lookup<T>>,
    key: K,
    ask: () => MaybePromise<T>,
    onError: (e: string) => T,
    onPending: (answered: Promise<unknown>) => void = () => {},
  ): Lookup<T> {
    const known = cache.get(key);
    if (known) return known;
    if (cache.size >= cachedLookupsMax) cache.clear();
    let answer: MaybePromise<T>;
    try {
      answer = ask();
    } catch (e) {
      // A failed round trip is not an answer: it is asked again next time.
      return { state: 'ready', value: onError(errorText(e)) };
    }
    if (!(answer instanceof Promise)) {
      const ready: Lookup<T> = { state: 'ready', value: answer };
      cache.set(key, ready);
      return ready;
    }
    cache.set(key, { state: 'pending' });
    const answered = answer
      .then(
        (value) => cache.set(key, { state: 'ready', value }),
        () => cache.delete(key),
      )
      .finally(() => this.onResolved());
    onPending(answered);
    return { state: 'pending' };
  }
}

async function settle<T>(answer: MaybePromise<T>, onError: (e: string) => T): Promise<T> {
  try {
    return await answer;
  } catch (e) {
    return onError(errorText(e));
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function termsKey(terms: InstrumentTerms): string {
  return JSON.stringify(terms, Object.keys(terms).sort());
}
