// The simulated venue's instrument registry: it gives each instrument a numeric id the way a real
// broker gives a contract id, in order of first reference (deterministic for a given run).
import {
  InvariantError,
  InstrumentId,
  type Instrument,
  type InstrumentTerms,
  type OptionRight,
  type UnderlyingKind,
} from '../../domain';
import type { ResolveResult } from '../venue';

export type UnderlyingSpec = { symbol: string; kind: UnderlyingKind };
export type SimProducts = 'options' | 'equities' | 'futures';

const firstInstrumentId = 841_000_001;
const expiryPattern = /^\d{4}-\d{2}-\d{2}$/;

export class SimInstrumentRegistry {
  private readonly byKey = new Map<string, Instrument>();
  private readonly byId = new Map<InstrumentId, Instrument>();
  private nextId = firstInstrumentId;

  constructor(
    private readonly underlyings: ReadonlyMap<string, UnderlyingSpec>,
    private readonly products: SimProducts,
  ) {}

  resolve(terms: InstrumentTerms): ResolveResult {
    const u = this.underlyings.get(terms.symbol);
    if (!u)
      return {
        ok: false,
        reason: `unknown symbol '${terms.symbol}' (the venue lists ${[...this.underlyings.keys()].join(', ')})`,
      };
    if ('strike' in terms) return this.resolveOption(u, terms.expiry, terms.strike, terms.right);
    return { ok: true, instrument: this.underlyingInstrument(u) };
  }

  get(id: InstrumentId): Instrument | null {
    return this.byId.get(id) ?? null;
  }

  all(): Instrument[] {
    return [...this.byId.values()];
  }

  /** The tradable instrument for an underlying: the stock, the index, or the perpetual future. */
  underlyingInstrument(u: UnderlyingSpec): Instrument {
    const key = `U|${u.symbol}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const id = this.mint();
    const instrument: Instrument =
      u.kind === 'crypto' && this.products === 'futures'
        ? { id, symbol: u.symbol, kind: 'future', expiry: null, multiplier: 1, tick: 0.1, lot: 0.0001 }
        : u.kind === 'crypto'
          ? { id, symbol: u.symbol, kind: 'crypto', multiplier: 1, tick: 0.01, lot: 0.0001 }
          : { id, symbol: u.symbol, kind: u.kind, multiplier: 1, tick: 0.01, lot: 1 };
    return this.remember(key, instrument);
  }

  private resolveOption(
    u: UnderlyingSpec,
    expiry: string,
    strike: number,
    right: OptionRight,
  ): ResolveResult {
    if (this.products !== 'options')
      return { ok: false, reason: `this venue trades ${this.products}, not options` };
    if (!expiryPattern.test(expiry))
      return { ok: false, reason: `expiry must be YYYY-MM-DD, got '${expiry}'` };
    if (!(strike > 0) || Math.round(strike * 100) !== strike * 100)
      return { ok: false, reason: `strike must be a positive price in cents, got ${strike}` };
    const key = `O|${u.symbol}|${expiry}|${strike}|${right}`;
    const known = this.byKey.get(key);
    if (known) return { ok: true, instrument: known };
    const instrument: Instrument = {
      id: this.mint(),
      symbol: u.symbol,
      kind: 'option',
      expiry,
      strike,
      right,
      multiplier: 100,
      tick: 0.01,
      lot: 1,
      underlyingKind: u.kind,
    };
    return { ok: true, instrument: this.remember(key, instrument) };
  }

  private mint(): InstrumentId {
    return InstrumentId.of(String(this.nextId++));
  }

  private remember(key: string, instrument: Instrument): Instrument {
    if (this.byId.has(instrument.id)) throw new InvariantError(`instrument id ${instrument.id} minted twice`);
    this.byKey.set(key, instrument);
    this.byId.set(instrument.id, instrument);
    return instrument;
  }
}
