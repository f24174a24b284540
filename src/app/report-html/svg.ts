// Charts drawn here as inline SVG (HTML needs no namespace for it): no script, no library, no network. The page opens from disk
// in any browser and the same report gives the same bytes.
import { escapeHtml } from './escape';

export type ChartPoint = { readonly x: number; readonly y: number };

export type ChartSpec = {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  /** Steps: the value holds until the next point (equity changes only when a trade closes). */
  readonly step: boolean;
  /** Shade between the line and zero (a drawdown reads as a hole under the line). */
  readonly fillToZero: boolean;
  readonly color: string;
  readonly xLabel: (x: number) => string;
  /** Where to put x labels (a multi-day run: each day's start); default evenly spaced. */
  readonly xTicks?: readonly number[];
  /** `step`: the distance between two labels, so a label shows as many decimals as it needs. */
  readonly yLabel: (y: number, step: number) => string;
};

const width = 860;
const height = 240;
const margin = { left: 78, right: 16, top: 26, bottom: 34 };
/** Axis labels: this many per axis, so a long run's labels do not overlap. */
const xTicksMax = 6;
const yTicksMax = 5;

const fmt = (v: number) => (Math.round(v * 10) / 10).toFixed(1);

export function lineChart(spec: ChartSpec): string {
  const pts = spec.points;
  const title = `<text x="${margin.left}" y="16" class="chart-title">${escapeHtml(spec.title)}</text>`;
  if (pts.length === 0)
    return svg(`${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const [x0, x1] = span(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = span(
    Math.min(...ys, spec.fillToZero ? 0 : Infinity),
    Math.max(...ys, spec.fillToZero ? 0 : -Infinity),
  );
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => margin.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const path: string[] = [];
  pts.forEach((p, i) => {
    const prev = pts[i - 1];
    if (prev === undefined) path.push(`M${fmt(px(p.x))},${fmt(py(p.y))}`);
    else {
      if (spec.step) path.push(`L${fmt(px(p.x))},${fmt(py(prev.y))}`);
      path.push(`L${fmt(px(p.x))},${fmt(py(p.y))}`);
    }
  });
  const line = path.join(' ');
  const lastX = pts[pts.length - 1]?.x ?? x0;
  const firstX = pts[0]?.x ?? x0;
  const area = spec.fillToZero
    ? `<path d="${line} L${fmt(px(lastX))},${fmt(py(0))} L${fmt(px(firstX))},${fmt(py(0))} Z" fill="${spec.color}" fill-opacity="0.18" stroke="none"/>`
    : '';
  const grid: string[] = [];
  const yTicks = ticks(y0, y1, yTicksMax);
  const yStep = (yTicks[1] ?? y1) - (yTicks[0] ?? y0);
  for (const y of yTicks) {
    grid.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${fmt(py(y))}" y2="${fmt(py(y))}" class="grid"/>`,
      `<text x="${margin.left - 6}" y="${fmt(py(y) + 4)}" text-anchor="end">${escapeHtml(spec.yLabel(y, yStep))}</text>`,
    );
  }
  // Times are not round numbers: evenly spaced labels each saying its own time, or the caller's.
  const xs0 =
    spec.xTicks ?? Array.from({ length: xTicksMax }, (_, i) => x0 + ((x1 - x0) * i) / (xTicksMax - 1));
  const xTicks = xs0.filter((x) => x >= x0 && x <= x1);
  xTicks.forEach((x, i) => {
    // The end labels stay inside the picture.
    const anchor =
      i === 0 && px(x) < margin.left + 40 ? 'start' : px(x) > width - margin.right - 40 ? 'end' : 'middle';
    grid.push(
      `<line x1="${fmt(px(x))}" x2="${fmt(px(x))}" y1="${margin.top}" y2="${height - margin.bottom}" class="grid"/>`,
      `<text x="${fmt(px(x))}" y="${height - margin.bottom + 16}" text-anchor="${anchor}">${escapeHtml(spec.xLabel(x))}</text>`,
    );
  });
  const dots = pts
    .map((p) => `<circle cx="${fmt(px(p.x))}" cy="${fmt(py(p.y))}" r="2.5" fill="${spec.color}"/>`)
    .join('');
  return svg(
    `${title}${grid.join('')}${area}<path d="${line}" fill="none" stroke="${spec.color}" stroke-width="2"/>${dots}`,
  );
}

function svg(body: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" class="chart" role="img">${body}</svg>`;
}

/** A non-empty range: a flat series gets a band around it. */
function span(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo, hi];
  const pad = Math.max(Math.abs(lo) * 0.01, 1);
  return [lo - pad, hi + pad];
}

/** Round-numbered ticks inside [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, countMax: number): number[] {
  const raw = (hi - lo) / countMax;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.round(v / step) * step);
  return out;
}
