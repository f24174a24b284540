// From the file's shape to a loaded Scenario: resolves every time against the clock and checks the
// rules that span sections. Errors stop the run; warnings are printed and the run goes on.
//
// Rules (each error names its path):
// - every time lies inside the clock window; "HH:MM" is read on the clock's start date, in the
//   clock's zone (clock.timeZone, else the fixed offset of clock.start)
// - the calendar knows the holidays of every year the clock spans (by default, when XNYS does not,
//   a warning and every weekday trades)
// - market symbols are unique; price points are in time order; a market has at most marketStepsMax steps
// - external positions and orders name a market symbol (the venue must price them)
// - an option names a market underlying, and the venue must trade options
// - strategy ids are unique and not "operator"; flatten and order `strategy` name a configured one
// - an iron condor trades options on a market underlying
// Relaxed on purpose: an operator order for a symbol without a market is only a warning, because the
// spec's own example orders PLTR with only XSP in the market (the venue then rejects or never fills).
import type { EpochMs, ExchangeCalendar, InstrumentTerms, ParsedTime, TimeZone } from '../../domain';
import {
  assert,
  InvariantError,
  atLocalTime,
  calendarCovers,
  calendarNamed,
  cryptoCalendar,
  fixedOffsetZone,
  formatIso,
  formatOffset,
  localDate,
  parseIsoWithOffset,
  StrategyId,
  GroupId,
  timeZoneOf,
  weekdaysCalendar,
  xnysCalendar,
} from '../../domain';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { barPriceAt, parsePriceBars } from '../market/price-file';
import { formatPath } from './issues';
import type {
  FaultInput,
  FaultMatchInput,
  InstrumentTermsInput,
  IronCondorParamsInput,
  OperatorInput,
  ScenarioInput,
} from './schema';
import { faultActionOf, ironCondorDefaultTimes, isTimeOfDay } from './schema';
import type {
  ExternalOrder,
  FaultMatch,
  ExternalPosition,
  MarketConfig,
  ScenarioOperatorCommand,
  RiskConfig,
  Scenario,
  ScenarioFault,
  ScenarioTime,
  StrategyConfig,
  VenueConfig,
} from './scenario';

/** Bounds the simulated market's memory and run time: 6.5 hours at 1 second is 23,400 steps. */
export const marketStepsMax = 2_000_000;

type Path = readonly PropertyKey[];

type Resolver = {
  readonly errors: string[];
  readonly warnings: string[];
  readonly start: ParsedTime;
  readonly end: ParsedTime;
  readonly zone: TimeZone;
  readonly markets: ReadonlyMap<string, number>;
  readonly input: ScenarioInput;
  /** The scenario or run config file: price files are relative to it. */
  readonly source: string;
};

export function resolveScenario(
  input: ScenarioInput,
  source: string,
): { scenario: Scenario; errors: string[]; warnings: string[] } {
  const start = parseIsoWithOffset(input.clock.start);
  const end = parseIsoWithOffset(input.clock.end);
  assert(start !== null && end !== null, 'the schema checked clock.start and clock.end');
  const errors: string[] = [];
  const warnings: string[] = [];
  const zone = clockZone(input, start, end, warnings);
  const r: Resolver = { errors, warnings, start, end, zone, markets: marketIndex(input), input, source };
  const scenario: Scenario = {
    source,
    name: input.name ?? baseName(source),
    seed: input.seed,
    clock: {
      start: { t: start.epochMs, text: input.clock.start },
      end: { t: end.epochMs, text: input.clock.end },
      timeZone: zone,
      calendar: clockCalendar(r),
      session: input.clock.session ?? null,
    },
    timeZone: zone,
    account: { equity: input.account.equity },
    market: input.market.map((m, i) => resolveMarket(r, m, i)),
    venue: resolveVenue(input.venue),
    faults: input.faults.map((f, i) => resolveFault(r, f, i)),
    external: {
      positions: input.external.positions.map((p, i) => resolvePosition(r, p, i)),
      orders: input.external.orders.map((o, i) => resolveExternalOrder(r, o, i)),
    },
    operator: input.operator.map((c, i) => resolveOperator(r, c, i)),
    strategies: resolveStrategies(r),
    risk: resolveRisk(r, input.risk),
  };
  return { scenario: deepFreeze(scenario), errors, warnings };
}

