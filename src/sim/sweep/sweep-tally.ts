// What a sweep has covered and found, in constant memory for any number of seeds: totals, runs
// and failures by strategy, by fault kind and by venue profile, and the failing seeds (the first
// ones in full, then only counted). Plain JSON, so `--resume` continues from a saved tally.
import type { SweepRow } from './sweep';

/** A seed's row as the tally keeps it (a SweepRow is one). */
export type TallyRow = Omit<SweepRow, 'violations'> & {
  readonly violations: readonly { readonly invariant: string; readonly message: string }[];
};

export type CoverageCell = { runs: number; events: number; failing: number };

export type SweepTallyJson = {
  readonly runs: number;
  readonly events: number;
  readonly crashes: number;
  readonly keelFills: number;
  readonly failingCount: number;
  readonly failing: readonly TallyRow[];
  readonly listed: readonly TallyRow[];
  readonly byStrategy: Readonly<Record<string, CoverageCell>>;
  readonly byFault: Readonly<Record<string, CoverageCell>>;
  readonly byVenue: Readonly<Record<string, CoverageCell>>;
};

/** Failing seeds kept in full; past this many they are counted only (each has its repro line in the table). */
export const failingKept = 1000;
/** The first seeds kept for the summary page's list of seeds, failing or not. */
export const listedKept = 2000;

export class SweepTally {
  runs = 0;
  events = 0;
  crashes = 0;
  keelFills = 0;
  failingCount = 0;
  readonly failing: TallyRow[] = [];
  readonly listed: TallyRow[] = [];
  readonly byStrategy = new Map<string, CoverageCell>();
  readonly byFault = new Map<string, CoverageCell>();
  readonly byVenue = new Map<string, CoverageCell>();

  add(row: TallyRow): void {
    const failed = rowFails(row);
    this.runs++;
    this.events += row.events;
    this.crashes += row.crashes;
    this.keelFills += row.keelFills;
    if (this.listed.length < listedKept) this.listed.push(row);
    if (failed) {
      this.failingCount++;
      if (this.failing.length < failingKept) this.failing.push(row);
    }
    for (const s of row.strategies.length === 0 ? ['(none)'] : row.strategies)
      count(this.byStrategy, s, row, failed);
    for (const f of row.faultKinds.length === 0 ? ['(none)'] : row.faultKinds)
      count(this.byFault, f, row, failed);
    count(this.byVenue, row.venue, row, failed);
  }

  toJSON(): SweepTallyJson {
    return {
      runs: this.runs,
      events: this.events,
      crashes: this.crashes,
      keelFills: this.keelFills,
      failingCount: this.failingCount,
      failing: this.failing,
      listed: this.listed,
      byStrategy: Object.fromEntries(this.byStrategy),
      byFault: Object.fromEntries(this.byFault),
      byVenue: Object.fromEntries(this.byVenue),
    };
  }

  static fromJSON(j: SweepTallyJson): SweepTally {
    const t = new SweepTally();
    t.runs = j.runs;
    t.events = j.events;
    t.crashes = j.crashes;
    t.keelFills = j.keelFills;
    t.failingCount = j.failingCount;
    t.failing.push(...j.failing);
    t.listed.push(...j.listed);
    for (const [k, v] of Object.entries(j.byStrategy)) t.byStrategy.set(k, { ...v });
    for (const [k, v] of Object.entries(j.byFault)) t.byFault.set(k, { ...v });
    for (const [k, v] of Object.entries(j.byVenue)) t.byVenue.set(k, { ...v });
    return t;
  }

  /** The coverage tables as text: runs, events and failures per strategy, fault kind and venue. */
  formatCoverage(): string {
    const section = (title: string, cells: Map<string, CoverageCell>) => [
      `  ${title.padEnd(28)} ${'runs'.padStart(8)} ${'events'.padStart(12)} ${'failing'.padStart(8)}`,
      ...[...cells.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([k, c]) =>
            `  ${k.padEnd(28)} ${String(c.runs).padStart(8)} ${String(c.events).padStart(12)} ${String(c.failing).padStart(8)}`,
        ),
    ];
    return [
      ...section('strategy', this.byStrategy),
      '',
      ...section('fault kind', this.byFault),
      '',
      ...section('venue', this.byVenue),
    ].join('\n');
  }
}

export function rowFails(row: TallyRow): boolean {
  return row.error !== null || row.violations.length > 0;
}

function count(cells: Map<string, CoverageCell>, key: string, row: TallyRow, failed: boolean): void {
  let c = cells.get(key);
  if (c === undefined) cells.set(key, (c = { runs: 0, events: 0, failing: 0 }));
  c.runs++;
  c.events += row.events;
  if (failed) c.failing++;
}
