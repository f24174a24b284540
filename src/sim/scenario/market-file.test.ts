// market[].path: file in a scenario: the keys it needs and refuses, the spot taken from the file,
// and options priced at the bar's implied vol.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRng } from '../../domain/rng';
import { SimInstrumentRegistry } from '../../venues/sim/instruments';
import { SimMarket } from '../run/sim-market';
import { parseScenario } from './load';

const dir = mkdtempSync(join(tmpdir(), 'keel-market-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Flat at 683 all morning; the implied vol jumps from 0.10 to 0.40 at 10:00.
const lines = ['timestamp,open,high,low,close,volume,iv'];
for (let m = 0; m < 60; m++) {
  const hh = m < 30 ? '09' : '10';
  const mm = String(m < 30 ? 30 + m : m - 30).padStart(2, '0');
  lines.push(`2026-02-13T${hh}:${mm}:00-05:00,683,683,683,683,100,${m < 30 ? '0.10' : '0.40'}`);
}
writeFileSync(join(dir, 'xsp.csv'), `${lines.join('\n')}\n`);

const source = join(dir, 'scenario.yaml');
const scenarioText = (market: string) =>
  [
    'name: t',
    'seed: 1',
    "clock: { start: '2026-02-13T09:30:00-05:00', end: '2026-02-13T10:30:00-05:00' }",
    'market:',
    `  - ${market}`,
    '',
  ].join('\n');
const load = (market: string) => parseScenario(scenarioText(market), source, 'yaml');
const errorsOf = (market: string) => {
  const r = load(market);
  return r.ok ? [] : r.errors;
};

describe('market path: file', () => {
  it('reads the file relative to the scenario and starts at its first open', () => {
    const r = load('{ symbol: XSP, kind: index, path: file, file: xsp.csv }');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.scenario.market[0];
    expect(m?.spot).toBe(683);
    expect(m?.bars?.interpolation).toBe('bridge');
    expect(m?.bars?.data.t.length).toBe(60);
  });

  it('names the key and the fix for a file path written wrong', () => {
    expect(errorsOf('{ symbol: XSP, kind: index, path: file }')).toEqual([
      'market[0].file: path: file needs file: the CSV of bars, e.g. file: prices.csv (relative to this file)',
    ]);
    expect(errorsOf('{ symbol: XSP, kind: index, path: file, file: xsp.csv, spot: 683 }')).toEqual([
      'market[0].spot: not used with path: file (the price at clock.start comes from the file); remove it',
    ]);
    expect(errorsOf('{ symbol: XSP, kind: index, spot: 683, file: xsp.csv }')).toEqual([
      'market[0].file: only used with path: file (path is gbm); set path: file or remove file',
    ]);
    expect(errorsOf('{ symbol: XSP, kind: index }')).toEqual([
      'market[0].spot: required: the price at clock.start, e.g. spot: 683.38 (or path: file with a CSV of bars)',
    ]);
    expect(
      errorsOf('{ symbol: XSP, kind: index, path: file, file: xsp.csv, interpolation: cubic }')[0],
    ).toMatch(/^market\[0\]\.interpolation: .*bridge.*linear/);
  });

  it('prices options at the implied vol of the bar the clock is in', () => {
    const r = load('{ symbol: XSP, kind: index, path: file, file: xsp.csv, interpolation: linear }');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const scenario = r.scenario;
    const registry = new SimInstrumentRegistry(
      new Map([['XSP', { symbol: 'XSP', kind: 'index' }]]),
      'options',
    );
    const market = new SimMarket(scenario, registry, seededRng(1));
    const option = registry.resolve({ symbol: 'XSP', expiry: '2026-02-13', strike: 690, right: 'C' });
    if (!option.ok) throw new Error(option.reason);
    const start = scenario.clock.start.t;
    market.advanceTo(start + 29 * 60_000);
    const calm = market.quote(option.instrument.id)?.mid ?? NaN;
    market.advanceTo(start + 31 * 60_000);
    const stressed = market.quote(option.instrument.id)?.mid ?? NaN;
    expect(market.spot('XSP')).toBe(683);
    // Same spot, two minutes later, four times the vol: the call is worth several times more.
    expect(stressed).toBeGreaterThan(3 * calm);
  });
});