function error(r: Resolver, path: Path, message: string): void {
  r.errors.push(`${formatPath(path)}: ${message}`);
}

function warning(r: Resolver, path: Path, message: string): void {
  r.warnings.push(`${formatPath(path)}: ${message}`);
}

function baseName(source: string): string {
  const file = source.split(/[\\/]/).pop() ?? source;
  return file.replace(/\.(ya?ml|json)$/i, '') || 'scenario';
}

// ---- times ----

/**
 * clock.timeZone, or without it the fixed offset of clock.start (the spec's clock names only
 * offsets). Times with an explicit offset name instants whatever the zone: an offset that is not
 * the zone's at that instant is only a warning, saying which local time it is.
 */
function clockZone(input: ScenarioInput, start: ParsedTime, end: ParsedTime, warnings: string[]): TimeZone {
  const named = input.clock.timeZone;
  if (named === undefined) {
    if (end.utcOffsetMin !== start.utcOffsetMin)
      warnings.push(
        `clock.end: its offset ${formatOffset(end.utcOffsetMin)} differs from clock.start's ${formatOffset(start.utcOffsetMin)}; local times are read at ${formatOffset(start.utcOffsetMin)} throughout: set clock.timeZone (e.g. America/New_York) to follow the exchange's changes`,
      );
    return fixedOffsetZone(start.utcOffsetMin);
  }
  const zone = timeZoneOf(named);
  for (const key of ['start', 'end'] as const) {
    const given = key === 'start' ? start : end;
    const inForce = zone.offsetAt(given.epochMs);
    if (inForce !== given.utcOffsetMin)
      warnings.push(
        `clock.${key}: ${input.clock[key]} has offset ${formatOffset(given.utcOffsetMin)}, but ${zone.name} is at ${formatOffset(inForce)} then; it is the instant ${formatIso(given.epochMs, zone)}`,
      );
  }
  return zone;
}

/** clock.calendar, or XNYS (24/7 when every market is crypto); it must know every year the clock spans. */
function clockCalendar(r: Resolver): ExchangeCalendar {
  const named = r.input.clock.calendar;
  const calendar =
    named !== undefined
      ? calendarNamed(named)
      : r.input.market.every((m) => m.kind === 'crypto')
        ? cryptoCalendar
        : xnysCalendar;
  const firstYear = Number(localDate(r.start.epochMs, r.zone).slice(0, 4));
  const lastYear = Number(localDate(r.end.epochMs, r.zone).slice(0, 4));
  const missing: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) if (!calendarCovers(`${y}-01-01`, calendar)) missing.push(y);
  if (missing.length === 0) return calendar;
  const covers = `it covers ${calendar.years?.join(', ')}: src/domain/calendar-xnys.ts`;
  if (named !== undefined) {
    error(
      r,
      ['clock', 'calendar'],
      `no ${calendar.name} holidays for ${missing.join(', ')} (${covers}); add them there, or set clock.calendar: weekdays`,
    );
    return calendar;
  }
  warning(
    r,
    ['clock'],
    `no ${calendar.name} holidays for ${missing.join(', ')} (${covers}); every weekday trades: set clock.calendar to choose`,
  );
  return weekdaysCalendar;
}

/** Resolves "HH:MM" (on the start date) or an ISO time; outside the clock window is an error. */
function resolveTime(r: Resolver, path: Path, text: string): ScenarioTime {
  const t = instantOf(r, text);
  if (t < r.start.epochMs || t > r.end.epochMs) {
    error(r, path, `${text} is outside the clock window ${windowText(r)}`);
  }
  return { t, text };
}

