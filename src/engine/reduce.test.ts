// Reduce: closing N whole units of a structure (1 of 3 condors) takes every leg down in ratio, with
// the same sequencing as a close (combo first; per leg, shorts bought back before any long is
// sold), and leaves a balanced structure. A leg that fails leaves a covered residual and HALTS.
import { describe, expect, it } from 'vitest';
import { uncoveredShorts, type OrderSpec } from '../domain';
import type { OrderScript } from '../../test/support/scripted-venue';
import { chainOption, StructureRun, type LegSpec } from '../../test/support/structure-run';

const C = (strikeIndex: number, qtyPerUnit: number): LegSpec => ({
  instrument: chainOption(strikeIndex, 'C'),
  qtyPerUnit,
});
const P = (strikeIndex: number, qtyPerUnit: number): LegSpec => ({
  instrument: chainOption(strikeIndex, 'P'),
  qtyPerUnit,
});

/** 450P / 455P / 475C / 480C iron condor: long wings, short body. */
const condor = [P(0, 1), P(1, -1), C(5, -1), C(6, 1)];
/** The same with doubled wings: 2x 450P, -1 455P, -1 470C, 2x 475C. */
const ratioCondor = [P(0, 2), P(1, -1), C(4, -1), C(5, 2)];

async function opened(legs: LegSpec[], units: number, combos: boolean): Promise<StructureRun> {
  const run = await StructureRun.start({ legs, combos, scripts: [] });
  run.open(units);
  await run.runUntil((r) => r.settled());
  expect(run.group.status).toBe('open');
  return run;
}

async function reduce(run: StructureRun, keep: number, scripts: OrderScript[] = []): Promise<OrderSpec[]> {
  const before = run.venue.sent.length;
  run.close('normal', keep, scripts);
  expect(await run.runUntil((r) => r.settled())).toBe(true);
  expect(run.violations).toEqual([]);
  return run.venue.sent.slice(before);
}

function holdings(run: StructureRun, legs: LegSpec[]): number[] {
  return legs.map((l) => run.owned(l.instrument.id));
}

const sides = (orders: OrderSpec[]) =>
  orders.map((o) => o.legs.map((l) => `${l.side} ${o.qty * l.ratio}x${l.instrumentId}`).join('+'));

describe('reduce', () => {
  it('takes 1 of 3 condors off as one combo, leaving 2 balanced condors', async () => {
    const run = await opened(condor, 3, true);
    const orders = await reduce(run, 2);
    expect(orders).toHaveLength(1);
    const [combo] = orders;
    expect(combo?.qty).toBe(1);
    expect(combo?.clientOrderId).toMatch(/-r\d+$/);
    expect(combo?.legs.map((l) => [l.instrumentId, l.side, l.ratio])).toEqual([
      [condor[0]?.instrument.id, 'SELL', 1],
      [condor[1]?.instrument.id, 'BUY', 1],
      [condor[2]?.instrument.id, 'BUY', 1],
      [condor[3]?.instrument.id, 'SELL', 1],
    ]);
    expect(run.group.status).toBe('open');
    expect(run.group.units).toBe(2);
    expect(holdings(run, condor)).toEqual([2, -2, -2, 2]);
    expect(run.p.tradingState).toBe('ACTIVE');
  });

  it('falls back to per-leg orders when the combo is rejected: shorts bought back first, 1 lot each', async () => {
    const run = await opened(condor, 3, true);
    const orders = await reduce(run, 2, [{ kind: 'reject', code: 201 }]);
    const [combo, ...legs] = orders;
    expect(combo?.legs).toHaveLength(4);
    expect(sides(legs)).toEqual([
      `BUY 1x${condor[1]?.instrument.id}`,
      `BUY 1x${condor[2]?.instrument.id}`,
      `SELL 1x${condor[0]?.instrument.id}`,
      `SELL 1x${condor[3]?.instrument.id}`,
    ]);
    expect(legs.every((o) => o.reduceOnly && /-r\d+$/.test(o.clientOrderId))).toBe(true);
    expect(run.group.status).toBe('open');
    expect(run.group.units).toBe(2);
    expect(holdings(run, condor)).toEqual([2, -2, -2, 2]);
  });

  it('keeps the ratio of a ratio structure, as a combo and per leg', async () => {
    const combo = await opened(ratioCondor, 3, true);
    const [order] = await reduce(combo, 1);
    expect(order?.qty).toBe(2);
    expect(order?.legs.map((l) => l.ratio)).toEqual([2, 1, 1, 2]);
    expect(holdings(combo, ratioCondor)).toEqual([2, -1, -1, 2]);
    expect(combo.group.units).toBe(1);

    const perLeg = await opened(ratioCondor, 3, false);
    const orders = await reduce(perLeg, 1);
    expect(sides(orders)).toEqual([
      `BUY 2x${ratioCondor[1]?.instrument.id}`,
      `BUY 2x${ratioCondor[2]?.instrument.id}`,
      `SELL 4x${ratioCondor[0]?.instrument.id}`,
      `SELL 4x${ratioCondor[3]?.instrument.id}`,
    ]);
    expect(holdings(perLeg, ratioCondor)).toEqual([2, -1, -1, 2]);
    expect(perLeg.group.units).toBe(1);
  });

  it('partial combo fills still reduce in whole units', async () => {
    const run = await opened(condor, 3, true);
    // 1 of 2 units fills, the rest never: the chase cancels it and re-sends the missing unit.
    await reduce(run, 1, [{ kind: 'partial', fraction: 0.5, rest: 'never', restDelayMs: 0 }]);
    expect(run.group.status).toBe('open');
    expect(run.group.units).toBe(1);
    expect(holdings(run, condor)).toEqual([1, -1, -1, 1]);
  });

  it('a leg rejected mid-way stops at a covered residual and HALTS, selling no long its short needs', async () => {
    const run = await opened(condor, 3, false);
    // The 455P buy-back fills, the 475C buy-back is rejected.
    const orders = await reduce(run, 2, [{ kind: 'fill' }, { kind: 'reject', code: 201 }]);
    expect(sides(orders)).toEqual([
      `BUY 1x${condor[1]?.instrument.id}`,
      `BUY 1x${condor[2]?.instrument.id}`,
      `SELL 1x${condor[0]?.instrument.id}`,
    ]);
    expect(run.group.status).toBe('residual');
    expect(run.p.tradingState).toBe('HALTED');
    // Puts reduced to 2; calls left at 3 short and the 3 longs that cover them.
    expect(holdings(run, condor)).toEqual([2, -2, -3, 3]);
    expect(uncoveredShorts(run.holdings())).toEqual([]);
    const residual = [...run.p.discrepancies.values()].find((d) => d.kind === 'residual');
    expect(residual?.detail).toMatch(/rejected \(201/);
    expect(residual?.detail).toMatch(/-3 475C, \+3 480C/);
  });

  it('a later close takes the rest; a reduce must keep fewer units than the group has', async () => {
    const run = await opened(condor, 3, true);
    await reduce(run, 2);
    expect(() => run.close('normal', 2)).toThrow(/keep fewer than 2 units/);
    await reduce(run, 0);
    expect(run.group.status).toBe('closed');
    expect(holdings(run, condor)).toEqual([0, 0, 0, 0]);
  });
});
