// equity-bracket: the swing runner of the 2026-01-02 incident, done safely. At each scan time it
// ranks the day's signals, keeps the top K at or above the threshold, executes the best M, and
// sizes each by the dual cap (risk at the stop and notional) within its share of the day's budget;
// every entry is a bracket (stop-loss, take-profit at 2R) through the one gate, so no order —
// strategy or manual — can deploy more than the caps allow.
// Scans run on the exchange's trading days only; on an early close (13:00) a scan time at or after
// it keeps its distance to the bell (15:55 becomes 12:55), so no scan falls after the close.
import {
  isTradingDay,
  localDate,
  localHhmm,
  roundToTick,
  sessionTimeOn,
  type ExchangeCalendar,
  type StrategyId,
} from '../domain';
import type { Strategy, StrategyContext } from '../engine/strategy';
import { allocateSignals, sizePosition } from '../risk';
import {
  parseEquityBracketParams,
  signalSchema,
  type EquityBracketParams,
  type EquitySignal,
} from './equity-bracket-params';

/** A date's calendar for the scans: whether it trades, and each scan's time on it (early closes move them). */
type BracketDay = {
  readonly date: string;
  readonly trading: boolean;
  readonly scans: readonly { readonly time: string; readonly at: string; readonly key: string }[];
};

export class EquityBracket implements Strategy {
  readonly kind = 'equity-bracket';
  readonly executionsPerDayMax: number;
  private readonly params: EquityBracketParams;
  /** Scans done, by "date scan-time": each scan acts once, even across restarts within a run. */
  private readonly scansDone = new Set<string>();
  private readonly given: EquitySignal[] = [];
  /** Symbols already looked up and quoted: the instrument cache and the quote line then hold. */
  private readonly prepared = new Set<string>();

  constructor(
    readonly id: StrategyId,
    params: unknown,
    private readonly calendar: ExchangeCalendar,
  ) {
    const parsed = parseEquityBracketParams(params);
    if (!parsed.ok)
      throw new Error(`strategy '${id}' (equity-bracket) params:\n  - ${parsed.errors.join('\n  - ')}`);
    this.params = parsed.params;
    this.executionsPerDayMax = parsed.params.executionsPerDay;
  }