function instantOf(r: Resolver, text: string): EpochMs {
  if (isTimeOfDay(text)) return atLocalTime(r.start.epochMs, text, r.zone);
  const parsed = parseIsoWithOffset(text);
  if (parsed === null) throw new InvariantError(`the schema checked the time ${text}`);
  return parsed.epochMs;
}

/** "09:30-16:15 on 2026-02-13", or both ends in full when the window spans days. */
function windowText(r: Resolver): string {
  const { start, end, input } = r;
  const zone = r.zone;
  if (localDate(start.epochMs, zone) !== localDate(end.epochMs, zone)) {
    return `${input.clock.start} to ${input.clock.end} ("HH:MM" is read on the start date; give later days as ISO times)`;
  }
  const local = (t: EpochMs) => {
    const hms = formatIso(t, zone).slice(11, 19);
    return hms.endsWith(':00') ? hms.slice(0, 5) : hms;
  };
  return `${local(start.epochMs)}-${local(end.epochMs)} on ${localDate(start.epochMs, zone)}`;
}

// ---- market and venue ----

function marketIndex(input: ScenarioInput): Map<string, number> {
  const markets = new Map<string, number>();
  input.market.forEach((m, i) => {
    if (!markets.has(m.symbol)) markets.set(m.symbol, i);
  });
  return markets;
}

function resolveMarket(r: Resolver, m: ScenarioInput['market'][number], i: number): MarketConfig {
  const first = r.markets.get(m.symbol);
  if (first !== i)
    error(r, ['market', i, 'symbol'], `duplicate symbol '${m.symbol}' (also market[${first}])`);
  const stepMs = Math.round(m.stepSeconds * 1000);
  const steps = Math.ceil((r.end.epochMs - r.start.epochMs) / stepMs);
  if (steps > marketStepsMax) {
    error(
      r,
      ['market', i, 'stepSeconds'],
      `${m.stepSeconds} makes ${steps} steps over the clock window (max ${marketStepsMax})`,
    );
  }
  let previous: ScenarioTime | null = null;
  const points = m.points.map(([text, price], j) => {
    const at = resolveTime(r, ['market', i, 'points', j, 0], text);
    if (previous !== null && at.t <= previous.t) {
      error(r, ['market', i, 'points', j, 0], `${text} is not after the previous point (${previous.text})`);
    }
    previous = at;
    return { t: at.t, text, price };
  });
  const bars = m.path === 'file' ? readBars(r, m, i) : null;
  return {
    symbol: m.symbol,
    kind: m.kind,
    // The schema requires spot on every other path; a file that cannot be read is an error above.
    spot: bars === null ? (m.spot ?? 1) : barPriceAt(bars.data, r.start.epochMs),
    vol: m.vol,
    drift: m.drift,
    path: m.path,
    points,
    bars,
    stepMs,
    jumps: m.jumps ?? { perDay: 0, meanPct: 0, stdPct: 0 },
    optionSpread: m.optionSpread ?? { minWidth: 0.01, pctOfMid: 0.05 },
    tick: m.tick,
  };
}

/**
 * path: file: the CSV of bars, relative to the scenario (or run config) file. The clock must start
 * inside the file; a clock that runs past its last bar holds the last close (a warning).
 */
