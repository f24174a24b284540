// The venue conformance suite: what every Venue must do for the engine, written against the Venue
// interface only, run by the simulated venue and by every broker adapter through its harness
// (README.md beside this file). A case that needs a product, a capability or a harness control
// the venue lacks skips, and prints which.
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import {
  ClientOrderId,
  InstrumentId,
  qtyAdd,
  qtyMul,
  roundToTick,
  type Instrument,
  type OrderLeg,
  type OrderSpec,
} from '../../../src/domain';
import type { RejectReason, Venue, VenueFill, VenueSnapshot } from '../../../src/venues/venue';
import type { HarnessControl, MakeHarness, VenueHarness } from './harness';
import {
  comboOrder,
  filledQty,
  lots,
  orderIds,
  priceBook,
  Session,
  singleLeg,
  type EventOf,
} from './session';

/** Venue time the suite lets pass for an order to arrive and be answered. */
const answerMs = 1_000;
/** A venue whose trade history filters by the second may return executions this much before `since`. */
const executionsSinceSlackMs = 1_000;
const unknownSymbol = 'KEEL-NO-SUCH-SYMBOL';
const unknownInstrumentId = InstrumentId.of('keel-no-such-instrument');
const orderQtyLots = 10;

type Case = {
  readonly h: VenueHarness;
  readonly s: Session;
  readonly ctx: TestContext;
  readonly skip: (reason: string) => never;
};

export function describeVenueConformance(name: string, makeHarness: MakeHarness): void {
  describe(`venue conformance: ${name}`, () => {
    let h: VenueHarness | null = null;
    const sessions: Session[] = [];

    beforeEach(async () => {
      h = await makeHarness();
    });

    afterEach(async () => {
      const all = sessions.splice(0);
      await h?.close();
      h = null;
      // The contract: nothing is ever delivered from inside submit() or cancel(), in any case.
      expect(all.flatMap((s) => s.reentrant)).toEqual([]);
    });

    const run =
      (body: (c: Case) => Promise<void>) =>
      async (ctx: TestContext): Promise<void> => {
        if (h === null) throw new Error('no harness');
        const s = await Session.open(h.venue);
        sessions.push(s);
        const skip = (reason: string): never => {
          console.info(`[venue conformance: ${name}] skipped "${ctx.task.name}": ${reason}`);
          return ctx.skip(reason);
        };
        await body({ h, s, ctx, skip });
      };
    const reopen = async (venue: Venue): Promise<Session> => {
      const s = await Session.open(venue);
      sessions.push(s);
      return s;
    };

    defineOrderFlowCases(run);
    defineRefusalCases(run);
    defineReportCases(run);
    defineStructureCases(run);
    defineSessionCases(run, reopen);
    defineLookupCases(run);
    defineReentrancyCase(run);
  });
}

type Run = (body: (c: Case) => Promise<void>) => (ctx: TestContext) => Promise<void>;

// ---- shared steps ---------------------------------------------------------------------------------

/** The single-leg instrument of the cases: the equity, else the future; quoted around 100. */
async function tradable(c: Case): Promise<Instrument> {
  const terms = c.h.products.equity ?? c.h.products.future;
  if (terms === null) throw new Error('a harness must list an equity or a future for the single-leg cases');
  const r = await c.h.venue.resolveInstrument(terms);
  if (!r.ok) throw new Error(`the harness lists ${JSON.stringify(terms)} but the venue says: ${r.reason}`);
  const book = priceBook(r.instrument);
  await c.h.setQuote(r.instrument.id, { bid: book.bid, ask: book.ask });
  return r.instrument;
}

function needs(c: Case, ...controls: HarnessControl[]): void {
  const missing = controls.filter((k) => !c.h.controls.has(k));
  if (missing.length > 0) c.skip(`the harness has no ${missing.join(', ')} control`);
}

/** Sends an order and lets the venue answer it. */
async function send(c: Case, spec: OrderSpec, s = c.s): Promise<void> {
  s.submit(spec);
  await c.h.advance(answerMs);
}

/** A resting GTC buy limit, accepted: the working order several cases start from. */
async function restingBuy(c: Case, i: Instrument, id: ClientOrderId, qty = lots(i, orderQtyLots)) {
  const spec = singleLeg(id, i, 'BUY', qty, { limit: priceBook(i).restingBuy });
  await send(c, spec);
  const accepted = c.s.accepted(id);
  expect(c.s.fills(id)).toEqual([]);
  return { spec, accepted };
}

