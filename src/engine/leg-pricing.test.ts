// Order pricing: limit at mid, stepped toward the far side on the chase timer, capped (never past
// the far side, never more than the configured slippage beyond the first limit), and market orders
// only for urgent closes where the settings and the venue allow them.
import { describe, expect, it } from 'vitest';
import type { InstrumentId } from '../domain';
import type { MarketData, Quote } from '../venues/venue';
import { planPrice, type PriceRequest, type PricingLeg } from './leg-pricing';
import { defaultEngineSettings, type ExecutionSettings } from './settings';
import { chainOption, structureSettings, StructureRun } from '../../test/support/structure-run';

const settings: ExecutionSettings = {
  ...defaultEngineSettings.execution,
  aggressionStart: 0,
  aggressionStartUrgent: 0.5,
  aggressionStep: 0.25,
  aggressionMax: 1,
  slippageMaxTicks: 5,
  marketWhenUrgent: true,
};

const a = chainOption(0, 'C').id;
const b = chainOption(2, 'C').id;

function market(quotes: Record<string, [number, number]>): MarketData {
  return {
    spot: () => null,
    quote: (id): Quote | null => {
      const q = quotes[id];
      return q ? { bid: q[0], ask: q[1], mid: (q[0] + q[1]) / 2, t: 0 } : null;
    },
    optionChain: () => [],
  };
}

const leg = (instrumentId: InstrumentId, side: 'BUY' | 'SELL', ratio = 1): PricingLeg => ({
  instrumentId,
  side,
  ratio,
  tick: 0.01,
});

function request(r: Partial<PriceRequest> & Pick<PriceRequest, 'market' | 'legs'>): PriceRequest {
  return {
    attempt: 0,
    urgent: false,
    marketAllowed: false,
    firstLimit: null,
    previous: null,
    settings,
    ...r,
  };
}

describe('limit pricing', () => {
  const m = market({ [a]: [1.0, 1.2], [b]: [0.4, 0.5] });
  const wide = { ...settings, slippageMaxTicks: 50 };

  it('starts at mid and steps toward the far side with each attempt, never past it', () => {
    const limits = [0, 1, 2, 3, 4, 5].map((attempt) => {
      const plan = planPrice(
        request({ market: m, legs: [leg(a, 'BUY')], attempt, firstLimit: 1.1, settings: wide }),
      );
      return plan?.type === 'LMT' ? plan.limit : null;
    });
    expect(limits).toEqual([1.1, 1.13, 1.15, 1.18, 1.2, 1.2]);
    const sells = [0, 2, 4, 9].map((attempt) => {
      const plan = planPrice(
        request({ market: m, legs: [leg(a, 'SELL')], attempt, firstLimit: 1.1, settings: wide }),
      );
      return plan?.type === 'LMT' ? plan.limit : null;
    });
    expect(sells).toEqual([1.1, 1.05, 1.0, 1.0]);
  });

  it('prices a combo as one net limit, paying more (or receiving less) as it chases', () => {
    // Sell 2 of a at mid 1.10, buy 1 of b at mid 0.45: a credit of 1.75 at mid.
    const legs = [leg(a, 'SELL', 2), leg(b, 'BUY')];
    const first = planPrice(request({ market: m, legs, settings: wide }));
    const far = planPrice(request({ market: m, legs, attempt: 4, firstLimit: -1.75, settings: wide }));
    expect(first).toEqual({ type: 'LMT', limit: -1.75, atCap: false });
    expect(far).toEqual({ type: 'LMT', limit: -1.5, atCap: true });
  });

  it('starts urgent orders halfway to the far side', () => {
    const plan = planPrice(request({ market: m, legs: [leg(a, 'BUY')], urgent: true }));
    expect(plan).toEqual({ type: 'LMT', limit: 1.15, atCap: false });
  });

  it('waits without quotes', () => {
    expect(planPrice(request({ market: market({}), legs: [leg(a, 'BUY')] }))).toBeNull();
  });
});

describe('slippage cap', () => {
  it('never chases a market that ran away past the cap from the first limit', () => {
    // First limit 1.10 at mid; the market is now 1.40/1.60: mid alone would pay 1.50.
    const moved = market({ [a]: [1.4, 1.6], [b]: [0.1, 0.2] });
    const buy = planPrice(request({ market: moved, legs: [leg(a, 'BUY')], attempt: 1, firstLimit: 1.1 }));
    expect(buy).toEqual({ type: 'LMT', limit: 1.15, atCap: true });
    // A sell whose market fell away: held 5 ticks under its first limit.
    const sell = planPrice(request({ market: moved, legs: [leg(b, 'SELL')], attempt: 1, firstLimit: 0.45 }));
    expect(sell).toEqual({ type: 'LMT', limit: 0.4, atCap: true });
  });

  it('allows a combo 5 ticks per contract: 15 ticks of net for a 2x1', () => {
    const moved = market({ [a]: [0.4, 0.6], [b]: [0.4, 0.5] });
    const legs = [leg(a, 'SELL', 2), leg(b, 'BUY')];
    // Net at mid: -2 x 0.50 + 0.45 = -0.55; the first limit was -1.75.
    const plan = planPrice(request({ market: moved, legs, attempt: 1, firstLimit: -1.75 }));
    expect(plan).toEqual({ type: 'LMT', limit: -1.6, atCap: true });
  });

  it('lets the market come back in our favour', () => {
    const better = market({ [a]: [0.9, 1.0] });
    const plan = planPrice(request({ market: better, legs: [leg(a, 'BUY')], attempt: 1, firstLimit: 1.1 }));
    expect(plan).toEqual({ type: 'LMT', limit: 0.97, atCap: false });
  });
});