function readBars(r: Resolver, m: ScenarioInput['market'][number], i: number): MarketConfig['bars'] {
  const name = m.file ?? '';
  const path = resolvePath(dirname(r.source), name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? String(cause.code) : String(cause);
    error(r, ['market', i, 'file'], `cannot read ${path} (${code}); the path is relative to ${r.source}`);
    return null;
  }
  const parsed = parsePriceBars(text, name);
  if (!parsed.ok) {
    for (const e of parsed.errors) error(r, ['market', i, 'file'], e);
    return null;
  }
  const data = parsed.bars;
  const first = data.t[0] as number;
  const lastEnd = (data.t[data.t.length - 1] as number) + data.barMs;
  const zone = r.zone;
  if (r.start.epochMs < first)
    error(
      r,
      ['market', i, 'file'],
      `${name} starts at ${formatIso(first, zone)}, after clock.start (${formatIso(r.start.epochMs, zone)}): start the clock at or after the first bar`,
    );
  if (r.end.epochMs > lastEnd)
    warning(
      r,
      ['market', i, 'file'],
      `${name} ends at ${formatIso(lastEnd, zone)}, before clock.end: after it ${m.symbol} holds the last close`,
    );
  if (data.iv === null && r.input.venue.products === 'options')
    warning(
      r,
      ['market', i, 'file'],
      `${name} has no iv column: options are priced at market[${i}].vol (${m.vol}) throughout`,
    );
  return { data, interpolation: m.interpolation ?? 'bridge' };
}

function resolveVenue(v: ScenarioInput['venue']): VenueConfig {
  return {
    products: v.products,
    combos: v.combos,
    latencyMs: v.latencyMs,
    commission: { ...v.commission },
    positionIds: v.positionIds,
    positionHistory: v.positionHistory ?? v.products === 'futures',
  };
}

// ---- instruments ----

function termsOf(input: InstrumentTermsInput): InstrumentTerms {
  const { symbol, expiry, strike, right, kind } = input;
  if (expiry !== undefined && strike !== undefined && right !== undefined)
    return { symbol, expiry, strike, right };
  return kind === undefined ? { symbol } : { symbol, kind };
}

function isOptionTerms(terms: InstrumentTerms): boolean {
  return 'expiry' in terms;
}

function knownSymbols(r: Resolver): string {
  return [...r.markets.keys()].join(', ');
}

/**
 * An instrument the simulated venue must price: its symbol (an option's underlying) needs a market,
 * and an option needs an options venue. `unknownSymbol` relaxes the first rule for operator orders.
 */
function checkInstrument(
  r: Resolver,
  path: Path,
  terms: InstrumentTerms,
  unknownSymbol: 'error' | 'warning',
): void {
  const option = isOptionTerms(terms);
  if (!r.markets.has(terms.symbol)) {
    const message = `unknown symbol '${terms.symbol}' (market has: ${knownSymbols(r)})`;
    if (option || unknownSymbol === 'error') error(r, [...path, 'symbol'], message);
    else warning(r, [...path, 'symbol'], `${message}; the venue has no price for it`);
  }
  if (option && r.input.venue.products !== 'options') {
    error(r, path, `an option needs venue.products: options (it is ${r.input.venue.products})`);
  }
}

/** Options trade in whole contracts. */
function checkQty(r: Resolver, path: Path, terms: InstrumentTerms, qty: number): void {
  if (isOptionTerms(terms) && !Number.isInteger(qty)) {
    error(r, path, `must be a whole number of contracts for an option, got ${qty}`);
  }
}

// ---- faults ----

function resolveFault(r: Resolver, f: FaultInput, i: number): ScenarioFault {
  const kind = faultActionOf(f);
  const path = ['faults', i];
  switch (kind) {
    case 'reject':
      assert(f.reject !== undefined, 'reject fault has reject');
      return { kind, index: i, match: resolveMatch(r, f.match, [...path, 'match']), ...f.reject };
    case 'partialFill':
      assert(f.partialFill !== undefined, 'partialFill fault has partialFill');
      return {
        kind,
        index: i,
        match: resolveMatch(r, f.match, [...path, 'match']),
        fraction: f.partialFill,
        restDelayMs: f.delayFill === undefined ? null : secondsToMs(f.delayFill),
      };
    case 'delayFill':
      assert(f.delayFill !== undefined, 'delayFill fault has delayFill');
      return {
        kind,
        index: i,
        match: resolveMatch(r, f.match, [...path, 'match']),
        delayMs: secondsToMs(f.delayFill),
      };
    case 'crashEngine': {
      assert(f.crashEngine !== undefined, 'crashEngine fault has crashEngine');
      const trigger =
        f.at !== undefined
          ? { kind: 'at' as const, at: resolveTime(r, [...path, 'at'], f.at) }
          : { kind: 'afterAppends' as const, appends: f.afterAppends ?? 0 };
      return { kind, index: i, trigger, restartAfterMs: secondsToMs(f.crashEngine.restartAfter) };
    }
    case 'disconnect':
      assert(f.disconnect !== undefined && f.at !== undefined, 'disconnect fault has disconnect and at');
      return {
        kind,
        index: i,
        at: resolveTime(r, [...path, 'at'], f.at),
        durationMs: secondsToMs(f.disconnect.seconds),
      };
    case 'duplicateFill':
      assert(f.at !== undefined, 'duplicateFill fault has at');
      return { kind, index: i, at: resolveTime(r, [...path, 'at'], f.at) };
    case 'none':
    case 'several':
      throw new Error(`faults[${i}]: the schema lets no fault with ${kind} action through`);
  }
}

