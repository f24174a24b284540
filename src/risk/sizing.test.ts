import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskInputError } from './errors';
import { sizePosition, type SizingInput } from './sizing';

const incident = { equity: 105_000, riskPct: 0.02, notionalPct: 0.1 } as const;

describe('sizePosition: the 2026-01-02 incident numbers', () => {
  it.each([
    // The report's worked example: risk-only sizing gave 300 shares ($51,000, 49%).
    {
      name: '$170 entry, $163 stop',
      entry: 170,
      stop: 163,
      byRisk: 300,
      byNotional: 61,
      qty: 61,
      notional: 10_370,
      bound: 'notional',
    },
    // PLTR was bought 291 @ 170.77 ($49,694, 47%); the notional cap allows 61, not the report's 62.
    {
      name: 'PLTR @ 170.77',
      entry: 170.77,
      stop: 163,
      byRisk: 270,
      byNotional: 61,
      qty: 61,
      notional: 10_416.97,
      bound: 'notional',
    },
    // TSLA was bought 76 @ 443.18 ($33,682, 32%); the notional cap allows 23, not the report's 24.
    {
      name: 'TSLA @ 443.18',
      entry: 443.18,
      stop: 420,
      byRisk: 90,
      byNotional: 23,
      qty: 23,
      notional: 10_193.14,
      bound: 'notional',
    },
  ])('$name -> $qty shares ($notional), bound by $bound', (row) => {
    const size = sizePosition({ ...incident, entry: row.entry, stop: row.stop });
    expect(size).toMatchObject({
      byRisk: row.byRisk,
      byNotional: row.byNotional,
      qty: row.qty,
      notional: row.notional,
      bound: row.bound,
    });
    expect(size.notional).toBeLessThanOrEqual(10_500);
  });

  it("the report's corrections (62 PLTR, 24 TSLA) break its own 10% cap", () => {
    expect(62 * 170).toBeGreaterThan(10_500); // $10,540 is 10.04%
    expect(24 * 443.18).toBeGreaterThan(10_500);
    expect(sizePosition({ ...incident, entry: 170, stop: 163 }).qty).toBe(61);
  });

  it('explains the size with both caps in trader terms', () => {
    const size = sizePosition({ ...incident, entry: 170, stop: 163 });
    expect(size.reason).toBe(
      '61 shares, bound by the notional cap: notional cap 10% of $105,000 = $10,500 / $170.00 cost per share -> 61; ' +
        'risk cap 2% of $105,000 = $2,100 / $7.00 at risk per share -> 300',
    );
    expect(size.riskDollars).toBe(427);
  });
});

