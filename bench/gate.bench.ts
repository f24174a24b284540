// Gate figures: pre-trade checks per second with 10,000 open groups and a full week of budget
// history (five trading days, two scans a day, 2,000 positions opened and closed in the week, so
// the budget holds 12,000 entries). An open is checked as a whole new structure (reserve against
// every cap); a close is bounded by what its group owns.
// The checks run on orders built beforehand, and enough of them that the JIT warming up is a small part.
// Run: node --import tsx bench/gate.bench.ts
import { pathToFileURL } from 'node:url';
import {
  atLocalTime,
  ClientOrderId,
  ExecId,
  GroupId,
  InstrumentId,
  StrategyId,
  VenueOrderId,
  fixedClock,
  timeZoneOf,
  toMicros,
  type Instrument,
  type OrderIntent,
  type Side,
} from '../src/domain';
import { checkOrder, type GateInput } from '../src/engine/pre-trade-gate';
import { Recorder } from '../src/engine/recorder';
import { defaultGateLimits, type RiskSettings } from '../src/engine/settings';
import { memoryStore } from '../test/support/engine-fixtures';
import { Projection } from '../src/ledger/projection';
import type { MarketData } from '../src/venues/venue';

const offset = timeZoneOf('America/New_York');
const monday = Date.UTC(2026, 1, 9, 14, 30); // 09:30 New York
const groupsOpen = Number(process.env.KEEL_BENCH_GATE_GROUPS ?? 10_000);
const groupsClosed = groupsOpen / 5;
const symbols = 500;
const qty = 100;
const price = 100;
const openChecks = Number(process.env.KEEL_BENCH_GATE_OPENS ?? 200_000);
const closeChecks = Number(process.env.KEEL_BENCH_GATE_CLOSES ?? 400_000);

const risk: RiskSettings = {
  accountEquity: 1_000_000_000,
  // Wide enough that a week of 12,000 positions fits: the bench measures the checks, not refusals.
  limits: {
    maxPositionPct: 0.01,
    maxDailyPct: 0.5,
    maxWeeklyPct: 1,
    maxPositionsPerDay: 5_000,
    positionsPerWeekWarnAt: 20_000,
    maxPositionsPerWeek: 20_000,
  },
  strategyLimits: [],
  riskPerTradePct: 0.02,
  fatFingerPct: 0.05,
  scanTimes: ['10:30', '15:55'],
};

const instruments: Instrument[] = Array.from({ length: symbols }, (_, k) => ({
  id: InstrumentId.of(String(700000 + k)),
  symbol: `S${k}`,
  kind: 'equity',
  multiplier: 1,
  tick: 0.01,
  lot: 1,
}));

const market: MarketData = {
  spot: () => price,
  quote: () => ({ bid: price - 0.01, ask: price + 0.01, mid: price, t: monday }),
  optionChain: () => [],
};

function order(
  groupId: GroupId,
  intent: 'open' | 'close',
  side: Side,
  i: Instrument,
  n: number,
): OrderIntent {
  return {
    clientOrderId: ClientOrderId.of(`${groupId}-${intent === 'open' ? 'o' : 'c'}${n}`),
    groupId,
    strategyId: StrategyId.of('bench'),
    source: 'operator',
    intent,
    legs: [{ instrumentId: i.id, side, ratio: 1 }],
    qty,
    type: 'LMT',
    limitPrice: price,
    stopPrice: null,
    tif: 'DAY',
    reduceOnly: intent === 'close',
    parentClientOrderId: null,
  };
}