describe('market orders', () => {
  const moved = market({ [a]: [1.4, 1.6] });
  const capped = { market: moved, legs: [leg(a, 'BUY')], attempt: 2, firstLimit: 1.1 };

  it('an urgent close goes to market once its previous limit sat at the cap', () => {
    const plan = planPrice(
      request({ ...capped, urgent: true, marketAllowed: true, previous: { limit: 1.15 } }),
    );
    expect(plan).toEqual({ type: 'MKT' });
  });

  it('an urgent close goes to market after its previous limit reached the far side', () => {
    const still = market({ [a]: [1.0, 1.2] });
    const plan = planPrice(
      request({
        market: still,
        legs: [leg(a, 'BUY')],
        attempt: 3,
        firstLimit: 1.15,
        urgent: true,
        marketAllowed: true,
        previous: { limit: 1.2 },
      }),
    );
    expect(plan).toEqual({ type: 'MKT' });
  });

  it('not before the cap, not unless allowed (a normal close, an open, a venue without them)', () => {
    const notYet = planPrice(
      request({ ...capped, attempt: 1, urgent: true, marketAllowed: true, previous: { limit: 1.12 } }),
    );
    expect(notYet?.type).toBe('LMT');
    const notAllowed = planPrice(request({ ...capped, urgent: true, previous: { limit: 1.15 } }));
    expect(notAllowed).toEqual({ type: 'LMT', limit: 1.15, atCap: true });
  });
});

describe('chasing through the executor', () => {
  const legs = [{ instrument: chainOption(3, 'C'), qtyPerUnit: 1 }];
  const id = legs[0]?.instrument.id as InstrumentId;

  async function restingRun(marketWhenUrgent: boolean, marketOrders = true) {
    const quotes = new Map<InstrumentId, Quote>([[id, { bid: 1, ask: 1.2, mid: 1.1, t: 0 }]]);
    const base = structureSettings;
    const run = await StructureRun.start({
      legs,
      combos: true,
      scripts: [{ kind: 'fill' }],
      quotes,
      settings: { ...base, execution: { ...base.execution, slippageMaxTicks: 10, marketWhenUrgent } },
      marketOrders,
    });
    run.open(1);
    await run.runUntil((r) => r.settled());
    // Every close order rests unfilled while the market runs away, 2 cents a step.
    const rest = { kind: 'partial', fraction: 0, rest: 'never', restDelayMs: 0 } as const;
    let bid = 1;
    return {
      run,
      quotes,
      rest,
      lift: () => {
        bid = Math.round((bid - 0.02) * 100) / 100;
        quotes.set(id, { bid, ask: bid + 0.2, mid: bid + 0.1, t: 0 });
      },
    };
  }

  it('re-prices toward the far side on the chase timer and holds at the cap without churning', async () => {
    const { run, rest, lift } = await restingRun(false);
    run.close(
      'normal',
      0,
      Array.from({ length: 20 }, () => rest),
    );
    for (let i = 0; i < 12; i++) {
      lift();
      await run.runUntil(() => false, 10_000);
    }
    const closes = run.venue.sent.filter((o) => /-c\d+$/.test(o.clientOrderId));
    const limits = closes.map((o) => o.limitPrice);
    // Mid 1.10 first, a step toward the bid, then held at the cap 10 ticks below the first limit
    // (the bid is 0.76 by the end); never a market order. At the cap the order keeps working: no
    // more cancels and replacements.
    expect(limits).toEqual([1.1, 1.03, 1.0]);
    expect(closes.every((o) => o.type === 'LMT')).toBe(true);
    expect(run.group.status).toBe('closing');
    expect(run.violations).toEqual([]);
  });

  it('an urgent close goes to market once the limit sat at its cap, where the venue allows it', async () => {
    const { run, rest, lift } = await restingRun(true);
    run.close('urgent', 0, [rest, rest, rest, rest, rest, rest, rest]);
    for (let i = 0; i < 12; i++) {
      lift();
      await run.runUntil((r) => r.settled(), 10_000);
    }
    const closes = run.venue.sent.filter((o) => /-c\d+$/.test(o.clientOrderId));
    const firstMarket = closes.findIndex((o) => o.type === 'MKT');
    expect(firstMarket).toBeGreaterThan(0);
    expect(closes.slice(0, firstMarket).every((o) => o.type === 'LMT')).toBe(true);
    expect(closes.slice(firstMarket).every((o) => o.type === 'MKT' && o.limitPrice === null)).toBe(true);
    expect(run.group.status).toBe('closed');
    expect(run.violations).toEqual([]);
  });

  it('never sends a market order to a venue that does not take them', async () => {
    const { run, rest, lift } = await restingRun(true, false);
    run.close(
      'urgent',
      0,
      Array.from({ length: 20 }, () => rest),
    );
    for (let i = 0; i < 12; i++) {
      lift();
      await run.runUntil(() => false, 10_000);
    }
    expect(run.venue.sent.every((o) => o.type === 'LMT')).toBe(true);
  });
});