function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

function resolveMatch(r: Resolver, match: FaultMatchInput | undefined, path: Path): FaultMatch {
  const m = match ?? {};
  const from = m.from === undefined ? null : resolveTime(r, [...path, 'from'], m.from);
  const until = m.until === undefined ? null : resolveTime(r, [...path, 'until'], m.until);
  if (from !== null && until !== null && until.t <= from.t) {
    error(r, [...path, 'until'], `must be after match.from (${from.text}), got ${until.text}`);
  }
  const instrument = m.instrument === undefined ? null : termsOf(m.instrument);
  const symbol = m.symbol ?? instrument?.symbol;
  if (symbol !== undefined && !r.markets.has(symbol) && !orderedByOperator(r, symbol)) {
    const key = m.symbol === undefined ? ['instrument', 'symbol'] : ['symbol'];
    warning(
      r,
      [...path, ...key],
      `no market or operator order has symbol '${symbol}'; this fault never matches`,
    );
  }
  return {
    combo: m.combo ?? null,
    side: m.side ?? null,
    symbol: m.symbol ?? null,
    instrument,
    origin: m.origin ?? null,
    from,
    until,
    nth: m.nth ?? null,
    probability: m.probability ?? 1,
    intent: m.intent ?? null,
  };
}

function orderedByOperator(r: Resolver, symbol: string): boolean {
  return r.input.operator.some(
    (c) => c.action === 'order' && (c.symbol === symbol || c.instrument?.symbol === symbol),
  );
}

// ---- external activity ----

function resolvePosition(
  r: Resolver,
  p: ScenarioInput['external']['positions'][number],
  i: number,
): ExternalPosition {
  const path = ['external', 'positions', i];
  const instrument = termsOf(p.instrument);
  checkInstrument(r, [...path, 'instrument'], instrument, 'error');
  checkQty(r, [...path, 'qty'], instrument, p.qty);
  return { instrument, qty: p.qty, avgPrice: p.avgPrice };
}

function resolveExternalOrder(
  r: Resolver,
  o: ScenarioInput['external']['orders'][number],
  i: number,
): ExternalOrder {
  const path = ['external', 'orders', i];
  const instrument = termsOf(o.instrument);
  checkInstrument(r, [...path, 'instrument'], instrument, 'error');
  checkQty(r, [...path, 'qty'], instrument, o.qty);
  return {
    index: i,
    at: resolveTime(r, [...path, 'at'], o.at),
    instrument,
    side: o.side,
    qty: o.qty,
    type: o.type,
    limitPrice: o.limit ?? null,
  };
}

// ---- operator ----