/** The fill says which order of keel's it belongs to, in every field the engine matches on. */
function expectFillOf(fill: VenueFill, spec: OrderSpec, accepted: EventOf<'accepted'>): void {
  expect(fill.clientOrderId).toBe(spec.clientOrderId);
  expect(fill.venueOrderId).toBe(accepted.venueOrderId);
  expect(spec.legs.map((l) => l.instrumentId)).toContain(fill.instrumentId);
  const leg = spec.legs.find((l) => l.instrumentId === fill.instrumentId);
  expect(fill.side).toBe(leg?.side);
  expect(fill.qty).toBeGreaterThan(0);
  expect(fill.price).toBeGreaterThan(0);
  expect(fill.execId.length).toBeGreaterThan(0);
  if (spec.legs.length === 1 && spec.type === 'LMT' && spec.limitPrice !== null) {
    // A limit is a bound: a buy never pays more, a sell never gets less.
    if (fill.side === 'BUY') expect(fill.price).toBeLessThanOrEqual(spec.limitPrice);
    else expect(fill.price).toBeGreaterThanOrEqual(spec.limitPrice);
  }
}

function expectRejected(
  e: EventOf<'rejected'> | undefined,
  reason: RejectReason,
): asserts e is EventOf<'rejected'> {
  expect(e, `a rejected event (${reason})`).toBeDefined();
  expect(e?.reason).toBe(reason);
  expect(Number.isInteger(e?.code)).toBe(true);
  expect(e?.message.length ?? 0).toBeGreaterThan(0);
}

function orderIn(snap: VenueSnapshot, id: ClientOrderId) {
  return snap.orders.filter((o) => o.clientOrderId === id);
}

function positionOf(snap: VenueSnapshot, i: Instrument): number {
  return snap.positions.filter((p) => p.instrumentId === i.id).reduce((sum, p) => qtyAdd(sum, p.qty), 0);
}

// ---- submit, accept, fill, cancel -----------------------------------------------------------------

function defineOrderFlowCases(run: Run): void {
  it(
    'connect, subscribe, submit: accepted, then a partial fill and the rest, quantities adding up',
    run(async (c) => {
      needs(c, 'partialFill');
      const i = await tradable(c);
      const id = orderIds('flow')();
      const qty = lots(i, orderQtyLots);
      const spec = singleLeg(id, i, 'BUY', qty, { limit: priceBook(i).marketableBuy });
      c.h.nextOrder({ kind: 'partialFill', fraction: 0.4, restAfterMs: 2 * answerMs });
      await send(c, spec);
      const accepted = c.s.accepted(id);
      const first = c.s.fills(id);
      expect(first.length).toBeGreaterThan(0);
      expect(filledQty(first)).toBe(lots(i, 4));
      await c.h.advance(3 * answerMs);
      const fills = c.s.fills(id);
      expect(fills.length).toBeGreaterThan(first.length);
      expect(filledQty(fills)).toBe(qty);
      expect(new Set(fills.map((f) => f.execId)).size).toBe(fills.length);
      for (const f of fills) expectFillOf(f, spec, accepted);
      expect(c.s.of('cancelled', id)).toEqual([]);
      const order = orderIn(await c.h.venue.snapshot(), id);
      expect(order.map((o) => [o.status, o.filledQty, o.remainingQty])).toEqual([['filled', qty, 0]]);
    }),
  );

  it(
    'a market order fills at once',
    run(async (c) => {
      if (!c.h.venue.capabilities.marketOrders) c.skip('capabilities.marketOrders: false');
      const i = await tradable(c);
      const id = orderIds('mkt')();
      const spec = singleLeg(id, i, 'SELL', lots(i, orderQtyLots), { type: 'MKT' });
      await send(c, spec);
      const accepted = c.s.accepted(id);
      expect(filledQty(c.s.fills(id))).toBe(spec.qty);
      for (const f of c.s.fills(id)) expectFillOf(f, spec, accepted);
    }),
  );

  it(
    'cancel of a working order: cancelled, reason requested, the whole quantity remaining',
    run(async (c) => {
      const i = await tradable(c);
      const id = orderIds('cancel')();
      const { spec, accepted } = await restingBuy(c, i, id);
      c.s.cancel(id);
      await c.h.advance(answerMs);
      const cancelled = c.s.of('cancelled', id);
      expect(cancelled.map((e) => [e.reason, e.remainingQty])).toEqual([['requested', spec.qty]]);
      expect(cancelled[0]?.venueOrderId ?? accepted.venueOrderId).toBe(accepted.venueOrderId);
      const order = orderIn(await c.h.venue.snapshot(), id);
      expect(order.filter((o) => o.status === 'working')).toEqual([]);
    }),
  );

  it(
    'cancel of a partly filled order: cancelled, reason requested, the unfilled rest remaining',
    run(async (c) => {
      needs(c, 'partialFill');
      const i = await tradable(c);
      const id = orderIds('cancel-part')();
      const qty = lots(i, orderQtyLots);
      c.h.nextOrder({ kind: 'partialFill', fraction: 0.4, restAfterMs: 600 * answerMs });
      await send(c, singleLeg(id, i, 'BUY', qty, { limit: priceBook(i).marketableBuy }));
      const filled = filledQty(c.s.fills(id));
      expect(filled).toBe(lots(i, 4));
      c.s.cancel(id);
      await c.h.advance(answerMs);
      const cancelled = c.s.of('cancelled', id);
      expect(cancelled.map((e) => [e.reason, e.remainingQty])).toEqual([['requested', lots(i, 6)]]);
      await c.h.advance(600 * answerMs); // the rest never fills once cancelled
      expect(filledQty(c.s.fills(id))).toBe(filled);
    }),
  );

  it(
    'cancel of a filled order or of an order the venue never had: cancelRejected with a typed reason',
    run(async (c) => {
      const i = await tradable(c);
      const next = orderIds('cancel-rej');
      const filled = next();
      await send(c, singleLeg(filled, i, 'BUY', lots(i, 1), { limit: priceBook(i).marketableBuy }));
      expect(filledQty(c.s.fills(filled))).toBe(lots(i, 1));
      const unknown = next();
      c.s.cancel(filled);
      c.s.cancel(unknown);
      await c.h.advance(answerMs);
      expect(c.s.of('cancelRejected', filled).map((e) => e.reason)).toEqual(['notWorking']);
      expect(c.s.of('cancelRejected', unknown).map((e) => e.reason)).toEqual(['unknownOrder']);
      expect(c.s.of('cancelled')).toEqual([]);
    }),
  );
}

