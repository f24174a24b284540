// Random sessions: defined-risk structures opened and closed the safe way (combo, or per leg with
// longs first on open and shorts first on close, partial fills, reduces, expiry), mixed with
// foreign holdings, external trades and re-reported fills. A correct run never trips the checker;
// each planted fault always does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstrumentRecord, Side } from '../../domain';
import { check } from './check';
import { found, option, VenueLogBuilder, type LegSpec } from '../../../test/support/venue-log-builder';
import type { CheckResult } from './types';

const call = (strike: number) => option(`C${strike}`, strike, 'C');
const put = (strike: number) => option(`P${strike}`, strike, 'P');
const universe = [
  ...[666, 667, 668, 669, 670, 671, 672, 673].map(put),
  ...[690, 691, 692, 693, 694, 695, 696, 697].map(call),
];

type Structure = {
  readonly kind: 'call-credit' | 'put-credit' | 'iron-condor' | 'long-call' | 'long-put';
  readonly callStrike: number;
  readonly putStrike: number;
  readonly width: number;
  readonly qty: number;
  readonly open: 'combo' | 'per-leg' | 'per-leg-shorts-first';
  readonly close: 'combo' | 'per-leg' | 'reduce-then-close' | 'expire';
  readonly split: boolean;
  readonly reduceOnly: boolean;
};

type Noise = {
  readonly step: number;
  readonly kind: 'external' | 'duplicate' | 'reconnect';
  readonly pick: number;
  readonly side: Side;
  readonly qty: number;
};

type Plan = {
  readonly structures: readonly Structure[];
  readonly foreign: readonly { readonly pick: number; readonly qty: number }[];
  readonly noise: readonly Noise[];
  readonly schedule: readonly number[];
  readonly pricesCents: readonly number[];
};

const structureArb = fc.record<Structure>({
  kind: fc.constantFrom('call-credit', 'put-credit', 'iron-condor', 'long-call', 'long-put'),
  callStrike: fc.integer({ min: 690, max: 695 }),
  putStrike: fc.integer({ min: 668, max: 673 }),
  width: fc.integer({ min: 1, max: 2 }),
  qty: fc.integer({ min: 1, max: 3 }),
  open: fc.constantFrom('combo', 'per-leg'),
  close: fc.constantFrom('combo', 'per-leg', 'reduce-then-close', 'expire'),
  split: fc.boolean(),
  reduceOnly: fc.boolean(),
});

const planArb = (structures: fc.Arbitrary<Structure[]>) =>
  fc.record<Plan>({
    structures,
    foreign: fc.array(fc.record({ pick: fc.nat(), qty: fc.integer({ min: -30, max: 30 }) }), {
      maxLength: 3,
    }),
    noise: fc.array(
      fc.record<Noise>({
        step: fc.nat({ max: 24 }),
        kind: fc.constantFrom('external', 'duplicate', 'reconnect'),
        pick: fc.nat(),
        side: fc.constantFrom('BUY', 'SELL'),
        qty: fc.integer({ min: 1, max: 5 }),
      }),
      { maxLength: 5 },
    ),
    schedule: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    pricesCents: fc.array(fc.integer({ min: 1, max: 250 }), { minLength: 12, maxLength: 12 }),
  });

/** Open-side legs; every short has its wing (calls above, puts below). */
function openLegs(s: Structure): LegSpec[] {
  const callSpread: LegSpec[] = [
    [call(s.callStrike), 'SELL'],
    [call(s.callStrike + s.width), 'BUY'],
  ];
  const putSpread: LegSpec[] = [
    [put(s.putStrike), 'SELL'],
    [put(s.putStrike - s.width), 'BUY'],
  ];
  switch (s.kind) {
    case 'call-credit':
      return callSpread;
    case 'put-credit':
      return putSpread;
    case 'iron-condor':
      return [...putSpread, ...callSpread];
    case 'long-call':
      return [[call(s.callStrike), 'BUY']];
    case 'long-put':
      return [[put(s.putStrike), 'BUY']];
  }
}

const flip = (side: Side): Side => (side === 'BUY' ? 'SELL' : 'BUY');
const longsFirst = (legs: LegSpec[]) => [
  ...legs.filter((l) => l[1] === 'BUY'),
  ...legs.filter((l) => l[1] === 'SELL'),
];
const closeShortsFirst = (legs: LegSpec[]): LegSpec[] =>
  longsFirst(legs)
    .reverse()
    .map(([i, side]) => [i, flip(side)] as const);

