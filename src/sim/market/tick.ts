// Prices on a tick grid. Float division makes 0.3 / 0.01 = 29.999999999999996, so floor and ceil
// allow a relative slack far below any real tick, and results are cleaned to the tick's decimals
// (683.38, not 683.3800000000001) so they print and compare as a venue would send them.
import { InvariantError } from '../../domain/assert';
import { memoByNumber } from '../../domain/memo';

const GRID_SLACK = 1e-9;
const TICK_DECIMALS_MAX = 10;

export function roundToTick(price: number, tick: number): number {
  return onGrid(Math.round(price / tick), tick);
}

export function floorToTick(price: number, tick: number): number {
  return onGrid(Math.floor(price / tick + GRID_SLACK), tick);
}

export function ceilToTick(price: number, tick: number): number {
  return onGrid(Math.ceil(price / tick - GRID_SLACK), tick);
}

export function assertTick(tick: number): void {
  if (!(tick > 0 && Number.isFinite(tick))) throw new InvariantError(`tick must be positive, got ${tick}`);
  if (!(tickDecimals(tick) <= TICK_DECIMALS_MAX))
    throw new InvariantError(`tick ${tick} has more than ${TICK_DECIMALS_MAX} decimals`);
}

// A tick as whole units of its last decimal (0.05 is 5 of 1/100): steps x units is then an exact
// integer, and one division gives the same double as formatting to the tick's decimals and reading
// it back, without building a string on every price.
const gridOf = memoByNumber(1024, (tick: number): { readonly units: number; readonly scale: number } => {
  const scale = 10 ** tickDecimals(tick);
  return { units: Math.round(tick * scale), scale };
});

function onGrid(steps: number, tick: number): number {
  const { units, scale } = gridOf(tick);
  const price = (steps * units) / scale;
  return price === 0 ? 0 : price; // no -0
}

function tickDecimals(tick: number): number {
  for (let d = 0; d <= TICK_DECIMALS_MAX; d++) {
    const scaled = tick * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6) return d;
  }
  return TICK_DECIMALS_MAX + 1;
}
