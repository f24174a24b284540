// Small equity scenarios for the gate tests: PLTR and TSLA on a flat market (the 2026-01-02
// prices), a $105,000 account, the incident's limits unless a test overrides one, and the
// operator commands and faults a test adds. Helpers read the venue log and the report the way an
// outside checker would.
import type { ReportRefusal } from '../../src/engine/report';
import type { VenueLogLine } from '../../src/venues/sim/venue-log';
import { linesOf, type Line } from '../venue-log-lines';

export type GateScenario = {
  readonly name: string;
  readonly seed?: number;
  /** ISO times; default one session on Friday 2026-01-02. */
  readonly start?: string;
  readonly end?: string;
  /** Trading hours for multi-day runs. */
  readonly session?: { readonly open: string; readonly close: string };
  readonly stepSeconds?: number;
  /** PLTR's market instead of the flat one, as a YAML flow mapping. */
  readonly pltr?: string;
  /** More markets, as YAML flow mappings. */
  readonly markets?: readonly string[];
  /** YAML flow mappings. */
  readonly operator?: readonly string[];
  readonly faults?: readonly string[];
  /** Risk keys overriding the incident's limits, as `key: value` YAML. */
  readonly risk?: Readonly<Record<string, number | string>>;
};

export const incidentRisk = {
  riskPerTradePct: 0.02,
  maxPositionPct: 0.1,
  maxDailyPct: 0.2,
  maxWeeklyPct: 0.4,
  maxPositionsPerDay: 2,
  maxPositionsPerWeek: 10,
} as const;

const list = (key: string, items: readonly string[] | undefined) =>
  items === undefined || items.length === 0 ? [`${key}: []`] : [`${key}:`, ...items.map((i) => `  - ${i}`)];

export function gateYaml(s: GateScenario): string {
  const step = s.stepSeconds ?? 5;
  const risk = { ...incidentRisk, ...s.risk };
  return [
    `name: ${s.name}`,
    `seed: ${s.seed ?? 2}`,
    'clock:',
    `  start: '${s.start ?? '2026-01-02T09:30:00-05:00'}'`,
    `  end: '${s.end ?? '2026-01-02T16:00:00-05:00'}'`,
    ...(s.session ? [`  session: { open: '${s.session.open}', close: '${s.session.close}' }`] : []),
    'account: { equity: 105000 }',
    'market:',
    `  - ${s.pltr ?? `{ symbol: PLTR, kind: equity, spot: 170.77, vol: 0.55, path: flat, stepSeconds: ${step} }`}`,
    `  - { symbol: TSLA, kind: equity, spot: 443.18, vol: 0.5, path: flat, stepSeconds: ${step} }`,
    ...(s.markets ?? []).map((m) => `  - ${m}`),
    'venue: { products: equities, combos: false, latencyMs: 50 }',
    ...list('operator', s.operator),
    ...list('faults', s.faults),
    `risk: { ${Object.entries(risk)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : String(v)}`)
      .join(', ')} }`,
  ].join('\n');
}

export { keelOrders, linesOf, type Line } from '../venue-log-lines';

/** Keel's fills of opening orders (client ids `<group>-o<n>`). */
export function openFills(log: readonly VenueLogLine[]): Line<'fill'>[] {
  return linesOf(log, 'fill').filter((f) => f.clientOrderId !== null && /-o\d+$/.test(f.clientOrderId));
}

/** Rule and largest allowed quantity of each refusal, in report order. */
export function rulesOf(refusals: readonly ReportRefusal[]): [string, number | null][] {
  return refusals.map((r) => [r.rule, r.maxAllowedQty]);
}
