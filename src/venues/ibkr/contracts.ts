// Instruments <-> IB contracts. An instrument's id is its conId, the only identity IB keeps stable:
// the 2026-02-13 cascade filtered positions by symbol and closed a 704C that was not the bot's.
// Option expiries travel as YYYYMMDD; avgCost on positions includes the multiplier.
import { InstrumentId, type Instrument, type InstrumentTerms, type UnderlyingKind } from '../../domain';
import type { Contract, ContractDetails } from '@stoqey/ib';

export type SecType = 'STK' | 'IND' | 'OPT' | 'FUT' | 'CRYPTO' | 'BAG';

/** IB's combo contract id for USD combos (a BAG's own conId). */
export const bagConId = 28812380;

export function conIdOf(id: InstrumentId): number | null {
  const n = Number(id);
  return /^\d+$/.test(id) && Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function instrumentIdOf(conId: number | undefined): InstrumentId | null {
  return conId !== undefined && Number.isSafeInteger(conId) && conId > 0
    ? InstrumentId.of(String(conId))
    : null;
}

export function toIbDate(expiry: string): string {
  return expiry.replaceAll('-', '');
}

export function fromIbDate(text: string | undefined): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(text ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** The contract that names an instrument in orders and market data requests: by conId. */
export function contractOf(i: Instrument): Contract {
  return {
    conId: Number(i.id),
    symbol: i.symbol,
    secType: secTypeOf(i.kind) as NonNullable<Contract['secType']>,
    exchange: exchangeOf(i),
    currency: 'USD',
    ...(i.kind === 'option'
      ? {
          lastTradeDateOrContractMonth: toIbDate(i.expiry),
          strike: i.strike,
          right: i.right as NonNullable<Contract['right']>,
          multiplier: i.multiplier,
        }
      : {}),
  };
}

export function secTypeOf(kind: Instrument['kind']): SecType {
  switch (kind) {
    case 'equity':
      return 'STK';
    case 'index':
      return 'IND';
    case 'option':
      return 'OPT';
    case 'future':
      return 'FUT';
    case 'crypto':
      return 'CRYPTO';
  }
}

function exchangeOf(i: Instrument): string {
  if (i.kind === 'index') return 'CBOE';
  if (i.kind === 'crypto') return 'PAXOS';
  if (i.kind === 'future') return 'CME';
  return 'SMART';
}

/** The contract-details queries that may describe these terms, most likely first. */
export function queriesFor(terms: InstrumentTerms): Contract[] {
  if ('strike' in terms)
    return [
      {
        symbol: terms.symbol,
        secType: 'OPT' as NonNullable<Contract['secType']>,
        lastTradeDateOrContractMonth: toIbDate(terms.expiry),
        strike: terms.strike,
        right: terms.right as NonNullable<Contract['right']>,
        exchange: 'SMART',
        currency: 'USD',
      },
    ];
  const kinds: SecType[] =
    terms.kind === undefined
      ? ['STK', 'IND', 'CRYPTO', 'FUT']
      : [
          terms.kind === 'equity'
            ? 'STK'
            : terms.kind === 'index'
              ? 'IND'
              : terms.kind === 'crypto'
                ? 'CRYPTO'
                : 'FUT',
        ];
  return kinds.map((secType) => ({
    symbol: terms.symbol,
    secType: secType as NonNullable<Contract['secType']>,
    currency: 'USD',
  }));
}

/** All options of an underlying for one expiry (one contract-details round trip). */
export function chainQuery(symbol: string, expiry: string): Contract {
  return {
    symbol,
    secType: 'OPT' as NonNullable<Contract['secType']>,
    lastTradeDateOrContractMonth: toIbDate(expiry),
    exchange: 'SMART',
    currency: 'USD',
  };
}

function underlyingKindOf(secType: string | undefined): UnderlyingKind {
  return secType === 'IND' ? 'index' : secType === 'CRYPTO' ? 'crypto' : 'equity';
}

/** keel's instrument from TWS's description, or why it cannot be one. */
export function instrumentFromDetails(d: ContractDetails): Instrument | string {
  const c = d.contract;
  const id = instrumentIdOf(c.conId);
  if (id === null) return `contract without a conId (${c.symbol ?? '?'})`;
  const symbol = c.symbol ?? '';
  const tick = d.minTick !== undefined && d.minTick > 0 ? d.minTick : 0.01;
  const lot = d.sizeIncrement !== undefined && d.sizeIncrement > 0 ? d.sizeIncrement : 1;
  const multiplier = c.multiplier !== undefined && c.multiplier > 0 ? Number(c.multiplier) : 1;
  switch (c.secType as string) {
    case 'STK':
      return { id, symbol, kind: 'equity', multiplier, tick, lot };
    case 'IND':
      return { id, symbol, kind: 'index', multiplier, tick, lot };
    case 'CRYPTO':
      return { id, symbol, kind: 'crypto', multiplier, tick, lot };
    case 'FUT':
      return {
        id,
        symbol,
        kind: 'future',
        expiry: fromIbDate(c.lastTradeDateOrContractMonth),
        multiplier,
        tick,
        lot,
      };
    case 'OPT': {
      const expiry = fromIbDate(c.lastTradeDateOrContractMonth);
      if (expiry === null || c.strike === undefined || (c.right !== 'C' && c.right !== 'P'))
        return `option ${symbol} ${c.conId} without expiry, strike or right`;
      return {
        id,
        symbol,
        kind: 'option',
        expiry,
        strike: c.strike,
        right: c.right,
        multiplier,
        tick,
        lot,
        underlyingKind: underlyingKindOf(d.underSecType),
      };
    }
    default:
      return `security type ${String(c.secType)} is not traded by keel`;
  }
}
