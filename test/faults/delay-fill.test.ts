// Fault `delayFill`: the venue holds a matching order and fills it that many seconds later,
// whatever the market does (a stale pending order). A short delay: keel waits for it. A long one:
// keel cancels the stale order, the venue confirms, it never fills, and a replacement closes.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import { condorYaml, fillsOf, keelOrders, linesOf, secondsBetween } from './condor';

type Run = Awaited<ReturnType<typeof runChecked>>;
let short: Run;
let stale: Run;

beforeAll(async () => {
  short = await runChecked(
    scenarioFromYaml(
      condorYaml({
        name: 'delay-open',
        faults: ['{ match: { combo: true, intent: open, nth: 1 }, delayFill: 8 }'],
      }),
    ),
  );
  stale = await runChecked(
    scenarioFromYaml(
      condorYaml({ name: 'delay-close', faults: ['{ match: { intent: close, nth: 1 }, delayFill: 300 }'] }),
    ),
  );
});

const closes = (run: Run) => keelOrders(run.venueLog).filter((o) => /-c\d+$/.test(o.clientOrderId ?? ''));

describe('fault: delayFill', () => {
  it('the venue acks the first open combo and fills it exactly 8 s after it arrived, not before', () => {
    const first = keelOrders(short.venueLog)[0];
    expect(first?.combo).toBe(true);
    if (first === undefined) return;
    const fills = fillsOf(short.venueLog, first.venueOrderId);
    expect(fills).toHaveLength(4);
    for (const f of fills) expect(secondsBetween(first.t, f.t)).toBe(8);
    expect(linesOf(short.venueLog, 'cancel')).toEqual([]);
  });

  it('keel waits for the held order: one open order, the group opens and closes, checker clean', () => {
    expect(short.verdict.violations).toEqual([]);
    const opens = keelOrders(short.venueLog).filter((o) => /-o\d+$/.test(o.clientOrderId ?? ''));
    expect(opens).toHaveLength(1);
    expect(short.report.groups.map((g) => g.status)).toEqual(['closed']);
  });

  it('a close held for 300 s is cancelled by keel, confirmed, and never fills; the replacement closes', () => {
    expect(stale.verdict.violations).toEqual([]); // nothing left working, no flip, no double close
    const [held, ...replacements] = closes(stale);
    expect(held).toBeDefined();
    if (held === undefined) return;
    expect(fillsOf(stale.venueLog, held.venueOrderId)).toEqual([]);
    const cancel = linesOf(stale.venueLog, 'cancel').find((c) => c.venueOrderId === held.venueOrderId);
    expect(cancel?.reason).toBe('cancelled by client');
    expect(secondsBetween(held.t, cancel?.t ?? '')).toBeLessThan(300);
    expect(replacements.length).toBeGreaterThan(0);
    expect(replacements.every((o) => o.seq > (cancel?.seq ?? Infinity))).toBe(true);
    expect(stale.report.groups.map((g) => g.status)).toEqual(['closed']);
    const order = stale.report.orders.find((o) => o.clientOrderId === held.clientOrderId);
    expect(order?.state).toBe('cancelled');
  });
});
