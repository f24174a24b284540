// report.html from a report: self-contained, its figures those of report.json, names escaped.
import { describe, expect, it } from 'vitest';
import type { Report, ReportGroup } from '../../engine/report';
import { buildReportModel, renderRunReport, renderSweepSummary } from '.';

const leg = { instrument: { id: '1', symbol: 'PLTR', kind: 'equity', multiplier: 1 }, qty: 10 } as const;

function group(id: string, strategy: string, pnl: number, closedAt: string | null, fees = 1): ReportGroup {
  return {
    id,
    strategy,
    status: closedAt === null ? 'open' : 'closed',
    openedAt: '2026-02-13T09:45:00-05:00',
    closedAt,
    legs: [leg],
    clientOrderIds: [],
    realizedPnl: pnl,
    commissions: fees,
    exitReason: closedAt === null ? null : 'stop-loss',
  };
}

function report(groups: ReportGroup[], extra: Partial<Report> = {}): Report {
  const realized = groups.reduce((n, g) => n + Math.round(g.realizedPnl * 100), 0) / 100;
  const fees = groups.reduce((n, g) => n + Math.round(g.commissions * 100), 0) / 100;
  return {
    scenario: 'test-run',
    seed: 3,
    groups,
    orders: [],
    refusals: [],
    tradingState: [{ t: '2026-02-13T09:30:00-05:00', state: 'ACTIVE', reason: 'start' }],
    discrepancies: [],
    summary: { executions: 4, commissions: fees, realizedPnl: realized, startEquity: 100000 },
    ...extra,
  };
}

