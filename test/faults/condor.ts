// Small scenarios for the fault tests: a one-lot XSP 0DTE iron condor on fixed strikes (long 671P,
// short 672P, short 692C, long 693C) on a flat market, with the faults, outside positions and
// outside orders a test adds. The helpers read only the venue log, as an outside checker would.
import type { VenueLogLine } from '../../src/venues/sim/venue-log';
import { linesOf, type Line } from '../venue-log-lines';

export const strikes = { longPut: 671, shortPut: 672, shortCall: 692, longCall: 693 } as const;

export type CondorScenario = {
  readonly name: string;
  readonly seed?: number;
  readonly combos?: boolean;
  readonly qty?: number;
  readonly entryFrom?: string;
  readonly entryUntil?: string;
  readonly exitBy?: string;
  /** More underlyings beside XSP, as YAML flow mappings. */
  readonly markets?: readonly string[];
  /** YAML flow mappings, one per fault / outside position / outside order. */
  readonly faults?: readonly string[];
  readonly positions?: readonly string[];
  readonly orders?: readonly string[];
  /** Operator actions, as YAML flow mappings. */
  readonly operator?: readonly string[];
};

/** An XSP 0DTE option by strike and right, as a YAML flow mapping. */
export function xsp(strike: number, right: 'C' | 'P'): string {
  return `{ symbol: XSP, expiry: "2026-02-13", strike: ${strike}, right: ${right} }`;
}

const list = (key: string, items: readonly string[] | undefined, indent = '') =>
  items === undefined || items.length === 0
    ? [`${indent}${key}: []`]
    : [`${indent}${key}:`, ...items.map((i) => `${indent}  - ${i}`)];

export function condorYaml(s: CondorScenario): string {
  return [
    `name: ${s.name}`,
    `seed: ${s.seed ?? 5}`,
    'clock: { start: "2026-02-13T09:30:00-05:00", end: "2026-02-13T16:15:00-05:00" }',
    'account: { equity: 1000000 }',
    'market:',
    '  - { symbol: XSP, kind: index, spot: 683.38, vol: 0.21, path: flat, stepSeconds: 5 }',
    ...(s.markets ?? []).map((m) => `  - ${m}`),
    `venue: { products: options, combos: ${s.combos ?? true}, latencyMs: 50 }`,
    ...list('faults', s.faults),
    'external:',
    ...list('positions', s.positions, '  '),
    ...list('orders', s.orders, '  '),
    ...(s.operator === undefined ? [] : list('operator', s.operator)),
    'strategies:',
    '  - id: ic-0dte',
    '    kind: iron-condor-0dte',
    `    params: { underlying: XSP, strikes: { longPut: ${strikes.longPut}, shortPut: ${strikes.shortPut}, shortCall: ${strikes.shortCall}, longCall: ${strikes.longCall} }, minCredit: 0.05, qty: ${s.qty ?? 1}, entryFrom: "${s.entryFrom ?? '09:45'}", entryUntil: "${s.entryUntil ?? '14:00'}", exitBy: "${s.exitBy ?? '15:45'}" }`,
    'risk: { maxPositionsPerDay: 1 }',
  ].join('\n');
}

export { keelOrders, linesOf, type Line } from '../venue-log-lines';

export function fillsOf(log: readonly VenueLogLine[], venueOrderId: string): Line<'fill'>[] {
  return linesOf(log, 'fill').filter((f) => f.venueOrderId === venueOrderId);
}

/** Seconds between two venue-log times. */
export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

/** The venue's net quantity of one strike after every change, in log order. */
export function positionsOf(log: readonly VenueLogLine[], strike: number, right: 'C' | 'P'): number[] {
  return linesOf(log, 'position')
    .filter((p) => p.instrument.strike === strike && p.instrument.right === right)
    .map((p) => p.qty);
}

/** A leg, fill or position line's strike and right, e.g. "671P". */
export function legName(l: { instrument: { strike?: number; right?: string } }): string {
  return `${l.instrument.strike ?? ''}${l.instrument.right ?? ''}`;
}
