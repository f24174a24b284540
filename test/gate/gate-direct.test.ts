// The budget rules that guard orders of an open already reserved, checked on the projection a
// real run left behind: an open order of a group without a reservation (budgetUnreserved), and
// an order that could fill past the price its reservation was measured at (beyondReservation).
import { beforeAll, describe, expect, it } from 'vitest';
import { ClientOrderId, GroupId, StrategyId, type InstrumentId, type OrderIntent } from '../../src/domain';
import { checkOrder } from '../../src/engine/pre-trade-gate';
import { defaultGateLimits } from '../../src/engine/settings';
import type { Projection } from '../../src/ledger/projection';
import type { SimControl } from '../../src/sim/run';
import { riskSettings } from '../../src/sim/run/settings-for-scenario';
import { runChecked, scenarioFromYaml } from '../support/run-scenario';
import type { MarketData } from '../../src/venues/venue';
import { gateYaml } from './gate-scenario';

const yaml = gateYaml({
  name: 'gate-direct',
  end: '2026-01-02T10:00:00-05:00',
  operator: [
    "{ at: '09:45', action: order, symbol: PLTR, side: BUY, qty: 61, type: LMT, limit: 170.77 }",
    "{ at: '09:46', action: order, symbol: TSLA, side: SELL, qty: 20, type: LMT, limit: 443.18 }",
  ],
});

let p: Projection;
let risk: ReturnType<typeof riskSettings>;

beforeAll(async () => {
  let control: SimControl | null = null;
  const scenario = scenarioFromYaml(yaml);
  await runChecked(scenario, { control: (c) => (control = c) });
  const projection = (control as SimControl | null)?.projection();
  if (!projection) throw new Error('the run left no projection');
  p = projection;
  risk = riskSettings(scenario.account.equity, scenario.risk);
});

function market(bid: number, ask: number): MarketData {
  return { spot: () => null, quote: () => ({ bid, ask, mid: (bid + ask) / 2, t: 0 }), optionChain: () => [] };
}

function openOrder(group: string, side: 'BUY' | 'SELL', qty: number, limit: number | null): OrderIntent {
  const g = p.requireGroup(GroupId.of(group));
  const instrumentId = g.legs[0]?.instrumentId as InstrumentId;
  return {
    clientOrderId: ClientOrderId.of(`${group}-o9`),
    groupId: g.id,
    strategyId: StrategyId.of('operator'),
    source: 'operator',
    intent: 'open',
    legs: [{ instrumentId, side, ratio: 1 }],
    qty,
    type: 'LMT',
    limitPrice: limit,
    stopPrice: null,
    tif: 'DAY',
    reduceOnly: false,
    parentClientOrderId: null,
  };
}

function gate(order: OrderIntent, quotes: MarketData) {
  return checkOrder({
    p,
    order,
    now: p.lastT,
    limits: defaultGateLimits,
    recentOrderTimes: [],
    executionBudget: 40,
    risk,
    market: quotes,
    open: null,
  });
}

describe('orders of a reserved open', () => {
  it('the runs reserved both groups at their worst prices', () => {
    expect(p.requireGroup(GroupId.of('operator-20260102-1')).budget?.price).toBe(170.77);
    // A sell fills at or above its limit: measured at the ask plus the chase's slippage cap.
    expect(p.requireGroup(GroupId.of('operator-20260102-2')).budget?.price).toBe(443.39);
  });

  it('a buy at its reserved limit passes; one tick above it is beyondReservation', () => {
    const quotes = market(170.76, 170.78);
    expect(gate(openOrder('operator-20260102-1', 'BUY', 61, 170.77), quotes)).toBeNull();
    expect(gate(openOrder('operator-20260102-1', 'BUY', 61, 170.78), quotes)).toEqual({
      rule: 'beyondReservation',
      message:
        "BUY PLTR could fill at 170.78, past the 170.77 its exposure was reserved at: the market moved; open it again to size it at today's price",
      maxAllowedQty: 0,
    });
  });

  it('a sell passes while the market is within its reservation, and is refused once it moved past', () => {
    expect(gate(openOrder('operator-20260102-2', 'SELL', 20, 443.18), market(443.3, 443.39))).toBeNull();
    const refused = gate(openOrder('operator-20260102-2', 'SELL', 20, 443.18), market(445, 445.02));
    expect(refused?.rule).toBe('beyondReservation');
    expect(refused?.message).toMatch(/^SELL TSLA could fill at 445\.02, past the 443\.39/);
  });

  it('an open order of a group that holds no reservation is budgetUnreserved', () => {
    const order = {
      ...openOrder('operator-20260102-1', 'BUY', 1, 170.77),
      groupId: GroupId.of('operator-20260102-9'),
    };
    expect(gate(order, market(170.76, 170.78))).toEqual({
      rule: 'budgetUnreserved',
      message:
        'operator-20260102-9 holds no exposure reservation: every open goes through the gate as a whole structure',
      maxAllowedQty: 0,
    });
  });
});