/** A week: day and week periods, two scans a day, positions opened (and some closed) in between. */
function buildWeek(): { p: Projection; open: GroupId[]; now: number } {
  const clock = fixedClock(monday, offset);
  const rec = new Recorder(memoryStore(), new Projection(offset), clock);
  for (const i of instruments) rec.record('instrument.defined', { instrument: i });
  rec.record('budget.configured', {
    equity: risk.accountEquity,
    limits: risk.limits,
    strategyLimits: [],
  });
  const strategy = StrategyId.of('bench');
  const perDay = (groupsOpen + groupsClosed) / 5;
  const open: GroupId[] = [];
  let exec = 0;
  let n = 0;
  const trade = (groupId: GroupId, intent: 'open' | 'close', side: Side, i: Instrument, k: number) => {
    const o = order(groupId, intent, side, i, k);
    rec.record('order.intent', { order: o });
    rec.record('order.accepted', {
      clientOrderId: o.clientOrderId,
      venueOrderId: VenueOrderId.of(`V${++exec}`),
    });
    rec.record('order.fill', {
      fill: {
        execId: ExecId.of(`E${exec}`),
        clientOrderId: o.clientOrderId,
        venueOrderId: VenueOrderId.of(`V${exec}`),
        instrumentId: i.id,
        side,
        qty,
        price,
        commission: toMicros(1),
        comboExecId: null,
        venuePositionId: null,
        t: clock.now(),
        provenance: 'live',
      },
    });
  };
  for (let day = 0; day < 5; day++) {
    const dayStart = monday + day * 86_400_000;
    clock.set(dayStart);
    if (day > 0) rec.record('budget.period', { kind: 'day', equity: risk.accountEquity });
    for (let k = 0; k < perDay; k++) {
      // Spread over the session; the scans fall in between.
      clock.set(dayStart + Math.floor((k / perDay) * 6 * 3_600_000));
      for (const at of risk.scanTimes) {
        const scanAt = atLocalTime(dayStart, at, offset);
        const last = rec.projection.budget.state?.lastScanAt ?? 0;
        if (clock.now() >= scanAt && last < scanAt) rec.record('budget.scan', { at });
      }
      const i = instruments[n % symbols] as Instrument;
      const groupId = GroupId.of(`bench-2026020${9 + day}-${k + 1}`);
      n++;
      rec.record('group.opened', {
        groupId,
        strategyId: strategy,
        kind: 'operator',
        source: 'operator',
        legs: [{ instrumentId: i.id, qtyPerUnit: 1 }],
        units: qty,
        note: null,
        budget: { symbol: i.symbol, price, exposurePerUnit: price, lot: 1, unit: 'shares' },
        entry: { limitPrice: price, stopPrice: null, targetPrice: null },
      });
      trade(groupId, 'open', 'BUY', i, 1);
      rec.record('group.status', { groupId, status: 'open', reason: 'opened', targetUnits: null });
      // Monday to Thursday, 5 positions in 24 are closed again; their budget is freed at a scan.
      if (k % 24 < 5 && day < 4) {
        rec.record('group.status', { groupId, status: 'closing', reason: 'bench', targetUnits: 0 });
        trade(groupId, 'close', 'SELL', i, 2);
        rec.record('group.status', { groupId, status: 'closed', reason: 'bench', targetUnits: null });
      } else open.push(groupId);
    }
  }
  return { p: rec.projection, open, now: clock.now() };
}

function input(p: Projection, o: OrderIntent, now: number, open: GateInput['open']): GateInput {
  return {
    p,
    order: o,
    now,
    limits: defaultGateLimits,
    recentOrderTimes: [],
    executionBudget: Number.MAX_SAFE_INTEGER,
    risk,
    market,
    open,
  };
}

export function main() {
  const built = performance.now();
  const { p, open, now } = buildWeek();
  const buildSec = (performance.now() - built) / 1000;
  const entries = p.budget.state?.entries.length ?? 0;
  const claim = { symbol: 'S0', price, exposurePerUnit: price, lot: 1, unit: 'shares' };
  let refused = 0;
  // The orders are built before the clock starts: the figures are the gate's, not the ids'.
  const opens: GateInput[] = [];
  for (let k = 0; k < openChecks; k++) {
    const i = instruments[k % symbols] as Instrument;
    const o = order(GroupId.of(`bench-new-${k}`), 'open', 'BUY', i, 1);
    opens.push(
      input(p, o, now, { claim: { ...claim, symbol: i.symbol }, protectiveStop: null, multiplier: 1 }),
    );
  }
  let start = performance.now();
  for (const gateInput of opens) if (checkOrder(gateInput)) refused++;
  const openSec = (performance.now() - start) / 1000;
  const closes: GateInput[] = [];
  for (let k = 0; k < closeChecks; k++) {
    const groupId = open[k % open.length] as GroupId;
    const leg = p.requireGroup(groupId).legs[0];
    const i = p.requireInstrument(leg?.instrumentId ?? (instruments[0] as Instrument).id);
    closes.push(input(p, order(groupId, 'close', 'SELL', i, 2), now, null));
  }
  start = performance.now();
  for (const gateInput of closes) if (checkOrder(gateInput)) refused++;
  const closeSec = (performance.now() - start) / 1000;
  const rows: [string, string][] = [
    [
      `week built: ${p.groups.size.toLocaleString()} groups (${open.length.toLocaleString()} open), ${entries.toLocaleString()} budget entries`,
      `${buildSec.toFixed(2)} s`,
    ],
    [
      `open checks (reserve against every cap)`,
      `${Math.round(openChecks / openSec).toLocaleString()} checks/s (${((openSec / openChecks) * 1e6).toFixed(0)} µs/check)`,
    ],
    [
      `close checks (bounded by what the group owns)`,
      `${Math.round(closeChecks / closeSec).toLocaleString()} checks/s (${((closeSec / closeChecks) * 1e6).toFixed(1)} µs/check)`,
    ],
    ['refused (expected 0)', String(refused)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('gate');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  return { openPerSec: openChecks / openSec, closePerSec: closeChecks / closeSec, entries, refused };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = main();
  // npm run bench runs this file in a process of its own and reads the figures from this line.
  if (process.env.KEEL_BENCH_FIGURES === '1') console.log(`figures ${JSON.stringify(figures)}`);
}