  /** Signals from the operator API, checked like the configured ones. */
  acceptSignals(raw: readonly unknown[]): { accepted: unknown[]; errors: string[] } {
    const accepted: EquitySignal[] = [];
    const errors: string[] = [];
    raw.forEach((r, i) => {
      const parsed = signalSchema.safeParse(r);
      if (parsed.success) accepted.push(parsed.data);
      else
        errors.push(
          `signals[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'signal'}: ${x.message}`).join('; ')}`,
        );
    });
    this.given.push(...accepted);
    return { accepted, errors };
  }

  onTick(ctx: StrategyContext): void {
    if (ctx.tradingState !== 'ACTIVE') return;
    const today = localDate(ctx.now, ctx.timeZone);
    const day = this.dayOf(today);
    if (!day.trading) return;
    const hhmm = localHhmm(ctx.now, ctx.timeZone);
    const due = day.scans.filter((x) => x.at <= hhmm && !this.scansDone.has(x.key)).map((x) => x.time);
    if (due.length === 0) return this.prepare(ctx, today);
    for (const t of due) this.scansDone.add(`${today} ${t}`);
    const last = due.at(-1) as string;
    const at = sessionTimeOn(last, today, this.calendar);
    this.scan(ctx, today, at === last ? last : `${at} (${last} on a full day)`);
  }

  /** Today's calendar, worked out once per local date, not on every tick. */
  private day: BracketDay | null = null;

  private dayOf(date: string): BracketDay {
    if (this.day?.date === date) return this.day;
    const trading = isTradingDay(date, this.calendar);
    const scans = trading
      ? this.params.scanTimes.map((time) => ({
          time,
          at: sessionTimeOn(time, date, this.calendar),
          key: `${date} ${time}`,
        }))
      : [];
    this.day = { date, trading, scans };
    return this.day;
  }

  /**
   * Before a scan: today's signal symbols are looked up and their quotes asked for, so a broker's
   * round trip (IB contract details, Alpaca's asset and first quote) is done when the scan comes,
   * not found pending and skipped.
   */
  private prepare(ctx: StrategyContext, today: string): void {
    const scansLeft = this.params.scanTimes.some((t) => !this.scansDone.has(`${today} ${t}`));
    if (!scansLeft) return;
    for (const s of [...this.params.signals, ...this.given]) {
      if ((s.date !== undefined && s.date !== today) || this.prepared.has(s.symbol)) continue;
      const instrument = ctx.resolve({ symbol: s.symbol });
      if (!instrument) continue; // still on its way: asked again next tick
      ctx.market.quote(instrument.id);
      this.prepared.add(s.symbol);
    }
  }

  private scan(ctx: StrategyContext, today: string, at: string): void {
    const p = this.params;
    const equity = ctx.equity;
    if (equity === null) return ctx.note(`scan ${at}: no account equity (budgets off): no entries`);
    // One trade per symbol per day: a signal that stopped out this morning is not re-entered
    // (read from keel's groups, so a restart does not forget it).
    const held = new Set([
      ...ctx.activeGroups().map((g) => g.legs[0]?.instrument.symbol ?? ''),
      ...ctx.symbolsToday(),
    ]);
    const opened = ctx.groupsToday();
    const left = p.executeMax - opened;
    if (left <= 0)
      return ctx.note(`scan ${at}: ${opened} entries today already (executeMax ${p.executeMax})`);
    const candidates = [...p.signals, ...this.given].filter(
      (s) => (s.date === undefined || s.date === today) && !held.has(s.symbol),
    );
    if (candidates.length === 0) return ctx.note(`scan ${at}: no signals for ${today}`);
    const bySymbol = new Map(candidates.map((s) => [s.symbol, s]));
    const allocation = allocateSignals({
      signals: [...bySymbol.values()].map((s) => ({ id: s.symbol, score: s.score })),
      threshold: p.threshold,
      watchlistSize: p.watchlist,
      executeMax: left,
      maxPositionPct: p.maxPositionPct,
      dailyPct: p.dailyPct,
      floorPct: p.floorPct,
    });
    ctx.note(
      `scan ${at}: ${candidates.length} signal(s), watchlist ${allocation.watchlist.map((s) => `${s.id}(${s.score})`).join(', ') || 'empty'}; executing ${allocation.executed.map((s) => `${s.id} ${(s.pctApprox * 100).toFixed(2)}%`).join(', ') || 'none'}`,
    );
    for (const e of allocation.executed)
      this.enter(ctx, bySymbol.get(e.id) as EquitySignal, e.pctApprox, equity);
  }

  private enter(ctx: StrategyContext, s: EquitySignal, pct: number, equity: number): void {
    const p = this.params;
    const instrument = ctx.resolve({ symbol: s.symbol });
    if (!instrument) return ctx.note(`${s.symbol}: the venue does not list it; skipped`);
    const size = sizePosition({
      equity,
      entry: s.entry,
      stop: s.stop,
      riskPct: p.riskPct,
      notionalPct: Math.min(pct, p.maxPositionPct),
      lot: instrument.lot,
    });
    if (size.qty <= 0) return ctx.note(`${s.symbol}: ${size.reason}; skipped`);
    const long = s.entry > s.stop;
    const mid = ctx.market.quote(instrument.id)?.mid ?? null;
    if (mid === null) return ctx.note(`${s.symbol}: no quote; skipped`);
    // Already through the stop: the bracket would stop out on entry.
    if (long ? mid <= s.stop : mid >= s.stop)
      return ctx.note(`${s.symbol}: price ${mid} is already through the stop ${s.stop}; skipped`);
    // Rounded toward the entry: the target is never further than targetR.
    const target = roundToTick(
      s.entry + p.targetR * (s.entry - s.stop),
      instrument.tick,
      long ? 'down' : 'up',
    );
    const request = (qty: number) => ({
      kind: 'equity-bracket',
      legs: [{ instrumentId: instrument.id, qtyPerUnit: long ? 1 : -1 }],
      units: qty,
      note: `${long ? 'BUY' : 'SELL'} ${s.symbol} ${qty} @ ${s.entry} stop ${s.stop} target ${target} (score ${s.score})`,
      entry: { limitPrice: s.entry, stopPrice: s.stop, targetPrice: target },
    });
    let outcome = ctx.openStructure(request(size.qty));
    // The gate knows today's budget and counts; the largest order it allows is still a fit.
    if (!outcome.ok && (outcome.refusal.maxAllowedQty ?? 0) > 0)
      outcome = ctx.openStructure(request(outcome.refusal.maxAllowedQty as number));
    ctx.note(
      outcome.ok
        ? `${s.symbol}: bracket ${outcome.groupId}, ${size.reason}`
        : `${s.symbol}: refused (${outcome.refusal.rule}): ${outcome.refusal.message}`,
    );
  }
}
