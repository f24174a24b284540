// Reconciliation of a large account: 1,000 open perpetual positions (one group each), 10,000
// orders and 100,000 executions. Three rounds are timed:
//  - steady: the venue agrees with keel (the timer's round every minute)
//  - restart: keel missed the last 10% of executions (10,000, trade records with the venue order
//    id only) and 100 positions closed at the venue while it was down (position history)
//  - restart, position ids never captured: the same history matched by characteristics
// Run: node --import tsx bench/reconcile.bench.ts
import { pathToFileURL } from 'node:url';
import {
  ClientOrderId,
  ExecId,
  fixedClock,
  timeZoneOf,
  GroupId,
  InstrumentId,
  StrategyId,
  toMicros,
  VenueOrderId,
  VenuePositionId,
  type Instrument,
} from '../src/domain';
import { EngineCore } from '../src/engine/engine-core';
import { OrderManager } from '../src/engine/order-manager';
import { reconcile, type ReconcileSummary } from '../src/engine/reconcile';
import { Recorder, type EventStore } from '../src/engine/recorder';
import { defaultEngineSettings } from '../src/engine/settings';
import { ScriptedVenue } from '../test/support/scripted-venue';
import { Projection } from '../src/ledger/projection';
import type {
  VenueExecution,
  VenueOrderStatus,
  VenuePositionHistoryRecord,
  VenueSnapshot,
} from '../src/venues/venue';

const seoul = timeZoneOf('Asia/Seoul');

const positions = 1_000;
const ordersPerGroup = 10;
const fillsPerOrder = 10;
const closedWhileDown = 100;
const t0 = Date.UTC(2025, 9, 23, 9, 15);
const lotQty = 0.001;
const strategy = StrategyId.of('perp');

type Built = { core: EngineCore; orders: OrderManager; store: { count: number }; snap: VenueSnapshot };

function instrument(k: number): Instrument {
  return {
    id: InstrumentId.of(String(900_000 + k)),
    symbol: `C${k}-USDT`,
    kind: 'future',
    expiry: null,
    multiplier: 1,
    tick: 0.1,
    lot: 0.0001,
  };
}

