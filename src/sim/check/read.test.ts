import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from './check';
import { parseReport, parseVenueLog, readRun, RunReadError } from './read';
import { found, openIronCondor, withForeign704 } from '../../../test/support/venue-log-builder';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../test/fixtures/check/${name}`, import.meta.url));

describe('readRun', () => {
  it('reads a run directory and the clean run passes', async () => {
    const input = await readRun(fixture('clean-iron-condor'));
    expect(input.lines).toHaveLength(21);
    expect(input.report.scenario).toBe('feb13-contamination');
    const result = check(
      { ...input, scenario: { name: 'feb13-contamination', seed: 7 } },
      { converged: true },
    );
    expect(found(result)).toEqual([]);
  });

  it('the contamination cascade run is caught from its files', async () => {
    const result = check(await readRun(fixture('contamination-cascade')));
    expect(found(result)).toEqual([
      ['foreign-untouched', 28],
      ['no-flip', 34],
      ['defined-risk', 34],
    ]);
  });

  it('a bad JSON line names its line number', async () => {
    const read = readRun(fixture('bad-json-line'));
    await expect(read).rejects.toBeInstanceOf(RunReadError);
    await expect(read).rejects.toThrow(/bad-json-line\/venue-log\.jsonl line 3: invalid JSON/);
    await expect(read).rejects.toMatchObject({ line: 3 });
  });

  it('a missing file is named', async () => {
    await expect(readRun(fixture('missing-report'))).rejects.toThrow(
      /^missing .*missing-report\/report\.json$/,
    );
    await expect(readRun(fixture('no-such-run'))).rejects.toThrow(
      /^missing .*no-such-run\/venue-log\.jsonl$/,
    );
  });
});

describe('parseVenueLog', () => {
  const good = () => {
    const b = withForeign704();
    openIronCondor(b);
    return b.lines.map((l) => JSON.stringify(l));
  };

  it('round-trips what the venue writes', () => {
    const rows = good();
    expect(parseVenueLog(rows.join('\n') + '\n')).toHaveLength(rows.length);
  });

  it('names the line and the field that is wrong', () => {
    const rows = good();
    const fill = JSON.parse(rows[4] ?? '{}') as Record<string, unknown>;
    expect(fill['type']).toBe('fill');
    rows[4] = JSON.stringify({ ...fill, qty: '1' });
    expect(() => parseVenueLog(rows.join('\n'), 'run/venue-log.jsonl')).toThrow(
      'run/venue-log.jsonl line 5: fill.qty must be a number, got "1"',
    );
    rows[4] = JSON.stringify({ ...fill, instrument: { ...(fill['instrument'] as object), right: 'X' } });
    expect(() => parseVenueLog(rows.join('\n'))).toThrow(
      'line 5: fill.instrument.right must be one of C, P, got "X"',
    );
    rows[4] = JSON.stringify({ ...fill, type: 'trade' });
    expect(() => parseVenueLog(rows.join('\n'))).toThrow('line 5: unknown type "trade"');
  });

  it('rejects empty lines inside the file and non-objects', () => {
    expect(() => parseVenueLog(`${good()[0] ?? ''}\n\n${good()[1] ?? ''}`)).toThrow('line 2: empty line');
    expect(() => parseVenueLog('[1,2]')).toThrow('line 1: not a JSON object');
    expect(() => parseVenueLog('{"seq":1,"type":"ack"}')).toThrow('line 1: t must be a string, got nothing');
  });
});

describe('parseReport', () => {
  const report = () => {
    const b = withForeign704();
    openIronCondor(b);
    return b.report();
  };

  it('accepts what a correct engine writes, extra fields included', () => {
    expect(parseReport(JSON.stringify({ ...report(), extra: { kept: true } })).groups).toHaveLength(1);
  });

  it('names the field that is wrong', () => {
    const r = report();
    expect(() =>
      parseReport(
        JSON.stringify({ ...r, groups: [{ ...r.groups[0], realizedPnl: '0.80' }] }),
        'run/report.json',
      ),
    ).toThrow('run/report.json: groups[0].realizedPnl must be a number, got "0.80"');
    expect(() =>
      parseReport(JSON.stringify({ ...r, tradingState: [{ t: '10:08', state: 'HALTED', reason: 'x' }] })),
    ).toThrow('tradingState[0].t "10:08" is not ISO 8601 with an offset');
    expect(() => parseReport(JSON.stringify({ ...r, summary: undefined }))).toThrow(
      'summary must be an object',
    );
    expect(() => parseReport('{"scenario":')).toThrow(/^report\.json: invalid JSON/);
  });
});