// ---- refusals -------------------------------------------------------------------------------------

function defineRefusalCases(run: Run): void {
  it(
    "a refusal carries reason refused and the venue's own code and text; nothing fills",
    run(async (c) => {
      needs(c, 'reject');
      const i = await tradable(c);
      const id = orderIds('refused')();
      const message = 'Order rejected - reason: no trading permissions';
      c.h.nextOrder({ kind: 'reject', code: 201, message });
      await send(c, singleLeg(id, i, 'BUY', lots(i, 1), { limit: priceBook(i).marketableBuy }));
      const [rejected] = c.s.of('rejected', id);
      expectRejected(rejected, 'refused');
      expect([rejected.code, rejected.message]).toEqual([201, message]);
      expect(c.s.of('accepted', id)).toEqual([]);
      expect(c.s.fills(id)).toEqual([]);
    }),
  );

  it(
    'an off-tick price is rejected offTick',
    run(async (c) => {
      const i = await tradable(c);
      const id = orderIds('tick')();
      await send(c, singleLeg(id, i, 'BUY', lots(i, 1), { limit: priceBook(i).offTick }));
      expectRejected(c.s.of('rejected', id)[0], 'offTick');
      expect(c.s.fills(id)).toEqual([]);
    }),
  );

  it(
    'a duplicate client order id is rejected duplicateId, and the first order keeps working',
    run(async (c) => {
      const i = await tradable(c);
      const id = orderIds('dup-id')();
      const { spec, accepted } = await restingBuy(c, i, id);
      await send(c, { ...spec, qty: lots(i, 3), limitPrice: priceBook(i).ticks(-12) });
      expectRejected(c.s.of('rejected', id)[0], 'duplicateId');
      expect(c.s.of('cancelled', id)).toEqual([]);
      const working = orderIn(await c.h.venue.snapshot(), id).filter((o) => o.status === 'working');
      expect(working.map((o) => [o.venueOrderId, o.spec])).toEqual([[accepted.venueOrderId, spec]]);
    }),
  );

  it(
    'an order for an instrument the venue does not list is rejected unknownInstrument',
    run(async (c) => {
      const id = orderIds('unknown-instr')();
      const leg: OrderLeg = { instrumentId: unknownInstrumentId, side: 'BUY', ratio: 1 };
      await send(c, comboOrder(id, [leg], 1, { limit: 100 }));
      expectRejected(c.s.of('rejected', id)[0], 'unknownInstrument');
      expect(c.s.of('accepted', id)).toEqual([]);
    }),
  );

  it(
    'capabilities: a keel client order id of maxLength allowed characters is accepted and echoed',
    run(async (c) => {
      const rules = c.h.venue.capabilities.clientOrderId;
      expect(rules.maxLength).toBeGreaterThan(0);
      const i = await tradable(c);
      const suffix = '-o1';
      const length = Math.min(rules.maxLength, 48); // keel's own ids are at most 48 characters
      const id = ClientOrderId.of(`cf-cap-${'x'.repeat(Math.max(0, length - 7 - suffix.length))}${suffix}`);
      expect(id.length).toBe(length);
      expect(rules.allowed.test(id), `${id} against ${rules.allowed}`).toBe(true);
      const spec = singleLeg(id, i, 'BUY', lots(i, 1), { limit: priceBook(i).marketableBuy });
      await send(c, spec);
      const accepted = c.s.accepted(id);
      expect(c.s.of('rejected', id)).toEqual([]);
      for (const f of c.s.fills(id)) expectFillOf(f, spec, accepted);
      expect(filledQty(c.s.fills(id))).toBe(spec.qty);
    }),
  );
}

