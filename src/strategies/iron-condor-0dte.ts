// 0DTE iron condor: sell a put and a call near a target delta, buy wings one width further out,
// only for at least the minimum credit, and manage exits on the group's OWN PnL (the
// contamination incident's false stop came from summing every XSP position). Opening and closing
// go through keel's multi-leg execution, so the condor is never naked.
//
// The day's times come from the exchange calendar: no entries on a day the market is closed, and
// on an early close (13:00) the times at or after it keep their distance to the bell (exitBy 15:45
// becomes 12:45, entryUntil 14:00 becomes 11:00), so the time exit always comes before expiry.
import {
  atDateTime,
  holidayOn,
  isTradingDay,
  localDate,
  localHhmm,
  sessionClose,
  sessionTimeOn,
  type ExchangeCalendar,
  type LocalDate,
  type OptionInstrument,
  type StrategyId,
} from '../domain';
import type { ExitOutlook, GroupView, OutlookContext, Strategy, StrategyContext } from '../engine/strategy';
import { bsGreeks, impliedVol, strikeNearestDelta, yearsToExpiry } from '../pricing';

export type IronCondorParams = {
  readonly underlying: string;
  readonly shortDelta: number;
  readonly wingWidth: number;
  readonly minCredit: number;
  readonly qty: number;
  readonly stopLossMultiple: number;
  readonly takeProfitPct: number;
  readonly entryFrom: string;
  readonly entryUntil: string;
  readonly exitBy: string;
  readonly executionsPerDay: number;
  /** Armed at activatePct of the credit; closes when PnL gives back givebackPct of it from the peak. */
  readonly trailingStop?: { readonly activatePct: number; readonly givebackPct: number };
  /** Replay a known trade: these strikes instead of the delta scan. */
  readonly strikes?: {
    readonly longPut: number;
    readonly shortPut: number;
    readonly shortCall: number;
    readonly longCall: number;
  };
};

const scanEveryMs = 60_000;
const statusEveryMs = 15 * 60_000;
const netDeltaMax = 0.05;

type Leg = { instrument: OptionInstrument; mid: number; delta: number };

/** One local date's session as the condor trades it; trading false on a closed day. */
type DayPlan = {
  readonly date: LocalDate;
  readonly trading: boolean;
  readonly entryFrom: string;
  readonly entryUntil: string;
  readonly exitBy: string;
  /** The session's close, when same-day options expire. */
  readonly close: string;
};

export class IronCondor0dte implements Strategy {
  readonly kind = 'iron-condor-0dte';
  readonly executionsPerDayMax: number;
  private lastScanAt = -Infinity;
  private lastStatusAt = -Infinity;
  private lastCreditNote = '';
  /** Day and rule of the last refused entry noted: a retry refused again that day is not noted again. */
  private lastRefused = '';
  /** Each open group's best PnL so far, for the trailing stop (re-armed from now after a restart). */
  private readonly peaks = new Map<string, number>();
  private day: DayPlan | null = null;

  constructor(
    readonly id: StrategyId,
    private readonly params: IronCondorParams,
    private readonly tradesPerDayMax: number,
    private readonly calendar: ExchangeCalendar,
  ) {
    this.executionsPerDayMax = params.executionsPerDay;
  }

  onTick(ctx: StrategyContext): void {
    const day = this.dayOf(ctx);
    const groups = ctx.activeGroups();
    for (const g of groups) if (g.status === 'open') this.manageExit(ctx, g, day);
    if (groups.length === 0 && day.trading) this.maybeEnter(ctx, day);
  }

  /** Today's session, worked out once per local date (and noted when it is not the usual one). */
  private dayOf(ctx: StrategyContext): DayPlan {
    const date = localDate(ctx.now, ctx.timeZone);
    if (this.day?.date === date) return this.day;
    this.day = this.planFor(date);
    if (!this.day.trading) {
      const holiday = holidayOn(date, this.calendar);
      ctx.note(`${date}: the market is closed${holiday === null ? '' : ` (${holiday})`}; no entries`);
    } else if (this.day.close !== this.calendar.regularClose)
      ctx.note(
        `${date}: early close at ${this.day.close}; entries ${this.day.entryFrom}-${this.day.entryUntil}, time exit at ${this.day.exitBy}`,
      );
    return this.day;
  }

  private planFor(date: LocalDate): DayPlan {
    const p = this.params;
    const close = sessionClose(date, this.calendar) ?? this.calendar.regularClose ?? '16:00';
    const on = (hhmm: string) => sessionTimeOn(hhmm, date, this.calendar);
    return {
      date,
      trading: isTradingDay(date, this.calendar),
      entryFrom: on(p.entryFrom),
      entryUntil: on(p.entryUntil),
      exitBy: on(p.exitBy),
      close,
    };
  }

  // ---- exits ----------------------------------------------------------------------------------

