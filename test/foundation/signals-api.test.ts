// Signals given to a running equity-bracket strategy through the operator API path are checked,
// journaled, and survive an engine crash: after the restart the strategy still trades them.
import { describe, expect, it } from 'vitest';
import { StrategyId } from '../../src/domain';
import type { OperatorResult } from '../../src/engine/operator';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';

const yaml = `
name: signals-api
seed: 4
clock: { start: '2026-01-05T09:30:00-05:00', end: '2026-01-05T16:00:00-05:00' }
account: { equity: 105000 }
market:
  - { symbol: PLTR, kind: equity, spot: 170.5, vol: 0.2, path: flat, stepSeconds: 5 }
  - { symbol: TSLA, kind: equity, spot: 443.0, vol: 0.2, path: flat, stepSeconds: 5 }
venue: { products: equities, combos: false }
faults:
  - { at: '10:00', crashEngine: { restartAfter: 60 } }
strategies:
  - id: swing
    kind: equity-bracket
    params: { threshold: 70, executeMax: 2 }
`;

describe('signals through the operator API', () => {
  it('are checked, journaled and traded after a crash and restart', async () => {
    const answers: OperatorResult[] = [];
    const run = await runChecked(scenarioFromYaml(yaml), {
      control: (c) => {
        void c
          .operator({
            action: 'signals',
            strategy: StrategyId.of('swing'),
            signals: [
              { symbol: 'PLTR', score: 82, entry: 170.77, stop: 163 },
              { symbol: 'TSLA', score: 76, entry: 443.18, stop: 420 },
              { symbol: 'AMD', score: 'high', entry: 214.5, stop: 205 },
            ],
          })
          .then((r) => answers.push(r));
      },
    });
    expect(answers[0]?.lines).toEqual([
      'swing: 2 signal(s) accepted',
      expect.stringMatching(/^refused: signals\[2\]: score: /),
    ]);
    expect(run.verdict.violations).toEqual([]);
    expect(run.stats.crashes).toBe(1);
    // Given at 09:30, before the crash: the restarted strategy enters both at the 10:30 scan.
    const entries = run.venueLog.filter(
      (l) => l.type === 'order' && l.origin === 'keel' && l.parentVenueOrderId === null,
    );
    const symbols = entries.map((l) => (l.type === 'order' ? l.legs[0]?.instrument.symbol : ''));
    expect(symbols).toEqual(['PLTR', 'TSLA']);
  });
});