// ---- duplicate, delayed and out-of-order reports ---------------------------------------------------

function defineReportCases(run: Run): void {
  it(
    'a duplicate fill report carries the same exec id, and the venue counts the execution once',
    run(async (c) => {
      needs(c, 'duplicateFill');
      const i = await tradable(c);
      const id = orderIds('dup-fill')();
      const qty = lots(i, orderQtyLots);
      c.h.nextOrder({ kind: 'duplicateFill' });
      await send(c, singleLeg(id, i, 'BUY', qty, { limit: priceBook(i).marketableBuy }));
      const fills = c.s.fills(id);
      const ids = fills.map((f) => f.execId);
      const repeated = ids.filter((x, n) => ids.indexOf(x) !== n);
      expect(repeated.length, 'a fill reported twice').toBeGreaterThan(0);
      for (const execId of repeated) {
        const copies = fills.filter((f) => f.execId === execId);
        for (const copy of copies) expect(copy).toEqual(copies[0]);
      }
      expect(filledQty(fills)).toBe(qty);
      const snap = await c.h.venue.snapshot();
      for (const execId of new Set(ids))
        expect(snap.executions.filter((x) => x.execId === execId)).toHaveLength(1);
      expect(positionOf(snap, i)).toBe(qty);
    }),
  );

  it(
    "reports out of submission order still name their order: a delayed fill after a later order's",
    run(async (c) => {
      needs(c, 'delayFill');
      const i = await tradable(c);
      const next = orderIds('late');
      const [early, late] = [next(), next()];
      const px = priceBook(i).marketableBuy;
      const specs = [singleLeg(early, i, 'BUY', lots(i, 2), { limit: px })];
      c.h.nextOrder({ kind: 'delayFill', delayMs: 5 * answerMs });
      await send(c, specs[0] as OrderSpec);
      expect(c.s.accepted(early)).toBeDefined();
      expect(c.s.fills(early)).toEqual([]);
      specs.push(singleLeg(late, i, 'BUY', lots(i, 3), { limit: px }));
      await send(c, specs[1] as OrderSpec);
      expect(filledQty(c.s.fills(late))).toBe(lots(i, 3));
      expect(c.s.fills(early)).toEqual([]);
      await c.h.advance(5 * answerMs);
      expect(filledQty(c.s.fills(early))).toBe(lots(i, 2));
      const fills = c.s.fills();
      expect(fills.map((f) => f.clientOrderId)).toEqual([
        ...c.s.fills(late).map(() => late),
        ...c.s.fills(early).map(() => early),
      ]);
      for (const spec of specs)
        for (const f of c.s.fills(spec.clientOrderId))
          expectFillOf(f, spec, c.s.accepted(spec.clientOrderId));
      expect(new Set(fills.map((f) => f.execId)).size).toBe(fills.length);
    }),
  );

  it(
    'snapshot: positions, working orders with their spec, executions; executionsSince filters',
    run(async (c) => {
      const i = await tradable(c);
      const next = orderIds('snap');
      const [a, b, w] = [next(), next(), next()];
      const px = priceBook(i).marketableBuy;
      await send(c, singleLeg(a, i, 'BUY', lots(i, 2), { limit: px }));
      await c.h.advance(2 * executionsSinceSlackMs);
      await send(c, singleLeg(b, i, 'BUY', lots(i, 3), { limit: px }));
      const { spec: working, accepted } = await restingBuy(c, i, w, lots(i, 4));
      const [fillsA, fillsB] = [c.s.fills(a), c.s.fills(b)];
      expect(filledQty(fillsA)).toBe(lots(i, 2));
      expect(filledQty(fillsB)).toBe(lots(i, 3));
      const snap = await c.h.venue.snapshot();
      expect(snap.t).toBeGreaterThanOrEqual(Math.max(...fillsB.map((f) => f.t)));
      expect(positionOf(snap, i)).toBe(lots(i, 5));
      const [position] = snap.positions.filter((p) => p.instrumentId === i.id);
      const all = [...fillsA, ...fillsB];
      const avg = all.reduce((s, f) => s + f.qty * f.price, 0) / filledQty(all);
      expect(position?.avgPrice).toBeCloseTo(avg, 6);
      const listed = orderIn(snap, w);
      expect(listed.map((o) => [o.status, o.venueOrderId, o.filledQty, o.remainingQty])).toEqual([
        ['working', accepted.venueOrderId, 0, working.qty],
      ]);
      expect(listed[0]?.spec).toEqual(working);
      for (const f of all) {
        const [x] = snap.executions.filter((e) => e.execId === f.execId);
        expect(x, `execution ${f.execId} in the snapshot`).toBeDefined();
        expect([x?.clientOrderId ?? f.clientOrderId, x?.venueOrderId, x?.qty, x?.price, x?.side]).toEqual([
          f.clientOrderId,
          f.venueOrderId,
          f.qty,
          f.price,
          f.side,
        ]);
      }
      const since = Math.min(...fillsB.map((f) => f.t));
      const later = await c.h.venue.snapshot({ executionsSince: since });
      const laterIds = later.executions.map((e) => e.execId);
      for (const f of fillsB) expect(laterIds).toContain(f.execId);
      for (const f of fillsA.filter((x) => x.t < since - executionsSinceSlackMs))
        expect(laterIds).not.toContain(f.execId);
      expect(fillsA.some((x) => x.t < since - executionsSinceSlackMs)).toBe(true);
    }),
  );
}

