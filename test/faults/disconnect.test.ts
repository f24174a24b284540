// Fault `disconnect`: the venue is unreachable for a while. Orders sent meanwhile never arrive
// (the client library reports them failed), and keel hears nothing of what the venue does; on
// reconnect it catches up from the venue's snapshot (here a fill that happened during the outage).
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, linesOf } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let fillWhileDown: Run;
let exitWhileDown: Run;

beforeAll(async () => {
  fillWhileDown = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'disconnect-fill',
        faults: [
          '{ match: { combo: true, intent: open, nth: 1 }, delayFill: 8 }',
          '{ at: "09:45:03", disconnect: { seconds: 60 } }',
        ],
      }),
    ),
  );
  exitWhileDown = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'disconnect-exit',
        entryUntil: '10:00',
        exitBy: '11:00',
        faults: ['{ at: "10:59:58", disconnect: { seconds: 60 } }'],
      }),
    ),
  );
});

function outage(run: Run): { down: number; up: number } {
  const [down, up] = linesOf(run.venueLog, 'connection');
  expect([down?.event, up?.event]).toEqual(['down', 'up']);
  return { down: down?.seq ?? 0, up: up?.seq ?? 0 };
}

describe('fault: disconnect', () => {
  it('the venue logs down and up 60 s apart; the held open fills during the outage', () => {
    const { down, up } = outage(fillWhileDown);
    const [d, u] = linesOf(fillWhileDown.venueLog, 'connection');
    expect([d?.t.slice(11, 19), u?.t.slice(11, 19)]).toEqual(['09:45:03', '09:46:03']);
    const open = keelOrders(fillWhileDown.venueLog)[0];
    const fills = open === undefined ? [] : fillsOf(fillWhileDown.venueLog, open.venueOrderId);
    expect(fills).toHaveLength(4);
    for (const f of fills) expect(f.seq > down && f.seq < up).toBe(true);
  });

  it('keel learns the fill on reconnect: no order reaches the venue while down, no second open, clean', () => {
    expect(fillWhileDown.verdict.violations).toEqual([]);
    const { down, up } = outage(fillWhileDown);
    expect(keelOrders(fillWhileDown.venueLog).filter((o) => o.seq > down && o.seq < up)).toEqual([]);
    const opens = keelOrders(fillWhileDown.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
    expect(opens).toHaveLength(1);
    expect(fillWhileDown.report.groups.map((g) => g.status)).toEqual(['closed']);
  });

  it('an exit during the outage sends nothing to the venue and never leaves a short uncovered', () => {
    expect(exitWhileDown.verdict.violations).toEqual([]);
    const { down, up } = outage(exitWhileDown);
    expect(keelOrders(exitWhileDown.venueLog).filter((o) => o.seq > down && o.seq < up)).toEqual([]);
  });

  // An order that never left keel (1100, link down) says nothing about the leg: keel sends nothing
  // while disconnected and closes once the link is back, instead of calling the group residual.
  it('after the link is back keel closes the group: closed, trading never halted', () => {
    const g = exitWhileDown.report.groups[0];
    expect(g?.status).toBe('closed');
    expect(exitWhileDown.report.tradingState.filter((s) => s.state === 'HALTED')).toEqual([]);
  });
});
