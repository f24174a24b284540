// How the fake TWS describes the simulated venue's instruments as IB contracts: the simulated
// instrument id is the conId; options carry YYYYMMDD expiries and multiplier 100.
import { InstrumentId, type Instrument } from '../../../src/domain';
import type { WireContract, WireContractDetails } from './messages';

const secTypeOf: Record<Instrument['kind'], string> = {
  equity: 'STK',
  index: 'IND',
  option: 'OPT',
  future: 'FUT',
  crypto: 'CRYPTO',
};

export function kindsOfSecType(secType: string): readonly Instrument['kind'][] {
  return (Object.keys(secTypeOf) as Instrument['kind'][]).filter((k) => secTypeOf[k] === secType);
}

export function conIdOf(i: Instrument): number {
  return Number(i.id);
}

export function instrumentIdOfConId(conId: number): InstrumentId | null {
  return Number.isSafeInteger(conId) && conId > 0 ? InstrumentId.of(String(conId)) : null;
}

function exchangeOf(i: Instrument): string {
  if (i.kind === 'index') return 'CBOE';
  if (i.kind === 'crypto') return 'PAXOS';
  if (i.kind === 'future') return 'CME';
  return 'SMART';
}

export function wireContract(i: Instrument): WireContract {
  const option = i.kind === 'option' ? i : null;
  const expiry = option
    ? option.expiry.replaceAll('-', '')
    : i.kind === 'future' && i.expiry
      ? i.expiry.replaceAll('-', '')
      : '';
  return {
    conId: conIdOf(i),
    symbol: i.symbol,
    secType: secTypeOf[i.kind],
    lastTradeDate: expiry,
    strike: option?.strike ?? 0,
    right: option?.right ?? '',
    multiplier: i.multiplier,
    exchange: exchangeOf(i),
    currency: 'USD',
    localSymbol: option
      ? `${option.symbol.padEnd(6)}${expiry.slice(2)}${option.right}${String(Math.round(option.strike * 1000)).padStart(8, '0')}`
      : i.symbol,
    tradingClass: i.symbol,
  };
}

/** The BAG contract of a combo order: IB's combo conId for USD, the legs in the order. */
export function bagContract(symbol: string): WireContract {
  return {
    conId: 28812380,
    symbol,
    secType: 'BAG',
    lastTradeDate: '',
    strike: 0,
    right: '',
    multiplier: 1,
    exchange: 'SMART',
    currency: 'USD',
    localSymbol: '',
    tradingClass: '',
  };
}

export function wireDetails(i: Instrument, underlying: Instrument | null): WireContractDetails {
  return {
    contract: wireContract(i),
    minTick: i.tick,
    sizeIncrement: i.lot,
    underConId: underlying ? conIdOf(underlying) : 0,
    underSymbol: underlying?.symbol ?? '',
    underSecType: underlying ? secTypeOf[underlying.kind] : '',
    longName: i.symbol,
  };
}

/** "YYYYMMDD-HH:MM:SS" in UTC, as TWS writes execution times with UTC times configured. */
export function wireTime(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

export function parseWireTime(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})[- ]+(\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