describe('sizePosition: cases', () => {
  it.each<{
    name: string;
    input: SizingInput;
    qty: number;
    bound: string;
    byRisk: number;
    byNotional: number;
  }>([
    {
      name: 'wide stop: risk binds',
      input: { ...incident, entry: 100, stop: 58 },
      qty: 50,
      bound: 'risk',
      byRisk: 50,
      byNotional: 105,
    },
    {
      name: 'short: stop above the entry',
      input: { ...incident, entry: 100, stop: 142 },
      qty: 50,
      bound: 'risk',
      byRisk: 50,
      byNotional: 105,
    },
    {
      name: 'caps equal: both',
      input: { equity: 100_000, entry: 100, stop: 80, riskPct: 0.02, notionalPct: 0.1 },
      qty: 100,
      bound: 'both',
      byRisk: 100,
      byNotional: 100,
    },
    {
      name: 'one share costs more than the cap: zero',
      input: { equity: 1_000, entry: 443.18, stop: 400, riskPct: 0.02, notionalPct: 0.1 },
      qty: 0,
      bound: 'zero',
      byRisk: 0,
      byNotional: 0,
    },
    {
      name: 'lot of 100: rounded down',
      input: { ...incident, entry: 17, stop: 16 },
      qty: 617,
      bound: 'notional',
      byRisk: 2100,
      byNotional: 617,
    },
    {
      name: 'lot of 100 on the same',
      input: { ...incident, entry: 17, stop: 16, lot: 100 },
      qty: 600,
      bound: 'notional',
      byRisk: 2100,
      byNotional: 600,
    },
    {
      name: 'crypto lot 0.0001',
      input: { equity: 50_000, entry: 60_000, stop: 57_000, riskPct: 0.01, notionalPct: 0.1, lot: 0.0001 },
      qty: 0.0833,
      bound: 'notional',
      byRisk: 0.1666,
      byNotional: 0.0833,
    },
    {
      name: 'futures multiplier 50',
      input: { equity: 500_000, entry: 5_000, stop: 4_980, riskPct: 0.01, notionalPct: 0.5 },
      qty: 50,
      bound: 'notional',
      byRisk: 250,
      byNotional: 50,
    },
    {
      name: 'futures multiplier 50, contracts',
      input: { equity: 500_000, entry: 5_000, stop: 4_980, riskPct: 0.01, notionalPct: 0.5, multiplier: 50 },
      qty: 1,
      bound: 'notional',
      byRisk: 5,
      byNotional: 1,
    },
    {
      name: 'confidence 0.5 halves the risk cap',
      input: { ...incident, entry: 100, stop: 58, riskMultiplier: 0.5 },
      qty: 25,
      bound: 'risk',
      byRisk: 25,
      byNotional: 105,
    },
    {
      name: 'confidence 0 sizes zero',
      input: { ...incident, entry: 100, stop: 58, riskMultiplier: 0 },
      qty: 0,
      bound: 'zero',
      byRisk: 0,
      byNotional: 105,
    },
    {
      name: 'negative confidence is clamped to 0',
      input: { ...incident, entry: 100, stop: 58, riskMultiplier: -0.3 },
      qty: 0,
      bound: 'zero',
      byRisk: 0,
      byNotional: 105,
    },
    // 0.1 is not 1/10 in binary: 10% of 1,000 at $0.1 must be exactly 1,000, not 999.
    {
      name: 'exact: 10% of 1000 at $0.10',
      input: { equity: 1_000, entry: 0.1, stop: 0.05, riskPct: 1, notionalPct: 0.1 },
      qty: 1000,
      bound: 'notional',
      byRisk: 20000,
      byNotional: 1000,
    },
    {
      name: 'exact: 30% of 10 at $0.10',
      input: { equity: 10, entry: 0.1, stop: 0.09, riskPct: 1, notionalPct: 0.3 },
      qty: 30,
      bound: 'notional',
      byRisk: 1000,
      byNotional: 30,
    },
  ])('$name', (row) => {
    const size = sizePosition(row.input);
    expect(size).toMatchObject({
      qty: row.qty,
      bound: row.bound,
      byRisk: row.byRisk,
      byNotional: row.byNotional,
    });
  });

  it('says when confidence was clamped and when nothing fits', () => {
    expect(sizePosition({ ...incident, entry: 100, stop: 58, riskMultiplier: -0.3 }).reason).toContain(
      'riskMultiplier -0.3 clamped to 0',
    );
    expect(
      sizePosition({ equity: 1_000, entry: 443.18, stop: 400, riskPct: 0.02, notionalPct: 0.1 }).reason,
    ).toMatch(/^0 shares: neither cap allows one lot of 1/);
  });

  it.each<{ field: string; input: Partial<SizingInput>; fix: RegExp }>([
    { field: 'equity', input: { equity: 0 }, fix: /equity/ },
    { field: 'equity', input: { equity: -5 }, fix: /equity/ },
    { field: 'entry', input: { entry: 0 }, fix: /entry price/ },
    { field: 'entry', input: { entry: Number.NaN }, fix: /entry price/ },
    { field: 'stop', input: { stop: 170 }, fix: /below the entry for a long/ },
    { field: 'stop', input: { stop: Infinity }, fix: /stop/ },
    { field: 'stop', input: { side: 'long', stop: 175 }, fix: /^put the stop below 170, or size a short/ },
    { field: 'stop', input: { side: 'short', stop: 163 }, fix: /^put the stop above 170, or size a long/ },
    { field: 'riskPct', input: { riskPct: 0 }, fix: /2% is 0.02/ },
    { field: 'riskPct', input: { riskPct: 2 }, fix: /2% is 0.02/ },
    { field: 'notionalPct', input: { notionalPct: 10 }, fix: /10% is 0.10/ },
    { field: 'multiplier', input: { multiplier: 0 }, fix: /multiplier/ },
    { field: 'lot', input: { lot: -1 }, fix: /quantity step/ },
    { field: 'riskMultiplier', input: { riskMultiplier: 1.5 }, fix: /change riskPct/ },
    { field: 'riskMultiplier', input: { riskMultiplier: Number.NaN }, fix: /full size/ },
  ])('refuses a bad $field, naming it and the fix', ({ field, input, fix }) => {
    const run = () => sizePosition({ ...incident, entry: 170, stop: 163, ...input });
    expect(run).toThrow(RiskInputError);
    try {
      run();
    } catch (e) {
      const err = e as RiskInputError;
      expect(err.field).toBe(field);
      expect(err.message).toContain(`sizePosition: ${field}`);
      expect(err.fix).toMatch(fix);
    }
  });
});

