// futures-protected: one perpetual-futures position a day, entered at a set time with a
// protective stop and a take-profit attached at entry. The engine keeps both at the venue as
// reduce-only one-cancels-other orders (a managed close where the venue refuses them), sized to
// what the group owns, and tracks the position by every id the venue gives, so a position closed
// while keel is down is found and booked at restart (the 2025-10-24 BingX incident). Exits: stop,
// target, or the exitAt signal.
import { localDate, localHhmm, roundToLot, roundToTick, type Instrument, type StrategyId } from '../domain';
import type { GroupView, Strategy, StrategyContext } from '../engine/strategy';
import { parseFuturesProtectedParams, type FuturesProtectedParams } from './futures-protected-params';

/** A refused entry is tried again after this long, not on every tick. */
const entryRetryMs = 60_000;

export class FuturesProtected implements Strategy {
  readonly kind = 'futures-protected';
  readonly executionsPerDayMax: number;
  private readonly params: FuturesProtectedParams;
  private lastSkip = '';
  private lastAttemptAt = -Infinity;
  /** Day and rule of the last refused entry noted: a retry refused again that day is not noted again. */
  private lastRefused = '';

  constructor(
    readonly id: StrategyId,
    params: unknown,
  ) {
    const parsed = parseFuturesProtectedParams(params);
    if (!parsed.ok)
      throw new Error(`strategy '${id}' (futures-protected) params:\n  - ${parsed.errors.join('\n  - ')}`);
    this.params = parsed.params;
    this.executionsPerDayMax = parsed.params.executionsPerDay;
  }

  onTick(ctx: StrategyContext): void {
    const groups = ctx.activeGroups();
    for (const g of groups) this.manageExit(ctx, g);
    if (groups.length === 0) this.maybeEnter(ctx);
  }

  /** Stop and target rest at the venue; the exit by signal is keel's, and so is a stale entry. */
  private manageExit(ctx: StrategyContext, g: GroupView): void {
    const windowMs = this.params.entryWindowMin * 60_000;
    if (g.status === 'opening' && ctx.now - g.openedAt >= windowMs)
      return ctx.closeGroup(g.id, `entry not filled within ${this.params.entryWindowMin} min`, 'normal');
    const exitAt = this.params.exitAt;
    if (g.status !== 'open' || exitAt === undefined) return;
    if (this.pastExit(ctx, g, exitAt)) ctx.closeGroup(g.id, `exit signal at ${exitAt}`, 'normal');
  }

  /** Past exitAt within the day the position was opened, or on a later day at all. */
  private pastExit(ctx: StrategyContext, g: GroupView, exitAt: string): boolean {
    const opened = minutesOf(localHhmm(g.openedAt, ctx.timeZone));
    const now = minutesOf(localHhmm(ctx.now, ctx.timeZone));
    const exit = minutesOf(exitAt);
    const since = (x: number) => (x - opened + 1440) % 1440;
    return ctx.now - g.openedAt >= 86_400_000 || since(now) >= since(exit);
  }

  private maybeEnter(ctx: StrategyContext): void {
    const p = this.params;
    if (ctx.tradingState !== 'ACTIVE' || ctx.groupsToday() > 0) return;
    if (ctx.now - this.lastAttemptAt < entryRetryMs) return;
    const sinceEntry = (minutesOf(localHhmm(ctx.now, ctx.timeZone)) - minutesOf(p.entryAt) + 1440) % 1440;
    if (sinceEntry >= p.entryWindowMin) return;
    const instrument = ctx.resolve({ symbol: p.symbol });
    if (!instrument) return this.skip(ctx, `the venue does not list ${p.symbol}: check params.symbol`);
    if (instrument.kind !== 'future')
      return this.skip(
        ctx,
        `${p.symbol} is a ${instrument.kind} here, not a perpetual future: use a futures venue`,
      );
    if (roundToLot(p.qty, instrument.lot) !== p.qty)
      return this.skip(ctx, `qty ${p.qty} is not a multiple of the lot ${instrument.lot}: change params.qty`);
    const quote = ctx.market.quote(instrument.id);
    const mid = quote?.mid ?? null;
    if (quote === null || mid === null || !(mid > 0))
      return this.skip(ctx, `no quote for ${p.symbol} yet; waiting`);
    const levels = this.levels(instrument, mid);
    if (typeof levels === 'string') return this.skip(ctx, levels);
    const long = p.side === 'long';
    // A marketable limit: the far side plus the slippage allowed, never chased past it.
    const entryLimit = roundToTick(
      long ? quote.ask * (1 + p.entrySlippagePct) : quote.bid * (1 - p.entrySlippagePct),
      instrument.tick,
      long ? 'down' : 'up',
    );
    this.lastAttemptAt = ctx.now;
    const outcome = ctx.openStructure({
      kind: 'futures-protected',
      legs: [{ instrumentId: instrument.id, qtyPerUnit: long ? p.qty : -p.qty }],
      units: 1,
      note: `${p.side} ${p.qty} ${p.symbol} PERP near ${mid}, stop ${levels.stop}${levels.target === null ? '' : `, target ${levels.target}`}`,
      entry: { limitPrice: entryLimit, stopPrice: levels.stop, targetPrice: levels.target },
    });
    if (outcome.ok) {
      this.lastRefused = '';
      ctx.note(
        `entered ${outcome.groupId}: ${p.side} ${p.qty} ${p.symbol}, stop ${levels.stop}, target ${levels.target ?? 'none'}`,
      );
    } else if (`${localDate(ctx.now, ctx.timeZone)} ${outcome.refusal.rule}` !== this.lastRefused) {
      this.lastRefused = `${localDate(ctx.now, ctx.timeZone)} ${outcome.refusal.rule}`;
      ctx.note(`entry refused (${outcome.refusal.rule}): ${outcome.refusal.message}`);
    }
  }

  /** Stop (and target) prices from the entry price, on the tick; a reason when they cannot be. */
  private levels(i: Instrument, mid: number): { stop: number; target: number | null } | string {
    const p = this.params;
    const long = p.side === 'long';
    const stop = roundToTick(mid * (long ? 1 - p.stopPct : 1 + p.stopPct), i.tick);
    const target =
      p.targetPrice !== undefined
        ? roundToTick(p.targetPrice, i.tick)
        : p.targetPct !== undefined
          ? roundToTick(mid * (long ? 1 + p.targetPct : 1 - p.targetPct), i.tick)
          : null;
    if (target !== null && (long ? target <= mid : target >= mid))
      return `target ${target} is ${long ? 'not above' : 'not below'} the price ${mid}: a ${p.side} would take profit at once; change params.targetPrice`;
    return { stop, target };
  }

  /** Says once why no entry is made (not every tick). */
  private skip(ctx: StrategyContext, why: string): void {
    if (why !== this.lastSkip) ctx.note(`no entry: ${why}`);
    this.lastSkip = why;
  }
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
