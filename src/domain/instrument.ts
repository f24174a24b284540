// Instruments are identified by the venue's own id (IB conId, OCC symbol, ccxt market id).
// Two instruments with the same symbol are different things: the contamination incident filtered
// broker positions by symbol and closed a position that was not the bot's.
import type { InstrumentId } from './ids';

export type OptionRight = 'C' | 'P';
export type UnderlyingKind = 'index' | 'equity' | 'crypto';

type InstrumentBase = {
  readonly id: InstrumentId;
  readonly symbol: string;
  readonly multiplier: number;
  readonly tick: number;
  readonly lot: number;
};

export type EquityInstrument = InstrumentBase & { readonly kind: 'equity' };
export type IndexInstrument = InstrumentBase & { readonly kind: 'index' };
export type CryptoInstrument = InstrumentBase & { readonly kind: 'crypto' };
export type OptionInstrument = InstrumentBase & {
  readonly kind: 'option';
  readonly expiry: string; // YYYY-MM-DD
  readonly strike: number;
  readonly right: OptionRight;
  readonly underlyingKind: UnderlyingKind;
};
/** A dated future, or a perpetual (no expiry). */
export type FutureInstrument = InstrumentBase & { readonly kind: 'future'; readonly expiry: string | null };

export type Instrument =
  EquityInstrument | IndexInstrument | CryptoInstrument | OptionInstrument | FutureInstrument;
export type InstrumentKind = Instrument['kind'];

/** What an instrument is, without the venue's id: how scenarios and strategies name it. */
export type InstrumentTerms =
  | { readonly symbol: string; readonly kind?: 'equity' | 'index' | 'crypto' | 'future' }
  | {
      readonly symbol: string;
      readonly expiry: string;
      readonly strike: number;
      readonly right: OptionRight;
    };

export function isOption(i: Instrument): i is OptionInstrument {
  return i.kind === 'option';
}

export function describeInstrument(i: Instrument): string {
  switch (i.kind) {
    case 'option':
      return `${i.symbol} ${i.expiry} ${i.strike}${i.right}`;
    case 'future':
      return i.expiry === null ? `${i.symbol} PERP` : `${i.symbol} ${i.expiry} FUT`;
    case 'equity':
    case 'index':
    case 'crypto':
      return i.symbol;
  }
}

/** The venue-log shape of an instrument (spec/simulation.md). */
export type InstrumentRecord = {
  id: string;
  symbol: string;
  kind: InstrumentKind;
  expiry?: string;
  strike?: number;
  right?: OptionRight;
  multiplier: number;
};

export function instrumentRecord(i: Instrument): InstrumentRecord {
  switch (i.kind) {
    case 'option':
      return {
        id: i.id,
        symbol: i.symbol,
        kind: i.kind,
        expiry: i.expiry,
        strike: i.strike,
        right: i.right,
        multiplier: i.multiplier,
      };
    case 'future':
      return i.expiry === null
        ? { id: i.id, symbol: i.symbol, kind: i.kind, multiplier: i.multiplier }
        : { id: i.id, symbol: i.symbol, kind: i.kind, expiry: i.expiry, multiplier: i.multiplier };
    case 'equity':
    case 'index':
    case 'crypto':
      return { id: i.id, symbol: i.symbol, kind: i.kind, multiplier: i.multiplier };
  }
}
