// The IBKR incidents (and the demo) replayed through the ibkr adapter, @stoqey/ib and the fake TWS
// (`keel sim --through ibkr`): the outside checker's verdict is the one of the in-process run, the
// incident's safe outcome holds, and nothing was lost on the wire (every venue fill of keel's is
// in keel's report).
import { describe, expect, it } from 'vitest';
import { ibkrThroughLink } from '../fakes/tws/through';
import { runChecked, scenarioFromFile } from '../support/run-scenario';

const files = [
  'scenarios/incidents/2026-02-13-position-contamination-cascade.yaml',
  'scenarios/incidents/2026-01-28-naked-short-after-partial-close.yaml',
  'scenarios/demo/condor-foreign-calls.yaml',
];

describe('IBKR scenarios through the wire (--through ibkr)', () => {
  for (const file of files) {
    it(`${file}: the same checker verdict as in-process`, async () => {
      const scenario = scenarioFromFile(file);
      const inProcess = await runChecked(scenario);
      const lines: string[] = [];
      const wire = await runChecked(scenario, {
        through: (sim, clock) => ibkrThroughLink(sim, clock, (l) => lines.push(l)),
      });
      expect(wire.verdict.ok).toBe(inProcess.verdict.ok);
      expect(wire.verdict.violations).toEqual(inProcess.verdict.violations);
      expect(wire.report.summary.crashes).toBe(0);
      const keelFills = wire.venueLog.filter((l) => l.type === 'fill' && l.clientOrderId !== null);
      expect(wire.report.summary.executions).toBe(
        new Set(keelFills.map((l) => (l.type === 'fill' ? l.execId : ''))).size,
      );
      expect(lines.filter((l) => /could not read|unmapped error|not keel's/.test(l))).toEqual([]);
      if (file.includes('2026-02-13')) {
        expect(wire.report.summary.executions).toBeLessThanOrEqual(8);
        for (const o of wire.venueLog)
          if (o.type === 'order' && o.origin === 'keel')
            for (const leg of o.legs) expect(leg.instrument.strike).not.toBe(704);
      }
      if (file.includes('2026-01-28')) {
        expect(wire.report.groups[0]?.status).toBe('residual');
        expect(wire.report.tradingState.some((s) => s.state === 'HALTED')).toBe(true);
      }
    });
  }
});