/** Anything that would make the page fetch from somewhere: it must open from disk alone. */
function externalReferences(html: string): string[] {
  const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
  return [
    ...tags.filter((tag) => /\s(?:src|href|xlink:href|action|srcset)\s*=/i.test(tag)),
    ...tags.filter((tag) => /^<(?:script|link|iframe|img|object|embed)\b/i.test(tag)),
    ...[...html.matchAll(/@import|url\(|https?:\/\//gi)].map((m) => m[0]),
  ];
}

describe('report.html', () => {
  const groups = [
    group('G1', 'alpha', 120.5, '2026-02-13T10:30:00-05:00'),
    group('G2', 'alpha', -200.25, '2026-02-13T11:00:00-05:00'),
    group('G3', 'beta', 50, '2026-02-13T12:00:00-05:00'),
    group('G4', 'beta', 0, null),
  ];

  it('is one self-contained page with inline SVG charts', () => {
    const html = renderRunReport({ report: report(groups), startEquity: 100000, seed: 3, source: 'x' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(externalReferences(html)).toEqual([]);
  });

  it('draws the equity curve through every close and ends at start + realized PnL', () => {
    const model = buildReportModel(report(groups), 100000);
    expect(model.equity.map((p) => p.equity)).toEqual([100000, 100120.5, 99920.25, 99970.25]);
    // Peak 100120.50, trough 99920.25: the drawdown between them.
    expect(model.maxDrawdown).toBe(200.25);
    expect(model.equity.map((p) => p.drawdown)).toEqual([0, 0, 200.25, 150.25]);
  });

  it('keeps each strategy record: trades, win rate, average PnL, max drawdown, commissions', () => {
    const model = buildReportModel(report(groups), null);
    expect(model.strategies).toEqual([
      {
        strategy: 'alpha',
        trades: 2,
        wins: 1,
        winRate: 0.5,
        averagePnl: -39.88,
        realizedPnl: -79.75,
        maxDrawdown: 200.25,
        commissions: 2,
        open: 0,
      },
      {
        strategy: 'beta',
        trades: 1,
        wins: 1,
        winRate: 1,
        averagePnl: 50,
        realizedPnl: 50,
        maxDrawdown: 0,
        commissions: 2,
        open: 1,
      },
    ]);
    // Without a starting equity the curve is the cumulative realized PnL.
    expect(model.equity.at(-1)?.equity).toBe(-29.75);
  });

  it("counts what open groups booked in a strategy's drawdown, as on the account's curve", () => {
    // Two winners, then an open group that has paid its entry commission: one strategy, so its
    // row's drawdown is the account's.
    const model = buildReportModel(
      report([
        group('G1', 'alpha', 46.65, '2026-02-13T10:30:00-05:00'),
        group('G2', 'alpha', 47.08, '2026-02-13T11:00:00-05:00'),
        group('G3', 'alpha', -4.63, null),
      ]),
      100000,
    );
    expect(model.maxDrawdown).toBe(4.63);
    expect(model.strategies[0]).toMatchObject({ realizedPnl: 89.1, maxDrawdown: 4.63, open: 1 });
  });

  it('lists every closed trade with its PnL and commissions as report.json has them', () => {
    const html = renderRunReport({ report: report(groups), startEquity: 100000, seed: 3, source: 'x' });
    for (const [id, pnl] of [
      ['G1', '$120.50'],
      ['G2', '−$200.25'],
      ['G3', '$50.00'],
    ] as const) {
      const row = new RegExp(`<tr data-group="${id}">.*</tr>`).exec(html)?.[0] ?? '';
      expect(row).toContain(pnl);
      expect(row).toContain('stop-loss');
      // Each time printed with its offset, as the page says (not only in the tooltip).
      expect(row.replace(/<[^>]*>/g, '')).toContain('2026-02-13 09:45:00 -05:00');
    }
    expect(html).toContain('Open at the end (1)');
  });

  it('escapes HTML in strategy names, reasons and discrepancy details', () => {
    const evil = '<script>alert("x")</script>';
    const html = renderRunReport({
      report: report([group(`G&<b>`, evil, 1, '2026-02-13T10:30:00-05:00')], {
        scenario: `<img src=x onerror=alert(1)>`,
        discrepancies: [
          {
            t: '2026-02-13T10:00:00-05:00',
            kind: 'foreign-position',
            instrument: null,
            detail: `'"><svg onload=alert(2)>`,
            resolved: false,
          },
        ],
        refusals: [
          {
            t: '2026-02-13T10:01:00-05:00',
            source: 'operator',
            rule: 'maxPositionPct',
            message: evil,
            maxAllowedQty: 3,
          },
        ],
      }),
      startEquity: null,
      seed: null,
      source: '<x>',
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('G&amp;&lt;b&gt;');
    expect(externalReferences(html)).toEqual([]);
  });

  it('shows halts beside the discrepancies', () => {
    const html = renderRunReport({
      report: report(groups, {
        tradingState: [
          { t: '2026-02-13T09:30:00-05:00', state: 'ACTIVE', reason: 'start' },
          { t: '2026-02-13T11:05:00-05:00', state: 'HALTED', reason: 'unexpected position' },
        ],
      }),
      startEquity: 100000,
      seed: 3,
      source: 'x',
    });
    expect(html).toContain('trading HALTED');
    expect(html).toContain('unexpected position');
    // Its time reads as every other time of the page.
    const row = /<tr><td><time[^>]*>.*?<\/time><\/td><td>trading HALTED/.exec(html)?.[0] ?? '';
    expect(row.replace(/<[^>]*>/g, '')).toBe('2026-02-13 11:05:00 -05:00trading HALTED');
  });
});

describe('summary.html of a sweep', () => {
  it('lists seeds, fault kinds and verdicts, with the command reproducing a failing seed', () => {
    const html = renderSweepSummary(
      'sweep <1..2>',
      [
        {
          seed: 1,
          strategies: ['iron-condor-0dte'],
          faultKinds: ['crashEngine', 'reject'],
          days: 1,
          events: 10,
          crashes: 1,
          keelFills: 4,
          realizedPnl: 12.5,
          violations: [],
          error: null,
        },
        {
          seed: 2,
          strategies: ['equity-bracket'],
          faultKinds: ['reject'],
          days: 3,
          events: 20,
          crashes: 0,
          keelFills: 2,
          realizedPnl: -3,
          violations: [{ invariant: 'no-flip', message: 'flipped <short>' }],
          error: null,
        },
      ],
      (seed) => `keel sim --generate --seeds ${seed}..${seed}`,
    );
    expect(html).toContain('sweep &lt;1..2&gt;');
    expect(/<tr data-seed="1">.*ok.*<\/tr>/.test(html)).toBe(true);
    const failing = /<tr data-seed="2">.*<\/tr>/.exec(html)?.[0] ?? '';
    expect(failing).toContain('1 violation(s)');
    expect(failing).toContain('keel sim --generate --seeds 2..2');
    expect(failing).toContain('flipped &lt;short&gt;');
    // reject ran in both seeds and failed in one.
    expect(html).toMatch(/<td>reject<\/td><td class="n">2<\/td><td class="n fail">1<\/td>/);
    expect(externalReferences(html)).toEqual([]);
  });
});