  private manageExit(ctx: StrategyContext, g: GroupView, day: DayPlan): void {
    const credit = g.openCash; // cash taken in for the open condor (account currency)
    const hhmm = localHhmm(ctx.now, ctx.timeZone);
    if (hhmm >= day.exitBy) {
      const moved =
        day.exitBy === this.params.exitBy ? '' : ` (${this.params.exitBy} on a full day; close ${day.close})`;
      return ctx.closeGroup(g.id, `time exit at ${day.exitBy}${moved}`, 'normal');
    }
    if (g.pnl === null || credit <= 0) return;
    // The group's own legs only, marked to mid, net of commissions: its "mark PnL" in the exit
    // reason, which is not the realized PnL the close then books at its fill prices.
    const gross = g.pnl;
    const stopAt = -this.params.stopLossMultiple * credit;
    const slUsage = Math.max(0, (-gross / -stopAt) * 100);
    if (ctx.now - this.lastStatusAt >= statusEveryMs) {
      this.lastStatusAt = ctx.now;
      ctx.note(
        `${g.id}: mark PnL ${gross.toFixed(2)} | SL usage ${slUsage.toFixed(0)}% | ${this.spotVsShorts(ctx, g)} | hold ${Math.round((ctx.now - g.openedAt) / 60_000)}m`,
      );
    }
    if (gross <= stopAt)
      return ctx.closeGroup(
        g.id,
        `stop-loss: mark PnL ${gross.toFixed(2)} <= -${this.params.stopLossMultiple}x credit ${credit.toFixed(2)}`,
        'urgent',
      );
    const trail = this.params.trailingStop;
    if (trail !== undefined) {
      const peak = Math.max(this.peaks.get(g.id) ?? -Infinity, gross);
      this.peaks.set(g.id, peak);
      const floor = peak - trail.givebackPct * credit;
      if (peak >= trail.activatePct * credit && gross <= floor)
        return ctx.closeGroup(
          g.id,
          `trailing stop: mark PnL ${gross.toFixed(2)} gave back ${(trail.givebackPct * 100).toFixed(0)}% of credit from its peak ${peak.toFixed(2)}`,
          'normal',
        );
    }
    if (gross >= this.params.takeProfitPct * credit)
      return ctx.closeGroup(
        g.id,
        `take-profit: mark PnL ${gross.toFixed(2)} >= ${this.params.takeProfitPct * 100}% of credit ${credit.toFixed(2)}`,
        'normal',
      );
  }

  /**
   * The same rules as manageExit, read without acting: the stop's usage, and the exit nearest to
   * firing (stop-loss, trailing stop once armed, take-profit) beside the time exit.
   */
  exitOutlook(ctx: OutlookContext, g: GroupView): ExitOutlook {
    const date = localDate(ctx.now, ctx.timeZone);
    const day = this.day?.date === date ? this.day : this.planFor(date);
    const left = Math.round((atDateTime(date, day.exitBy, ctx.timeZone) - ctx.now) / 60_000);
    const time = `time exit at ${day.exitBy}${left > 0 ? ` in ${Math.floor(left / 60)}h${String(left % 60).padStart(2, '0')}m` : ' (due)'}`;
    const credit = g.openCash;
    if (g.pnl === null || credit <= 0) return { stopUsage: null, stop: null, next: time };
    const gross = g.pnl;
    const p = this.params;
    const stopAt = -p.stopLossMultiple * credit;
    const stopUsage = Math.max(0, -gross / -stopAt);
    const rules = [
      { rule: `stop-loss at ${stopAt.toFixed(2)}`, progress: stopUsage },
      {
        rule: `take-profit at +${(p.takeProfitPct * credit).toFixed(2)}`,
        progress: Math.max(0, gross / (p.takeProfitPct * credit)),
      },
    ];
    const trail = p.trailingStop;
    if (trail !== undefined) {
      const peak = Math.max(this.peaks.get(g.id) ?? -Infinity, gross);
      if (peak >= trail.activatePct * credit)
        rules.push({
          rule: `trailing stop at ${(peak - trail.givebackPct * credit).toFixed(2)}`,
          progress: Math.max(0, (peak - gross) / (trail.givebackPct * credit)),
        });
    }
    const nearest = rules.reduce((a, b) => (b.progress > a.progress ? b : a));
    return {
      stopUsage,
      stop: `mark PnL ${stopAt.toFixed(2)} (${p.stopLossMultiple}x the credit ${credit.toFixed(2)})`,
      next: `${nearest.rule}: ${Math.round(Math.min(nearest.progress, 1) * 100)}% of the way; ${time}`,
    };
  }

  private spotVsShorts(ctx: StrategyContext, g: GroupView): string {
    const spot = ctx.market.spot(this.params.underlying);
    const shorts = g.legs
      .filter((l) => l.qtyPerUnit < 0)
      .map((l) => `${(l.instrument as OptionInstrument).strike}${(l.instrument as OptionInstrument).right}`);
    return `spot ${spot?.toFixed(2) ?? '?'} vs shorts ${shorts.join('/')}`;
  }

  // ---- entries --------------------------------------------------------------------------------

