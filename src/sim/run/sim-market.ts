// The simulated market as the venue and the engine see it: underlying paths advanced on the
// simulated clock, option quotes from the seeded quote model, listed option chains by strike.
import {
  assert,
  InvariantError,
  atDateTime,
  calendarCovers,
  formatIso,
  sessionClose,
  type Instrument,
  type InstrumentId,
  type Rng,
} from '../../domain';
import { tradingYearsToExpiry } from '../../pricing';
import type { SimInstrumentRegistry } from '../../venues/sim/instruments';
import type { MarketData, Quote } from '../../venues/venue';
import { impliedVolAt } from '../market/price-file';
import {
  createPricePath,
  quoteOption,
  xspQuoteModel,
  type OptionQuoteModel,
  type PricePath,
  type PricePathSpec,
  roundToTick,
} from '../market';
import type { MarketConfig, Scenario } from '../scenario';

/** Options expire at their expiry date's close (13:00 on an early close), else at 16:00. */
const expiryTimeDefault = '16:00';
/** Listed strikes: every 1.00 for an index like XSP, within this fraction of spot. */
const chainWidthFraction = 0.08;
const rate = 0;

type Underlying = {
  config: MarketConfig;
  path: PricePath;
  spot: number;
  model: OptionQuoteModel;
  strikeStep: number;
};

export class SimMarket implements MarketData {
  private readonly underlyings = new Map<string, Underlying>();
  private readonly quotes = new Map<InstrumentId, Quote>();
  private readonly chains = new Map<string, readonly Instrument[]>();
  private now: number;

  constructor(
    private readonly scenario: Scenario,
    private readonly registry: SimInstrumentRegistry,
    rng: Rng,
  ) {
    this.now = scenario.clock.start.t;
    for (const m of scenario.market) {
      const path = createPricePath(pathSpec(m), rng.fork(`path:${m.symbol}`), scenario.clock.start.t, m.tick);
      const model: OptionQuoteModel = {
        ...xspQuoteModel(m.vol),
        spreadBase: m.optionSpread.minWidth,
        spreadPct: m.optionSpread.pctOfMid,
      };
      this.underlyings.set(m.symbol, {
        config: m,
        path,
        spot: m.spot,
        model,
        strikeStep: m.spot >= 200 ? 1 : 0.5,
      });
    }
  }

  advanceTo(t: number): void {
    assert(t >= this.now, 'market time went backwards');
    this.now = t;
    for (const u of this.underlyings.values()) u.spot = u.path.advanceTo(t);
    this.quotes.clear();
    this.yearsLeft.clear();
  }

  spot(symbol: string): number | null {
    return this.underlyings.get(symbol)?.spot ?? null;
  }

  quote(instrumentId: InstrumentId): Quote | null {
    const cached = this.quotes.get(instrumentId);
    if (cached) return cached;
    const i = this.registry.get(instrumentId);
    if (!i) return null;
    const u = this.underlyings.get(i.symbol);
    if (!u) return null;
    const q = i.kind === 'option' ? this.optionQuote(i, u) : this.underlyingQuote(i, u);
    if (q) this.quotes.set(instrumentId, q);
    return q;
  }

  optionChain(symbol: string, expiry: string): readonly Instrument[] {
    const key = `${symbol}|${expiry}`;
    const cached = this.chains.get(key);
    if (cached) return cached;
    const u = this.underlyings.get(symbol);
    if (!u || this.scenario.venue.products !== 'options') return [];
    const lo = Math.ceil((u.config.spot * (1 - chainWidthFraction)) / u.strikeStep) * u.strikeStep;
    const hi = Math.floor((u.config.spot * (1 + chainWidthFraction)) / u.strikeStep) * u.strikeStep;
    const chain: Instrument[] = [];
    for (let k = lo; k <= hi + 1e-9; k += u.strikeStep) {
      const strike = Math.round(k * 100) / 100;
      for (const right of ['P', 'C'] as const) {
        const r = this.registry.resolve({ symbol, expiry, strike, right });
        if (r.ok) chain.push(r.instrument);
      }
    }
    this.chains.set(key, chain);
    return chain;
  }

  /** "09:45:00-04:00": the local time of day with the offset in force. */
  stamp(t: number): string {
    const iso = formatIso(t, this.scenario.timeZone);
    return `${iso.slice(11, 19)}${iso.slice(-6)}`;
  }

  private optionQuote(i: Extract<Instrument, { kind: 'option' }>, u: Underlying): Quote | null {
    const tYears = this.yearsToExpiry(i.expiry);
    if (tYears <= 0) return null;
    // A price file's iv column is the at-the-money vol of the bar the clock is in.
    const iv = u.config.bars === null ? null : impliedVolAt(u.config.bars.data, this.now);
    const model = iv === null ? u.model : { ...u.model, atmVol: iv };
    const q = quoteOption(model, { spot: u.spot, strike: i.strike, right: i.right, tYears, rate });
    return { bid: q.bid, ask: q.ask, mid: q.mid, t: this.now };
  }

  private readonly expiries = new Map<string, number>();
  /** Trading years to each expiry as of `now`: the same for every strike of a chain, so once a step. */
  private readonly yearsLeft = new Map<string, number>();

  private yearsToExpiry(expiry: string): number {
    let years = this.yearsLeft.get(expiry);
    if (years === undefined) {
      years = tradingYearsToExpiry(this.now, this.expiryInstant(expiry), this.scenario.timeZone);
      this.yearsLeft.set(expiry, years);
    }
    return years;
  }

  private expiryInstant(expiry: string): number {
    let t = this.expiries.get(expiry);
    if (t === undefined) {
      const { calendar } = this.scenario.clock;
      const close = calendarCovers(expiry, calendar) ? sessionClose(expiry, calendar) : null;
      t = atDateTime(expiry, close ?? expiryTimeDefault, this.scenario.timeZone);
      this.expiries.set(expiry, t);
    }
    return t;
  }

  /** A tick either side of the spot on the instrument's grid (a 0.25 tick stays on quarters). */
  private underlyingQuote(i: Instrument, u: Underlying): Quote {
    const mid = roundToTick(u.spot, i.tick);
    return {
      bid: roundToTick(mid - i.tick, i.tick),
      ask: roundToTick(mid + i.tick, i.tick),
      mid,
      t: this.now,
    };
  }
}

function pathSpec(m: MarketConfig): PricePathSpec {
  switch (m.path) {
    case 'gbm':
      return { kind: 'gbm', spot: m.spot, vol: m.vol, drift: m.drift, jumps: m.jumps };
    case 'flat':
      return { kind: 'flat', spot: m.spot };
    case 'points':
      return { kind: 'points', spot: m.spot, points: m.points.map((p) => [p.t, p.price] as const) };
    case 'file':
      if (m.bars === null) throw new InvariantError(`market ${m.symbol}: path file without its bars`);
      return {
        kind: 'bars',
        spot: m.spot,
        bars: m.bars.data,
        interpolation: m.bars.interpolation,
        stepMs: m.stepMs,
      };
  }
}