type Step = (b: VenueLogBuilder) => void;

class Session {
  readonly b = new VenueLogBuilder({ start: '2026-02-13T09:30:00-05:00' });
  private priceNo = 0;
  constructor(private readonly plan: Plan) {}

  price(): number {
    const cents = this.plan.pricesCents[this.priceNo++ % this.plan.pricesCents.length] ?? 10;
    return cents / 100;
  }

  perLeg(
    group: string,
    legs: readonly LegSpec[],
    qty: number,
    intent: 'open' | 'close' | 'reduce',
    s: Structure,
  ): Step[] {
    return legs.map(([instrument, side]) => (b) => {
      const o = b.order({
        legs: [[instrument, side]],
        qty,
        group,
        intent,
        reduceOnly: intent !== 'open' && s.reduceOnly,
      });
      b.ack(o);
      if (s.split && qty > 1)
        b.fill(o, instrument, { qty: 1, price: this.price() })
          .wait(1)
          .fill(o, instrument, { qty: qty - 1, price: this.price() });
      else b.fill(o, instrument, { price: this.price() });
    });
  }

  combo(group: string, legs: readonly LegSpec[], qty: number, intent: 'open' | 'close', s: Structure): Step {
    return (b) => {
      const o = b.order({ legs, qty, group, intent });
      b.ack(o);
      const prices = legs.map(() => this.price());
      if (s.split && qty > 1)
        b.comboFill(o, prices, { units: 1 })
          .wait(1)
          .comboFill(o, prices, { units: qty - 1 });
      else b.comboFill(o, prices);
    };
  }

  steps(s: Structure, group: string): Step[] {
    const legs = openLegs(s);
    const open =
      s.open === 'combo'
        ? [this.combo(group, legs, s.qty, 'open', s)]
        : this.perLeg(
            group,
            s.open === 'per-leg' ? longsFirst(legs) : longsFirst(legs).reverse(),
            s.qty,
            'open',
            s,
          );
    const closing = closeShortsFirst(legs);
    switch (s.close) {
      case 'combo':
        return [...open, this.combo(group, closing, s.qty, 'close', s)];
      case 'per-leg':
        return [...open, ...this.perLeg(group, closing, s.qty, 'close', s)];
      case 'reduce-then-close':
        if (s.qty === 1) return [...open, ...this.perLeg(group, closing, 1, 'close', s)];
        return [
          ...open,
          ...this.perLeg(group, closing, 1, 'reduce', s),
          ...this.perLeg(group, closing, s.qty - 1, 'close', s),
        ];
      case 'expire':
        return open;
    }
  }

  noise(n: Noise): void {
    const instrument = universe[n.pick % universe.length] as InstrumentRecord;
    if (n.kind === 'external') {
      const o = this.b.order({ legs: [[instrument, n.side]], qty: n.qty, origin: 'external' });
      this.b.ack(o).fill(o, instrument, { price: this.price() });
    } else if (n.kind === 'duplicate') {
      const execId = this.b.execIds.at(-1);
      if (execId !== undefined) this.b.duplicateFill(execId);
    } else {
      this.b.raw({ type: 'connection', event: 'down' }).wait(30).raw({ type: 'connection', event: 'up' });
    }
  }

  /** Runs the plan; `extra` may plant a fault after any step (`done`: that structure's steps so far). */
  run(
    extra: (at: { stepNo: number; structure: number; done: number }, s: Session) => void = () => undefined,
  ): Session {
    const b = this.b;
    for (const f of this.plan.foreign)
      b.position(universe[f.pick % universe.length] as InstrumentRecord, f.qty, 1);
    b.at('09:45');
    const queues = this.plan.structures.map((s, i) => ({
      structure: i,
      done: 0,
      steps: this.steps(s, `s${i}`),
    }));
    for (let stepNo = 0; queues.some((q) => q.steps.length > 0); stepNo++) {
      const live = queues.filter((q) => q.steps.length > 0);
      const queue = live[(this.plan.schedule[stepNo % this.plan.schedule.length] ?? 0) % live.length];
      if (queue === undefined) break;
      queue.steps.shift()?.(b);
      queue.done += 1;
      b.wait(1);
      for (const n of this.plan.noise) if (n.step === stepNo) this.noise(n);
      extra({ stepNo, structure: queue.structure, done: queue.done }, this);
    }
    if (this.plan.structures.some((s) => s.close === 'expire')) {
      b.at('16:00');
      for (const instrument of universe) b.settle(instrument, this.price());
    }
    return this;
  }
}