  private maybeEnter(ctx: StrategyContext, day: DayPlan): void {
    const hhmm = localHhmm(ctx.now, ctx.timeZone);
    // Never enter at or after the day's time exit: the new condor would close at once.
    if (hhmm < day.entryFrom || hhmm >= day.entryUntil || hhmm >= day.exitBy) return;
    if (ctx.tradingState !== 'ACTIVE' || ctx.groupsToday() >= this.tradesPerDayMax) return;
    if (ctx.now - this.lastScanAt < scanEveryMs) return;
    this.lastScanAt = ctx.now;
    const pick = this.scan(ctx, day);
    if (!pick) return;
    const [lp, sp, sc, lc] = pick;
    const credit = round2(sp.mid + sc.mid - lp.mid - lc.mid);
    const describe = `${sp.instrument.strike}P (Δ=${sp.delta.toFixed(3)}) / ${sc.instrument.strike}C (Δ=${sc.delta.toFixed(3)})`;
    if (credit < this.params.minCredit) {
      const note = `credit too low: ${credit.toFixed(2)} < ${this.params.minCredit.toFixed(2)} (${describe})`;
      if (note !== this.lastCreditNote) ctx.note(note);
      this.lastCreditNote = note;
      return;
    }
    const netDelta = -sp.delta - sc.delta + lp.delta + lc.delta;
    if (Math.abs(netDelta) > netDeltaMax)
      return ctx.note(`net delta ${netDelta.toFixed(3)} is off neutral (limit ${netDeltaMax}); skipped`);
    const outcome = ctx.openStructure({
      kind: 'iron-condor',
      legs: [
        { instrumentId: lp.instrument.id, qtyPerUnit: 1 },
        { instrumentId: sp.instrument.id, qtyPerUnit: -1 },
        { instrumentId: sc.instrument.id, qtyPerUnit: -1 },
        { instrumentId: lc.instrument.id, qtyPerUnit: 1 },
      ],
      units: this.params.qty,
      note: `IC ${lp.instrument.strike}P/${sp.instrument.strike}P/${sc.instrument.strike}C/${lc.instrument.strike}C credit ${credit.toFixed(2)} (mid) spot ${ctx.market.spot(this.params.underlying)?.toFixed(2)} net delta ${netDelta.toFixed(3)}`,
    });
    if (outcome.ok) {
      this.lastRefused = '';
      ctx.note(`entered ${outcome.groupId}: ${describe}, credit ${credit.toFixed(2)}`);
    } else if (`${localDate(ctx.now, ctx.timeZone)} ${outcome.refusal.rule}` !== this.lastRefused) {
      this.lastRefused = `${localDate(ctx.now, ctx.timeZone)} ${outcome.refusal.rule}`;
      ctx.note(`entry refused (${outcome.refusal.rule}): ${outcome.refusal.message}`);
    }
  }

  /** Long put, short put, short call, long call — or null when the chain cannot make one. */
  private scan(ctx: StrategyContext, day: DayPlan): [Leg, Leg, Leg, Leg] | null {
    const chain = ctx.market
      .optionChain(this.params.underlying, day.date)
      .filter((i): i is OptionInstrument => i.kind === 'option');
    const spot = ctx.market.spot(this.params.underlying);
    if (chain.length === 0 || spot === null) return null;
    const tYears = yearsToExpiry(ctx.now, atDateTime(day.date, day.close, ctx.timeZone));
    if (tYears <= 0) return null;
    const legs = chain.map((i) => this.legOf(ctx, i, spot, tYears));
    const deltas = {
      strikes: legs.map((l) => l.instrument.strike),
      deltas: legs.map((l) => l.delta),
      isCall: legs.map((l) => (l.instrument.right === 'C' ? 1 : 0)),
    };
    const find = (right: 'P' | 'C', strike: number) =>
      legs.find((l) => l.instrument.right === right && l.instrument.strike === strike);
    const fixed = this.params.strikes;
    if (fixed) {
      const picked = [
        find('P', fixed.longPut),
        find('P', fixed.shortPut),
        find('C', fixed.shortCall),
        find('C', fixed.longCall),
      ];
      return picked.every((l) => l !== undefined) ? (picked as [Leg, Leg, Leg, Leg]) : null;
    }
    const sp = strikeNearestDelta(deltas, 'P', this.params.shortDelta);
    const sc = strikeNearestDelta(deltas, 'C', this.params.shortDelta);
    if (!sp || !sc) return null;
    const shortPut = legs[sp.index] as Leg;
    const shortCall = legs[sc.index] as Leg;
    const longPut = find('P', shortPut.instrument.strike - this.params.wingWidth);
    const longCall = find('C', shortCall.instrument.strike + this.params.wingWidth);
    if (!longPut || !longCall) return null;
    return [longPut, shortPut, shortCall, longCall];
  }

  private legOf(ctx: StrategyContext, i: OptionInstrument, spot: number, tYears: number): Leg {
    const q = ctx.market.quote(i.id);
    const mid = q?.mid ?? NaN;
    let delta = NaN;
    if (q && q.bid > 0) {
      const iv = impliedVol({ price: mid, spot, strike: i.strike, tYears, rate: 0, right: i.right });
      if (iv.ok)
        delta = bsGreeks({ spot, strike: i.strike, tYears, vol: iv.vol, rate: 0, right: i.right }).delta;
    }
    return { instrument: i, mid, delta };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