// ---- combos and brackets --------------------------------------------------------------------------

/** Calls of the listed chain by strike, quoted 5.00 down by 0.40 a strike, five cents wide. */
async function quotedCalls(c: Case): Promise<Instrument[]> {
  const chain = c.h.products.optionChain;
  if (chain === null) return c.skip('the harness lists no option chain');
  const listed = await c.h.venue.optionChain(chain.symbol, chain.expiry);
  const calls = listed
    .filter((x) => x.kind === 'option' && x.right === 'C')
    .sort((x, y) => (x.kind === 'option' && y.kind === 'option' ? x.strike - y.strike : 0));
  let n = 0;
  for (const call of calls) {
    const mid = roundToTick(5 - 0.4 * n++, call.tick);
    await c.h.setQuote(call.id, {
      bid: roundToTick(mid - 0.05, call.tick),
      ask: roundToTick(mid + 0.05, call.tick),
    });
  }
  return calls;
}

function naturalDebit(c: Case, legs: readonly OrderLeg[]): number {
  const net = legs.reduce((sum, l) => {
    const q = c.h.venue.market.quote(l.instrumentId);
    if (q === null) throw new Error(`no quote for leg ${l.instrumentId}`);
    return sum + (l.side === 'BUY' ? l.ratio * q.ask : -l.ratio * q.bid);
  }, 0);
  return roundToTick(net, 0.01, 'up');
}