const runOf = (plan: Plan, extra?: Parameters<Session['run']>[0]): CheckResult =>
  check(new Session(plan).run(extra).b.build(), { converged: true });

const settings = { numRuns: 300 };

describe('random clean sessions', () => {
  it('never produce a violation', () => {
    fc.assert(
      fc.property(planArb(fc.array(structureArb, { minLength: 1, maxLength: 4 })), (plan) => {
        expect(found(runOf(plan))).toEqual([]);
      }),
      settings,
    );
  });
});

describe('planted faults are always caught', () => {
  const withShort = structureArb.filter((s) => s.kind !== 'long-call' && s.kind !== 'long-put');

  it('a per-leg open that sells a short before its long: defined-risk at the first short fill', () => {
    fc.assert(
      fc.property(
        planArb(withShort.map((s) => [{ ...s, open: 'per-leg-shorts-first' as const }])),
        (plan) => {
          const session = new Session(plan).run();
          const result = check(session.b.build(), { converged: true });
          const firstShortFill = session.b.lines.find(
            (l) => l.type === 'fill' && l.clientOrderId !== null && l.side === 'SELL',
          );
          expect(result.violations.length).toBeGreaterThan(0);
          expect(result.violations.every((v) => v.invariant === 'defined-risk')).toBe(true);
          expect(result.violations[0]?.seq).toBe(firstShortFill?.seq);
        },
      ),
      settings,
    );
  });

  it('a venue position that changes with no fill behind it: foreign-untouched, once', () => {
    fc.assert(
      fc.property(
        planArb(fc.array(structureArb, { minLength: 1, maxLength: 3 })),
        fc.nat(),
        fc.integer({ min: 1, max: 3 }).chain((d) => fc.constantFrom(d, -d)),
        fc.nat({ max: 4 }),
        (plan, pick, delta, atStep) => {
          let tamperedSeq: number | null = null;
          const result = runOf(plan, ({ stepNo }, s) => {
            if (stepNo !== atStep) return;
            const instrument = universe[pick % universe.length] as InstrumentRecord;
            s.b.position(instrument, s.b.venuePosition(instrument) + delta);
            tamperedSeq = s.b.lastSeq;
          });
          expect(found(result)).toEqual(tamperedSeq === null ? [] : [['foreign-untouched', tamperedSeq]]);
        },
      ),
      settings,
    );
  });

  it('a stale close sent while the group owned, filling after the group closed: no-flip at that fill', () => {
    const closed = structureArb.filter((s) => s.close !== 'expire');
    fc.assert(
      fc.property(planArb(fc.array(closed, { minLength: 1, maxLength: 3 })), (plan) => {
        const first = plan.structures[0] as Structure;
        const openSteps = first.open === 'combo' ? 1 : openLegs(first).length;
        const closing = closeShortsFirst(openLegs(first))[0] as LegSpec;
        let stale: string | null = null;
        const session = new Session(plan).run(({ structure, done }, s) => {
          if (structure !== 0 || done !== openSteps) return;
          stale = s.b.order({ legs: [closing], group: 's0', intent: 'close' });
          s.b.ack(stale);
        });
        if (stale === null) throw new Error('the stale order was never sent');
        session.b.wait(300).fill(stale, closing[0]);
        const result = check(session.b.build());
        // Flipping a long leg short also leaves it naked; that is defined-risk's to report.
        expect(found(result).filter(([code]) => code !== 'defined-risk')).toEqual([
          ['no-flip', session.b.lastSeq - 1],
        ]);
      }),
      settings,
    );
  });

  it("a group's PnL off by one cent: pnl-mismatch, once", () => {
    fc.assert(
      fc.property(planArb(fc.array(structureArb, { minLength: 1, maxLength: 3 })), fc.nat(), (plan, pick) => {
        const input = new Session(plan).run().b.build((r) => {
          const g = r.groups[pick % r.groups.length];
          if (g === undefined) return;
          g.realizedPnl = Math.round(g.realizedPnl * 100 + 1) / 100;
          r.summary.realizedPnl = Math.round(r.summary.realizedPnl * 100 + 1) / 100;
        });
        expect(found(check(input)).map(([code]) => code)).toEqual(['pnl-mismatch']);
      }),
      settings,
    );
  });
});
