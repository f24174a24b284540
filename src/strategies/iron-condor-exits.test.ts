// The condor's exits read only its own group: stop-loss at a multiple of the credit, a trailing
// stop armed at a share of the credit, take-profit, and the time exit.
import { describe, expect, it } from 'vitest';
import { atDateTime, GroupId, StrategyId, timeZoneOf, xnysCalendar } from '../domain';
import type { GroupView, StrategyContext } from '../engine/strategy';
import { IronCondor0dte, type IronCondorParams } from './iron-condor-0dte';

const params: IronCondorParams = {
  underlying: 'XSP',
  shortDelta: 0.1,
  wingWidth: 1,
  minCredit: 0.1,
  qty: 1,
  stopLossMultiple: 3,
  takeProfitPct: 0.8,
  entryFrom: '09:45',
  entryUntil: '14:00',
  exitBy: '15:45',
  executionsPerDay: 16,
  trailingStop: { activatePct: 0.4, givebackPct: 0.2 },
};

const newYork = timeZoneOf('America/New_York');

/** A group that took in $20 of credit, marked at `pnl`, at New York time `hhmm` on `date`. */
function harness(date = '2026-02-13') {
  const closes: { reason: string }[] = [];
  let pnl = 0;
  let hhmm = '10:00';
  const group = (): GroupView => ({
    id: GroupId.of('ic-0dte-20260213-1'),
    kind: 'iron-condor',
    status: 'open',
    units: 1,
    openedAt: atDateTime(date, '09:45', newYork),
    legs: [],
    openCash: 20,
    realizedNet: 0,
    pnl,
    note: null,
  });
  const ctx = (): StrategyContext => ({
    strategyId: StrategyId.of('ic-0dte'),
    now: atDateTime(date, hhmm, newYork),
    timeZone: newYork,
    tradingState: 'ACTIVE',
    equity: 100_000,
    market: { spot: () => 683, quote: () => null, optionChain: () => [] },
    resolve: () => null,
    activeGroups: () => [group()],
    groupsToday: () => 1,
    symbolsToday: () => ['XSP'],
    openStructure: () => {
      throw new Error('no entries while a group is open');
    },
    closeGroup: (_id, reason) => closes.push({ reason }),
    reduceGroup: () => undefined,
    note: () => undefined,
  });
  const condor = new IronCondor0dte(StrategyId.of('ic-0dte'), params, 2, xnysCalendar);
  const at = (p: number, time = hhmm) => {
    pnl = p;
    hhmm = time;
    condor.onTick(ctx());
    return closes.length;
  };
  return { at, closes };
}

describe('iron condor exits on its own PnL', () => {
  it('the trailing stop arms at 40% of the credit and fires after a 20% giveback from the peak', () => {
    const h = harness();
    expect(h.at(5)).toBe(0);
    expect(h.at(7)).toBe(0); // below 40% of 20: not armed, a dip does nothing
    expect(h.at(2)).toBe(0);
    expect(h.at(12)).toBe(0); // armed (12 >= 8), peak 12
    expect(h.at(9)).toBe(0); // gave back 3 < 4
    expect(h.at(14)).toBe(0); // new peak 14
    expect(h.at(10)).toBe(1); // gave back 4 = 20% of 20
    expect(h.closes[0]?.reason).toBe(
      'trailing stop: mark PnL 10.00 gave back 20% of credit from its peak 14.00',
    );
  });

  it('stop-loss at 3x credit wins over everything', () => {
    const h = harness();
    expect(h.at(-60)).toBe(1);
    expect(h.closes[0]?.reason).toMatch(/^stop-loss: mark PnL -60.00 <= -3x credit 20.00/);
  });

  it('take-profit at 80% of credit, and the time exit at exitBy', () => {
    const tp = harness();
    expect(tp.at(16)).toBe(1);
    expect(tp.closes[0]?.reason).toMatch(/^take-profit/);
    const late = harness();
    expect(late.at(1, '15:45')).toBe(1);
    expect(late.closes[0]?.reason).toBe('time exit at 15:45');
  });

  it('on an early close (13:00) the time exit keeps its 15 minutes to the bell: 12:45', () => {
    const halfDay = harness('2026-11-27');
    expect(halfDay.at(1, '12:44')).toBe(0);
    expect(halfDay.at(1, '12:45')).toBe(1);
    expect(halfDay.closes[0]?.reason).toBe('time exit at 12:45 (15:45 on a full day; close 13:00)');
    // the summer's -04:00 does not move it: 15:45 New York on a July day
    const summer = harness('2026-07-15');
    expect(summer.at(1, '15:44')).toBe(0);
    expect(summer.at(1, '15:45')).toBe(1);
  });
});