function defineStructureCases(run: Run): void {
  it(
    "a combo's fills are reported per leg, with the leg's instrument and ratio-consistent quantities",
    run(async (c) => {
      if (!c.h.venue.capabilities.combos) c.skip('capabilities.combos: false');
      const calls = await quotedCalls(c);
      const [k1, k2, k3] = calls;
      if (k1 === undefined || k2 === undefined || k3 === undefined)
        throw new Error('the listed chain has fewer than three calls');
      const legs: OrderLeg[] = [
        { instrumentId: k1.id, side: 'BUY', ratio: 1 },
        { instrumentId: k2.id, side: 'SELL', ratio: 2 },
        { instrumentId: k3.id, side: 'BUY', ratio: 1 },
      ];
      const id = orderIds('combo')();
      const units = 3;
      const spec = comboOrder(id, legs, units, { limit: naturalDebit(c, legs) });
      const partial = c.h.controls.has('partialFill');
      if (partial) c.h.nextOrder({ kind: 'partialFill', fraction: 0.34, restAfterMs: 2 * answerMs });
      await send(c, spec);
      await c.h.advance(3 * answerMs);
      const accepted = c.s.accepted(id);
      const fills = c.s.fills(id);
      for (const f of fills) expectFillOf(f, spec, accepted);
      const executions = groupBy(fills, (f) => f.comboExecId ?? `(none: ${f.execId})`);
      if (partial) expect(executions.size).toBeGreaterThan(1);
      for (const [comboExecId, group] of executions) {
        expect(comboExecId.startsWith('(none'), `fill without a comboExecId`).toBe(false);
        expect(group.map((f) => f.instrumentId).sort()).toEqual(legs.map((l) => l.instrumentId).sort());
        const perUnit = group.map(
          (f) => f.qty / (legs.find((l) => l.instrumentId === f.instrumentId)?.ratio ?? 0),
        );
        expect(new Set(perUnit).size, `one execution of whole units: ${perUnit.join(', ')}`).toBe(1);
      }
      for (const leg of legs)
        expect(filledQty(fills.filter((f) => f.instrumentId === leg.instrumentId))).toBe(
          qtyMul(units, leg.ratio),
        );
      const snap = await c.h.venue.snapshot();
      expect(
        legs.map((l) => positionOf(snap, calls.find((x) => x.id === l.instrumentId) as Instrument)),
      ).toEqual(legs.map((l) => (l.side === 'BUY' ? 1 : -1) * units * l.ratio));
    }),
  );

  it(
    'a combo of more legs than capabilities.comboLegsMax is refused; one of comboLegsMax is not',
    run(async (c) => {
      const caps = c.h.venue.capabilities;
      if (!caps.combos) c.skip('capabilities.combos: false');
      expect(caps.comboLegsMax).toBeGreaterThanOrEqual(2);
      const calls = await quotedCalls(c);
      if (calls.length < caps.comboLegsMax + 1)
        throw new Error(
          `the listed chain has ${calls.length} calls; the suite needs ${caps.comboLegsMax + 1}`,
        );
      const legsOf = (n: number): OrderLeg[] =>
        calls
          .slice(0, n)
          .map((x, k) => ({ instrumentId: x.id, side: k % 2 === 0 ? 'BUY' : 'SELL', ratio: 1 }));
      const next = orderIds('legs');
      const [over, max] = [next(), next()];
      await send(
        c,
        comboOrder(over, legsOf(caps.comboLegsMax + 1), 1, {
          limit: naturalDebit(c, legsOf(caps.comboLegsMax + 1)),
        }),
      );
      const [rejected] = c.s.of('rejected', over);
      expect(rejected, 'the over-long combo is rejected').toBeDefined();
      expect(['unsupported', 'refused']).toContain(rejected?.reason);
      expect(c.s.fills(over)).toEqual([]);
      await send(
        c,
        comboOrder(max, legsOf(caps.comboLegsMax), 1, { limit: naturalDebit(c, legsOf(caps.comboLegsMax)) }),
      );
      expect(c.s.of('rejected', max)).toEqual([]);
      expect(c.s.accepted(max)).toBeDefined();
    }),
  );

  it(
    'bracket children (parentClientOrderId): a fill of one cancels the other, reason venue',
    run(async (c) => {
      const i = await tradable(c);
      const next = orderIds('bracket');
      const [entry, stop, target] = [next('o'), next('p'), next('p')];
      const qty = lots(i, orderQtyLots);
      const book = priceBook(i);
      await send(c, singleLeg(entry, i, 'BUY', qty, { limit: book.marketableBuy }));
      const parent = c.s.accepted(entry);
      expect(filledQty(c.s.fills(entry))).toBe(qty);
      const reduceOnly = c.h.venue.capabilities.reduceOnly;
      const exit = { parent: entry, reduceOnly, tif: 'GTC' } as const;
      await send(c, singleLeg(stop, i, 'SELL', qty, { ...exit, type: 'STP', stop: book.ticks(-20) }));
      const takeProfit = book.ticks(20);
      await send(c, singleLeg(target, i, 'SELL', qty, { ...exit, limit: takeProfit }));
      for (const child of [stop, target])
        expect(c.s.accepted(child).parentVenueOrderId).toBe(parent.venueOrderId);
      const listed = (await c.h.venue.snapshot()).orders.filter((o) => o.status === 'working');
      expect(listed.map((o) => [o.clientOrderId, o.parentVenueOrderId]).sort()).toEqual(
        [
          [stop, parent.venueOrderId],
          [target, parent.venueOrderId],
        ].sort(),
      );
      await c.h.setQuote(i.id, { bid: takeProfit, ask: roundToTick(takeProfit + 2 * i.tick, i.tick) });
      await c.h.advance(answerMs);
      expect(filledQty(c.s.fills(target))).toBe(qty);
      expect(c.s.fills(stop)).toEqual([]);
      expect(c.s.of('cancelled', stop).map((e) => [e.reason, e.remainingQty])).toEqual([['venue', qty]]);
      expect(c.s.of('cancelled', target)).toEqual([]);
    }),
  );
}

// ---- session: end of day, disconnects, restarts ----------------------------------------------------