function resolveOperator(r: Resolver, c: OperatorInput, i: number): ScenarioOperatorCommand {
  const path = ['operator', i];
  const at = resolveTime(r, [...path, 'at'], c.at);
  switch (c.action) {
    case 'order': {
      const instrument: InstrumentTerms =
        c.instrument === undefined ? { symbol: c.symbol ?? '' } : termsOf(c.instrument);
      checkInstrument(r, c.instrument === undefined ? path : [...path, 'instrument'], instrument, 'warning');
      checkQty(r, [...path, 'qty'], instrument, c.qty);
      const trigger = c.type === 'STP' || c.type === 'STP_LMT';
      return {
        index: i,
        at,
        action: c.action,
        instrument,
        side: c.side,
        qty: c.qty,
        type: c.type,
        limitPrice: c.limit ?? null,
        stopPrice: trigger ? (c.stop ?? null) : null,
        protectiveStopPrice: trigger ? null : (c.stop ?? null),
        fit: c.fit,
        strategy: c.strategy === undefined ? null : strategyRef(r, [...path, 'strategy'], c.strategy),
      };
    }
    case 'flatten': {
      const target =
        c.strategy !== undefined
          ? { kind: 'strategy' as const, strategyId: strategyRef(r, [...path, 'strategy'], c.strategy) }
          : { kind: 'group' as const, groupId: GroupId.of(c.group ?? '') };
      return { index: i, at, action: c.action, target };
    }
    case 'halt':
    case 'resume':
      return { index: i, at, action: c.action, reason: c.reason };
    case 'cancel':
      return { index: i, at, action: c.action, mine: c.mine };
    case 'reconcile':
      return { index: i, at, action: c.action };
    case 'resolve':
      return { index: i, at, action: c.action, id: c.id, reason: c.reason };
  }
}

/** A strategy named by the operator must be configured ("operator" is keel's own, for manual orders). */
function strategyRef(r: Resolver, path: Path, id: string): StrategyId {
  const configured = r.input.strategies.map((s) => s.id);
  if (id !== operatorStrategy && !configured.includes(id)) {
    const list = configured.length === 0 ? 'none configured' : `configured: ${configured.join(', ')}`;
    error(r, path, `unknown strategy '${id}' (${list})`);
  }
  return StrategyId.of(id);
}

const operatorStrategy = 'operator';

// ---- strategies ----

function resolveStrategies(r: Resolver): StrategyConfig[] {
  const firstIndex = new Map<string, number>();
  return r.input.strategies.map((s, i) => {
    const path = ['strategies', i];
    const first = firstIndex.get(s.id);
    if (first !== undefined)
      error(r, [...path, 'id'], `duplicate strategy id '${s.id}' (also strategies[${first}])`);
    else firstIndex.set(s.id, i);
    if (s.id === operatorStrategy)
      error(r, [...path, 'id'], `'${operatorStrategy}' is reserved for manual orders`);
    const id = StrategyId.of(s.id);
    switch (s.kind) {
      case 'iron-condor-0dte':
        return { id, kind: s.kind, params: resolveIronCondor(r, s.params, path) };
      case 'equity-bracket':
        requireProducts(r, path, s.kind, 'equities', 'shares');
        return { id, kind: s.kind, params: { ...s.params } };
      case 'futures-protected':
        requireProducts(r, path, s.kind, 'futures', 'perpetual futures');
        return { id, kind: s.kind, params: { ...s.params } };
      case 'demo-condor':
        return { id, kind: s.kind, params: { ...s.params } };
    }
  });
}

function requireProducts(r: Resolver, path: Path, kind: string, products: string, what: string): void {
  if (r.input.venue.products !== products)
    error(r, [...path, 'kind'], `${kind} trades ${what}, but venue.products is ${r.input.venue.products}`);
}