/** keel's journal and the venue's view; `missing` executions are the venue's only. */
function build(scenario: 'steady' | 'restart' | 'restart-no-ids'): Built {
  const clock = fixedClock(t0, seoul);
  const store = { count: 0 };
  const sink: EventStore = { append: () => ++store.count, read: () => [][Symbol.iterator]() };
  const rec = new Recorder(sink, new Projection(seoul), clock);
  const core = new EngineCore(
    rec,
    ScriptedVenue.recording([], () => clock.now()),
    clock,
    defaultEngineSettings,
    () => {},
  );
  const venueOrders: VenueOrderStatus[] = [];
  const executions: VenueExecution[] = [];
  const venuePositions: VenueSnapshot['positions'][number][] = [];
  const history: VenuePositionHistoryRecord[] = [];
  let exec = 0;
  for (let g = 0; g < positions; g++) {
    const i = instrument(g);
    rec.record('instrument.defined', { instrument: i });
    const groupId = GroupId.of(`perp-20251023-${g + 1}`);
    const qty = Number((ordersPerGroup * fillsPerOrder * lotQty).toFixed(4));
    const price = 1000 + g;
    rec.record('group.opened', {
      groupId,
      strategyId: strategy,
      kind: 'futures-protected',
      source: 'strategy',
      legs: [{ instrumentId: i.id, qtyPerUnit: qty }],
      units: 1,
      note: null,
      budget: null,
      entry: null,
    });
    const closes = scenario !== 'steady' && g < closedWhileDown;
    const missingOrder = scenario !== 'steady'; // the last order's fills: 10% of the executions
    for (let o = 0; o < ordersPerGroup; o++) {
      const clientOrderId = ClientOrderId.of(`${groupId}-o${o + 1}`);
      const venueOrderId = VenueOrderId.of(String(1981288264506753024n + BigInt(g * ordersPerGroup + o)));
      rec.record('order.intent', {
        order: {
          clientOrderId,
          groupId,
          strategyId: strategy,
          source: 'strategy',
          intent: 'open',
          legs: [{ instrumentId: i.id, side: 'BUY', ratio: 1 }],
          qty: Number((fillsPerOrder * lotQty).toFixed(4)),
          type: 'LMT',
          limitPrice: price,
          stopPrice: null,
          tif: 'GTC',
          reduceOnly: false,
          parentClientOrderId: null,
        },
      });
      rec.record('order.accepted', { clientOrderId, venueOrderId });
      for (let f = 0; f < fillsPerOrder; f++) {
        const execution: VenueExecution = {
          execId: ExecId.of(`E${++exec}`),
          clientOrderId: null,
          venueOrderId,
          instrumentId: i.id,
          side: 'BUY',
          qty: lotQty,
          price,
          commission: toMicros(0.0005),
          comboExecId: null,
          venuePositionId: null,
          t: t0,
        };
        executions.push(execution);
        if (!(missingOrder && o === ordersPerGroup - 1))
          rec.record('order.fill', { fill: { ...execution, clientOrderId, provenance: 'live' } });
      }
      venueOrders.push({
        clientOrderId,
        venueOrderId,
        spec: null,
        status: 'filled',
        filledQty: Number((fillsPerOrder * lotQty).toFixed(4)),
        remainingQty: 0,
        avgFillPrice: price,
      });
    }
    rec.record('group.status', { groupId, status: 'open', reason: 'opened', targetUnits: null });
    const positionId = VenuePositionId.of(String(1981288265204482048n + BigInt(g) * 4096n));
    if (scenario !== 'restart-no-ids')
      rec.record('group.positionId', { groupId, instrumentId: i.id, venuePositionId: positionId });
    rec.record('venue.position', { instrumentId: i.id, qty, avgPrice: price });
    if (closes) {
      // A stop keel placed, filled at the venue while keel was down; no trade record left.
      const stopId = ClientOrderId.of(`${groupId}-p${ordersPerGroup + 1}`);
      const stopVenueId = VenueOrderId.of(String(1981288264600000000n + BigInt(g)));
      rec.record('order.intent', {
        order: {
          clientOrderId: stopId,
          groupId,
          strategyId: strategy,
          source: 'engine',
          intent: 'protect',
          legs: [{ instrumentId: i.id, side: 'SELL', ratio: 1 }],
          qty,
          type: 'STP',
          limitPrice: null,
          stopPrice: price - 10,
          tif: 'GTC',
          reduceOnly: true,
          parentClientOrderId: null,
        },
      });
      rec.record('order.accepted', { clientOrderId: stopId, venueOrderId: stopVenueId });
      venueOrders.push({
        clientOrderId: stopId,
        venueOrderId: stopVenueId,
        spec: null,
        status: 'filled',
        filledQty: qty,
        remainingQty: 0,
        avgFillPrice: price - 10,
      });
      history.push({
        venuePositionId: positionId,
        instrumentId: i.id,
        qty,
        side: 'LONG',
        avgPrice: price,
        avgClosePrice: price - 10,
        realisedPnl: toMicros(-10 * qty),
        netPnl: toMicros(-10 * qty - 0.2),
        openedAt: t0,
        closedAt: t0 + 3_600_000,
      });
    } else venuePositions.push({ instrumentId: i.id, qty, avgPrice: price, venuePositionId: positionId });
  }
  clock.set(t0 + 7_200_000);
  const snap: VenueSnapshot = {
    t: clock.now(),
    orders: venueOrders,
    positions: venuePositions,
    executions,
    settlements: [],
    positionHistory: history,
  };
  return { core, orders: new OrderManager(core), store, snap };
}

const repeats = 3;

/** The median of a few rounds, each on a fresh account (a round changes what it reconciles). */
function time(scenario: 'steady' | 'restart' | 'restart-no-ids') {
  const runs = Array.from({ length: repeats }, () => {
    const built = build(scenario);
    const before = built.store.count;
    const start = performance.now();
    const counts: ReconcileSummary = reconcile(built.core, built.orders, built.snap, {
      startUp: scenario !== 'steady',
    });
    const ms = performance.now() - start;
    return { ms, counts, events: built.store.count - before, p: built.core.p };
  });
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(repeats / 2)] as (typeof runs)[number];
}

export async function main() {
  const steady = time('steady');
  const restart = time('restart');
  const noIds = time('restart-no-ids');
  const orders = steady.p.orders.size;
  const fills = steady.p.execIds.size;
  const size = `${positions.toLocaleString()} positions, ${orders.toLocaleString()} orders, ${fills.toLocaleString()} executions`;
  const rows: [string, string][] = [
    [`steady round (${size})`, `${steady.ms.toFixed(0)} ms, ${steady.events} events journaled`],
    [
      `restart: ${restart.counts.fillsRecovered.toLocaleString()} fills recovered by venue order id, ${restart.counts.fillsInferred} closes inferred from the position history`,
      `${restart.ms.toFixed(0)} ms, ${restart.events.toLocaleString()} events journaled, ${restart.counts.groupsClosed} groups closed`,
    ],
    [
      `restart, no position ids kept: ${noIds.counts.fillsInferred} closes matched by characteristics`,
      `${noIds.ms.toFixed(0)} ms, ${noIds.counts.groupsClosed} groups closed, ${noIds.counts.discrepanciesRaised} discrepancies`,
    ],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`reconcile (median of ${repeats} rounds)`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  return { steady, restart, noIds };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