function defineSessionCases(run: Run, reopen: (venue: Venue) => Promise<Session>): void {
  it(
    'a DAY order at the session end: cancelled, reason expired; a GTC order keeps working',
    run(async (c) => {
      needs(c, 'sessionEnd');
      const i = await tradable(c);
      const next = orderIds('eod');
      const [day, gtc] = [next(), next()];
      const qty = lots(i, orderQtyLots);
      await send(c, singleLeg(day, i, 'BUY', qty, { limit: priceBook(i).restingBuy, tif: 'DAY' }));
      await restingBuy(c, i, gtc);
      expect(c.s.accepted(day)).toBeDefined();
      await c.h.endSession();
      await c.h.advance(answerMs);
      expect(c.s.of('cancelled', day).map((e) => [e.reason, e.remainingQty])).toEqual([['expired', qty]]);
      expect(c.s.of('cancelled', gtc)).toEqual([]);
      const snap = await c.h.venue.snapshot();
      expect(orderIn(snap, day).filter((o) => o.status === 'working')).toEqual([]);
      expect(orderIn(snap, gtc).map((o) => o.status)).toEqual(['working']);
    }),
  );

  it(
    'disconnected: nothing pushed, an order is rejected notSent with no venue id; on reconnect a connection up, and the snapshot has what happened',
    run(async (c) => {
      needs(c, 'disconnect');
      const i = await tradable(c);
      const next = orderIds('link');
      const [resting, whileDown] = [next(), next()];
      const { spec, accepted } = await restingBuy(c, i, resting);
      const mark = c.s.mark();
      await c.h.disconnect(5 * answerMs);
      // The resting order becomes marketable and fills at the venue while keel hears nothing.
      await c.h.setQuote(i.id, { bid: priceBook(i).ticks(-13), ask: spec.limitPrice as number });
      await c.h.advance(answerMs);
      c.s.submit(singleLeg(whileDown, i, 'BUY', lots(i, 1), { limit: priceBook(i).ticks(-12) }));
      c.s.cancel(resting);
      await c.h.advance(answerMs);
      expect(c.h.venue.isConnected()).toBe(false);
      const duringDown = await c.h.venue.snapshot().then(
        (snap) => snap,
        () => null, // refusing a snapshot while down is fine; an empty or stale one is not
      );
      if (duringDown !== null) expect(orderIn(duringDown, resting)).not.toEqual([]);
      const heardDown = c.s.events.slice(mark);
      const clientSide = (e: (typeof heardDown)[number]) =>
        e.type === 'connection' ||
        (e.type === 'rejected' && e.reason === 'notSent') ||
        (e.type === 'cancelRejected' && e.reason === 'notSent');
      expect(heardDown.filter((e) => !clientSide(e))).toEqual([]);
      expect(c.s.of('connection', undefined, mark).map((e) => e.up)).toEqual([false]);
      const [notSent] = c.s.of('rejected', whileDown);
      expectRejected(notSent, 'notSent');
      expect(notSent.venueOrderId).toBeNull();
      expect(c.s.of('cancelRejected', resting).map((e) => e.reason)).toEqual(['notSent']);
      await c.h.advance(5 * answerMs);
      expect(c.h.venue.isConnected()).toBe(true);
      expect(c.s.of('connection', undefined, mark).map((e) => e.up)).toEqual([false, true]);
      const snap = await c.h.venue.snapshot();
      const executions = snap.executions.filter((x) => x.venueOrderId === accepted.venueOrderId);
      expect(executions.reduce((sum, x) => qtyAdd(sum, x.qty), 0)).toBe(spec.qty);
      expect(positionOf(snap, i)).toBe(spec.qty);
      expect(orderIn(snap, resting).filter((o) => o.status === 'working')).toEqual([]);
      expect(orderIn(snap, whileDown), 'an order that was never sent is not at the venue').toEqual([]);
    }),
  );

  it(
    'the link drops with an order in flight: after reconnecting, the snapshot says by client id what became of it',
    run(async (c) => {
      needs(c, 'disconnect');
      const i = await tradable(c);
      const id = orderIds('in-flight')();
      const spec = singleLeg(id, i, 'BUY', lots(i, orderQtyLots), { limit: priceBook(i).marketableBuy });
      c.s.submit(spec);
      await c.h.disconnect(5 * answerMs);
      await c.h.advance(answerMs);
      expect(c.s.events.filter((e) => e.type !== 'connection')).toEqual([]);
      await c.h.advance(5 * answerMs);
      expect(c.s.of('connection').map((e) => e.up)).toEqual([false, true]);
      const snap = await c.h.venue.snapshot();
      const listed = orderIn(snap, id);
      expect(listed.length).toBeLessThanOrEqual(1);
      const [order] = listed;
      const executed = snap.executions
        .filter((x) => order !== undefined && x.venueOrderId === order.venueOrderId)
        .reduce((sum, x) => qtyAdd(sum, x.qty), 0);
      expect(executed).toBe(order?.filledQty ?? 0);
      expect(positionOf(snap, i)).toBe(executed);
    }),
  );

  it(
    'restart mid-order: the new client finds the working order by client id and cancels it; the old one hears nothing',
    run(async (c) => {
      needs(c, 'restart');
      const i = await tradable(c);
      const id = orderIds('restart')();
      const { spec, accepted } = await restingBuy(c, i, id);
      const heardBefore = c.s.events.length;
      const fresh = await reopen(await c.h.restart());
      const listed = orderIn(await fresh.venue.snapshot(), id);
      expect(listed.map((o) => [o.status, o.venueOrderId, o.remainingQty])).toEqual([
        ['working', accepted.venueOrderId, spec.qty],
      ]);
      expect(listed[0]?.spec).toEqual(spec);
      fresh.cancel(id);
      await c.h.advance(answerMs);
      expect(fresh.of('cancelled', id).map((e) => [e.reason, e.remainingQty])).toEqual([
        ['requested', spec.qty],
      ]);
      expect(c.s.events.length, 'the closed client heard nothing more').toBe(heardBefore);
    }),
  );
}