function resolveIronCondor(r: Resolver, p: IronCondorParamsInput, path: Path) {
  const paramsPath = [...path, 'params'];
  if (r.input.venue.products !== 'options') {
    error(
      r,
      [...path, 'kind'],
      `iron-condor-0dte trades options, but venue.products is ${r.input.venue.products}`,
    );
  }
  const underlying = p.underlying ?? onlyMarket(r, [...paramsPath, 'underlying']);
  const market = r.input.market.find((m) => m.symbol === underlying);
  if (p.underlying !== undefined && market === undefined) {
    error(
      r,
      [...paramsPath, 'underlying'],
      `unknown symbol '${underlying}' (market has: ${knownSymbols(r)})`,
    );
  }
  if (market?.kind === 'crypto') {
    error(
      r,
      [...paramsPath, 'underlying'],
      `${underlying} is crypto; an iron condor needs an index or equity`,
    );
  }
  const time = (key: keyof typeof ironCondorDefaultTimes) => {
    const given = p[key];
    const text = given ?? ironCondorDefaultTimes[key];
    const t = instantOf(r, text);
    if (t < r.start.epochMs || t > r.end.epochMs) {
      const message = `${text} is outside the clock window ${windowText(r)}`;
      if (given !== undefined) error(r, [...paramsPath, key], message);
      else warning(r, [...paramsPath, key], `${message} (the default; set ${key} to change it)`);
    }
    return text;
  };
  return {
    underlying,
    shortDelta: p.shortDelta,
    wingWidth: p.wingWidth,
    minCredit: p.minCredit,
    qty: p.qty,
    stopLossMultiple: p.stopLossMultiple,
    takeProfitPct: p.takeProfitPct,
    entryFrom: time('entryFrom'),
    entryUntil: time('entryUntil'),
    exitBy: time('exitBy'),
    executionsPerDay: p.executionsPerDay,
    ...(p.trailingStop === undefined ? {} : { trailingStop: p.trailingStop }),
    ...(p.strikes === undefined ? {} : { strikes: checkedStrikes(r, p.strikes, [...paramsPath, 'strikes']) }),
  };
}

/** Fixed strikes must form a condor: long put < short put < short call < long call. */
function checkedStrikes(r: Resolver, s: NonNullable<IronCondorParamsInput['strikes']>, path: Path) {
  if (!(s.longPut < s.shortPut && s.shortPut < s.shortCall && s.shortCall < s.longCall)) {
    error(
      r,
      path,
      `must satisfy longPut < shortPut < shortCall < longCall, got ${s.longPut}/${s.shortPut}/${s.shortCall}/${s.longCall}`,
    );
  }
  return s;
}

function onlyMarket(r: Resolver, path: Path): string {
  const [only, ...more] = r.input.market;
  if (more.length > 0) {
    error(r, path, `missing (the scenario has several markets: ${knownSymbols(r)}; say which one)`);
  }
  return only?.symbol ?? '';
}

// ---- helpers ----

/** The loaded scenario is shared by the runner, market and venue; none of them may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function resolveRisk(r: Resolver, risk: ScenarioInput['risk']): RiskConfig {
  const { positionsPerWeekWarnAt, perStrategy, ...account } = risk;
  const warnAt = (max: number, given: number | undefined) => given ?? Math.max(0, max - 2);
  const ids = new Set(r.input.strategies.map((s) => s.id));
  return {
    ...account,
    positionsPerWeekWarnAt: warnAt(account.maxPositionsPerWeek, positionsPerWeekWarnAt),
    perStrategy: perStrategy.map((s, i) => {
      if (!ids.has(s.strategy))
        error(
          r,
          ['risk', 'perStrategy', i, 'strategy'],
          `no strategy with id ${s.strategy}: use one of the strategies' ids`,
        );
      const maxPositionsPerWeek = s.maxPositionsPerWeek ?? account.maxPositionsPerWeek;
      return {
        strategy: StrategyId.of(s.strategy),
        maxPositionPct: s.maxPositionPct ?? account.maxPositionPct,
        maxDailyPct: s.maxDailyPct ?? account.maxDailyPct,
        maxWeeklyPct: s.maxWeeklyPct ?? account.maxWeeklyPct,
        maxPositionsPerDay: s.maxPositionsPerDay ?? account.maxPositionsPerDay,
        positionsPerWeekWarnAt: warnAt(maxPositionsPerWeek, undefined),
        maxPositionsPerWeek,
      };
    }),
  };
}
