// The dashboard's live feed: every half second (wall clock) the engine's picture is built again;
// when it changed, it goes to every open stream (server-sent events on GET /events, behind the
// token like every request), with the new points of the equity and underlying curves. The curves
// are kept from the moment the API started serving, thinned to a bounded number of points.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dashboardSample, dashboardView, type DashboardSample, type DashboardView } from './dashboard-view';
import type { OperatorTarget } from './operator-api';

/** At most this many points per curve: past it every other one is dropped (the client does the same). */
export const maxSamples = 4000;
const heartbeatMs = 15_000;

export type DashboardFeedOptions = { readonly everyMs?: number };

export class DashboardFeed {
  private readonly samples: DashboardSample[] = [];
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private lastKey = '';
  private lastView: DashboardView | null = null;
  private lastWriteAt = 0;
  private ticks = 0;

  constructor(
    private readonly target: OperatorTarget,
    private readonly options: DashboardFeedOptions = {},
  ) {}

  start(): void {
    if (this.timer !== null) return;
    // With no page open the curves are still kept, at a quarter of the pace.
    this.timer = setInterval(() => {
      if (this.clients.size > 0 || this.ticks++ % 4 === 0) this.tick();
    }, this.options.everyMs ?? 500);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  /** The picture now and the curves so far (GET /dashboard); null while the engine restarts. */
  snapshot(): { view: DashboardView; samples: DashboardSample[] } | null {
    this.tick();
    return this.lastView === null ? null : { view: this.lastView, samples: [...this.samples] };
  }

  /** A new stream: the whole picture and curves at once, then what changes. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    this.tick();
    if (this.lastView === null) write(res, 'restarting', { error: 'the engine is restarting' });
    else {
      write(res, 'view', this.lastView);
      write(res, 'samples', { reset: true, samples: this.samples });
    }
  }

  private tick(): void {
    const p = this.target.projection();
    if (p === null) {
      if (this.lastView !== null) this.broadcast('restarting', { error: 'the engine is restarting' });
      this.lastView = null;
      this.lastKey = '';
      return;
    }
    const readout = this.target.readout?.() ?? null;
    const view = dashboardView(p, readout, this.target.venue?.() ?? null);
    const key = `${view.events}|${view.t}|${view.tradingState}|${view.venue?.connected}`;
    this.lastView = view;
    const wallNow = Date.now();
    if (key === this.lastKey) {
      if (wallNow - this.lastWriteAt >= heartbeatMs) {
        for (const c of this.clients) c.write(': still here\n\n');
        this.lastWriteAt = wallNow;
      }
      return;
    }
    this.lastKey = key;
    const fresh: DashboardSample[] = [];
    const last = this.samples.at(-1);
    if (last === undefined || view.t > last.t) {
      const sample = dashboardSample(view, readout, this.target.underlyings ?? []);
      this.samples.push(sample);
      fresh.push(sample);
      if (this.samples.length > maxSamples) thin(this.samples);
    }
    this.broadcast('view', view);
    if (fresh.length > 0) this.broadcast('samples', { reset: false, samples: fresh });
    this.lastWriteAt = wallNow;
  }

  private broadcast(event: string, data: unknown): void {
    for (const c of this.clients) write(c, event, data);
  }
}

function write(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Every other point dropped, the first and the last kept. */
export function thin<T>(points: T[]): void {
  const last = points.at(-1);
  const kept = points.filter((_, i) => i % 2 === 0);
  if (last !== undefined && kept.at(-1) !== last) kept.push(last);
  points.splice(0, points.length, ...kept);
}