// ---- lookups and positions ------------------------------------------------------------------------

function defineLookupCases(run: Run): void {
  it(
    'lookups: the listed products resolve; unknown terms resolve ok:false with a reason, an unknown id to null',
    run(async (c) => {
      const { equity, future, optionChain } = c.h.products;
      for (const terms of [equity, future]) {
        if (terms === null) continue;
        const r = await c.h.venue.resolveInstrument(terms);
        expect(r.ok, JSON.stringify(terms)).toBe(true);
        if (r.ok) expect(await c.h.venue.instrument(r.instrument.id)).toEqual(r.instrument);
      }
      if (optionChain !== null) {
        const chain = await c.h.venue.optionChain(optionChain.symbol, optionChain.expiry);
        expect(chain.length).toBeGreaterThan(c.h.venue.capabilities.comboLegsMax);
        const first = chain[0] as Instrument;
        expect(await c.h.venue.instrument(first.id)).toEqual(first);
      }
      const unknown = await c.h.venue.resolveInstrument({ symbol: unknownSymbol });
      expect(unknown.ok).toBe(false);
      if (!unknown.ok) expect(unknown.reason.length).toBeGreaterThan(0);
      expect(await c.h.venue.instrument(unknownInstrumentId)).toBeNull();
      expect(await c.h.venue.optionChain(unknownSymbol, '2026-02-20')).toEqual([]);
    }),
  );

  it(
    "positions carry the venue's own position id, in the snapshot and in the position history",
    run(async (c) => {
      if (!c.h.positionIds) c.skip('positions at this venue carry no venue position id');
      const i = await tradable(c);
      const next = orderIds('posid');
      const [open, close, reopened] = [next('o'), next('c'), next('o')];
      const qty = lots(i, orderQtyLots);
      const book = priceBook(i);
      await send(c, singleLeg(open, i, 'BUY', qty, { limit: book.marketableBuy }));
      const first = (await c.h.venue.snapshot()).positions.find((p) => p.instrumentId === i.id);
      expect(first?.venuePositionId).toEqual(expect.any(String));
      const orderIdsSeen = c.s.of('accepted').map((e) => e.venueOrderId as string);
      expect(orderIdsSeen).not.toContain(first?.venuePositionId);
      await send(c, singleLeg(close, i, 'SELL', qty, { limit: book.marketableSell, reduceOnly: true }));
      const flat = await c.h.venue.snapshot();
      expect(positionOf(flat, i)).toBe(0);
      if (c.h.venue.capabilities.positionHistory) {
        const closed = flat.positionHistory.filter((r) => r.venuePositionId === first?.venuePositionId);
        expect(closed.map((r) => [r.instrumentId, r.qty, r.side ?? 'LONG'])).toEqual([[i.id, qty, 'LONG']]);
      }
      await send(c, singleLeg(reopened, i, 'BUY', qty, { limit: book.marketableBuy }));
      const second = (await c.h.venue.snapshot()).positions.find((p) => p.instrumentId === i.id);
      expect(second?.venuePositionId).toEqual(expect.any(String));
      expect(second?.venuePositionId, 'a new position gets a new id').not.toBe(first?.venuePositionId);
    }),
  );
}

// ---- no re-entrant delivery -----------------------------------------------------------------------

function defineReentrancyCase(run: Run): void {
  it(
    'events never arrive from inside submit() or cancel(), whatever the order meets',
    run(async (c) => {
      const i = await tradable(c);
      const next = orderIds('reentry');
      const book = priceBook(i);
      const [fills, rests, offTick] = [next(), next(), next()];
      c.s.submit(singleLeg(fills, i, 'BUY', lots(i, 1), { limit: book.marketableBuy }));
      c.s.submit(singleLeg(rests, i, 'BUY', lots(i, 1), { limit: book.restingBuy }));
      c.s.submit(singleLeg(offTick, i, 'BUY', lots(i, 1), { limit: book.offTick }));
      c.s.cancel(next());
      expect(c.s.events).toEqual([]);
      await c.h.advance(answerMs);
      c.s.cancel(rests);
      c.s.cancel(fills);
      await c.h.advance(answerMs);
      if (c.h.controls.has('disconnect')) {
        await c.h.disconnect(answerMs);
        c.s.submit(singleLeg(next(), i, 'BUY', lots(i, 1), { limit: book.restingBuy }));
        c.s.cancel(rests);
        await c.h.advance(2 * answerMs);
      }
      expect(c.s.events.length).toBeGreaterThan(0);
      expect(c.s.reentrant).toEqual([]);
    }),
  );
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