// Independent exact check: prices in cents, pcts in basis points, all integers in BigInt.
const cents = fc.integer({ min: 1, max: 5_000_000 });
const inputs = fc
  .record({
    equityCents: fc.integer({ min: 100, max: 10_000_000_000 }),
    entryCents: cents,
    stopOffsetCents: fc.integer({ min: 1, max: 1_000_000 }),
    short: fc.boolean(),
    riskBp: fc.integer({ min: 1, max: 10_000 }),
    notionalBp: fc.integer({ min: 1, max: 10_000 }),
    multiplier: fc.constantFrom(1, 10, 50, 100),
    lot: fc.constantFrom(1, 10, 100),
    confidencePct: fc.integer({ min: 0, max: 100 }),
  })
  .filter((r) => r.short || r.stopOffsetCents < r.entryCents);

describe('sizePosition: properties', () => {
  it('never exceeds either cap, sits on the lot, and one more lot would break a cap', () => {
    fc.assert(
      fc.property(inputs, (r) => {
        const stopCents = r.short ? r.entryCents + r.stopOffsetCents : r.entryCents - r.stopOffsetCents;
        const size = sizePosition({
          equity: r.equityCents / 100,
          entry: r.entryCents / 100,
          stop: stopCents / 100,
          riskPct: r.riskBp / 10_000,
          notionalPct: r.notionalBp / 10_000,
          multiplier: r.multiplier,
          lot: r.lot,
          riskMultiplier: r.confidencePct / 100,
        });
        expect(size.qty % r.lot).toBe(0);
        expect(size.qty).toBe(Math.min(size.byRisk, size.byNotional));
        // qty x entry x mult <= equity x notionalBp / 10^4, in integer cents x 10^4.
        const fits = (q: bigint) => {
          const notional = q * BigInt(r.entryCents) * BigInt(r.multiplier) * 10_000n;
          const risk = q * BigInt(r.stopOffsetCents) * BigInt(r.multiplier) * 10_000n * 100n;
          return (
            notional <= BigInt(r.equityCents) * BigInt(r.notionalBp) &&
            risk <= BigInt(r.equityCents) * BigInt(r.riskBp) * BigInt(r.confidencePct)
          );
        };
        expect(fits(BigInt(size.qty))).toBe(true);
        expect(fits(BigInt(size.qty + r.lot))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('a lower confidence never sizes larger', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 0, max: 100 }), (r, lowerPct) => {
        const base = {
          equity: r.equityCents / 100,
          entry: r.entryCents / 100,
          stop: (r.entryCents + r.stopOffsetCents) / 100,
          riskPct: r.riskBp / 10_000,
          notionalPct: r.notionalBp / 10_000,
        };
        const full = sizePosition({ ...base, riskMultiplier: Math.max(lowerPct, r.confidencePct) / 100 });
        const less = sizePosition({ ...base, riskMultiplier: Math.min(lowerPct, r.confidencePct) / 100 });
        expect(less.qty).toBeLessThanOrEqual(full.qty);
      }),
    );
  });
});
