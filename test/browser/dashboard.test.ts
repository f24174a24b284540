// The dashboard in a real browser: Debian's chromium driven by playwright-core, against `keel run
// examples/iron-condor-0dte.yaml --api PORT` (the simulated venue paced at 300 simulated seconds a
// second). One engine and one browser for the file; each case opens its own page.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentId, timeZoneOf } from '../../src/domain';
import type { OperatorCommand } from '../../src/engine/operator';
import { buildOperatorApi } from '../../src/app/api/operator-api';
import { Projection } from '../../src/ledger/projection';
import { freePort, until } from '../support/keel-process';

const chromiumPath = process.env['KEEL_CHROMIUM'] ?? '/usr/bin/chromium';

let dir: string;
let port: number;
let base: string;
let token: string;
let engine: ChildProcess;
let stderr = '';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no chromium at ${chromiumPath}: install Debian's (apt-get install chromium; .ci/run does) or set KEEL_CHROMIUM`,
    );
  dir = mkdtempSync(join(tmpdir(), 'keel-dashboard-'));
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  engine = spawn(
    process.execPath,
    [
      'bin/keel.js',
      'run',
      'examples/iron-condor-0dte.yaml',
      '--api',
      String(port),
      '--speed',
      '300',
      '--out',
      join(dir, 'out'),
      '-q',
      '--no-print',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEEL_HOME: join(dir, 'home') } },
  );
  engine.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  [browser] = await Promise.all([
    chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] }),
    until('the dashboard URL', () => stderr.includes('dashboard: ')),
  ]);
  token = readFileSync(join(dir, 'out', 'journal.sqlite.api-token'), 'utf8').trim();
});

afterAll(async () => {
  await browser?.close();
  engine?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Keeps each chart's options as the page gives them to uPlot (window.chartOptions), to call its labels. */
const keepChartOptions = `(() => {
  let real;
  Object.defineProperty(window, 'uPlot', {
    configurable: true,
    get: () => real,
    set: (lib) => {
      real = function (opts, data, el) {
        (window.chartOptions = window.chartOptions || []).push(opts);
        return new lib(opts, data, el);
      };
      Object.assign(real, lib);
    },
  });
})()`;

/** Opens the dashboard with the token, as the URL keel run printed. */
async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  await page.addInitScript(keepChartOptions);
  const res = await page.goto(`${base}/?token=${token}`);
  expect(res?.status()).toBe(200);
  await page.locator('#link', { hasText: 'live' }).waitFor();
  return page;
}

/** Pixels drawn (not transparent) on the canvases of one chart (the function runs in the page). */
function inkOn(page: Page, chart: string): Promise<number> {
  return page.evaluate(`(() => {
    let ink = 0;
    for (const canvas of document.querySelectorAll('#${chart} canvas')) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    }
    return ink;
  })()`);
}

describe('the dashboard in chromium', () => {
  it('without the token the page is refused (401) and asks for it; a wrong token is refused', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(401);
    await expect(page.locator('#login h2').textContent()).resolves.toMatch(/needs the API token/);
    expect(await page.locator('#main').isHidden()).toBe(true);
    // Nothing about the account was served to it.
    expect(await page.content()).not.toMatch(/ic-0dte|XSP/);
    await page.fill('#login-token', 'b'.repeat(64));
    await page.click('#login-form button');
    await page.locator('#login-error', { hasText: 'keel refused this token' }).waitFor();
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.close();
  });

  it('shows the condor keel opens during the run, with its legs, stop-loss usage and next exit, and draws the charts', async () => {
    const page = await openDashboard();
    // The token left the address bar.
    expect(page.url()).toBe(`${base}/`);
    await expect(page.locator('#state').textContent()).resolves.toBe('ACTIVE');
    const group = page.locator('.group').first();
    await group.waitFor({ timeout: 30_000 });
    await expect(group.locator('.id').textContent()).resolves.toMatch(/^ic-0dte-2026020\d-\d+$/);
    const legs = await group.locator('table tr').allTextContents();
    expect(legs.filter((l) => /XSP 2026-02-\d\d \d+[PC]/.test(l))).toHaveLength(4);
    await expect(group.textContent()).resolves.toMatch(/entry credit/);
    await expect(group.locator('.stop').textContent()).resolves.toMatch(/stop-loss used\s*\d+%/);
    await expect(group.locator('.next').textContent()).resolves.toMatch(/time exit at 15:45/);
    await expect(page.locator('#equity').textContent()).resolves.toMatch(/^\$\d{2,3},\d{3}\.\d\d$/);
    await expect(page.locator('#budget').textContent()).resolves.toMatch(/account/);
    // The equity curve and the underlying have points: their canvases carry ink.
    await until('the equity chart drawn', async () => (await inkOn(page, 'chart-equity')) > 200);
    await until('the underlying chart drawn', async () => (await inkOn(page, 'chart-underlying')) > 200);
    await expect(page.locator('#underlying-title').textContent()).resolves.toMatch(/^XSP/);
    const shot = process.env['KEEL_DASHBOARD_SCREENSHOT'];
    if (shot !== undefined) await page.screenshot({ path: shot, fullPage: true });
    await page.close();
  });

  it("labels the equity axis at its ticks' values: cents when the ticks are not whole dollars", async () => {
    const page = await openDashboard();
    await until(
      'the equity chart made',
      async () =>
        (await page.evaluate(`(window.chartOptions || []).some((o) => o.series[1].label === 'equity')`)) ===
        true,
    );
    const labels = (ticks: number[]) =>
      page.evaluate(
        `window.chartOptions.find((o) => o.series[1].label === 'equity').axes[1].values(null, ${JSON.stringify(ticks)})`,
      );
    await expect(labels([99997.5, 100000, 100002.5])).resolves.toEqual([
      '$99,997.50',
      '$100,000.00',
      '$100,002.50',
    ]);
    await expect(labels([99990, 100000, 100010])).resolves.toEqual(['$99,990', '$100,000', '$100,010']);
    await page.close();
  });

  it('flattens a group after a confirmation: it leaves the owned list and shows among closed trades', async () => {
    const page = await openDashboard();
    const group = page.locator('.group').first();
    await group.waitFor({ timeout: 30_000 });
    const id = (await group.locator('.id').textContent()) ?? '';
    await group.locator('button[data-act=flatten]').click();
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe(`Flatten ${id}?`);
    // Cancelling sends nothing.
    await page.click('#confirm-cancel');
    expect(await page.locator(`.group[data-group="${id}"]`).count()).toBe(1);
    await group.locator('button[data-act=flatten]').click();
    await page.click('#confirm-ok');
    await page.locator(`.group[data-group="${id}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('#closed tr', { hasText: id }).waitFor();
    await expect(page.locator('#closed tr', { hasText: id }).textContent()).resolves.toMatch(/flatten/i);
    await until('the closed-group chart drawn', async () => (await inkOn(page, 'chart-closed')) > 50);
    // Its axis numbers only the groups drawn, and its legend names the group under the cursor
    // from the list drawn now (not the one of its first drawing): the newest is the table's first.
    const n = (await page.locator('#closed tr').count()) - 1; // a header row, then a group a row
    const newest = await page.locator('#closed tr').nth(1).locator('td').first().textContent();
    const closedChart = `window.chartOptions.find((o) => o.series[0].label === 'group')`;
    await expect(
      page.evaluate(`${closedChart}.axes[0].values(null, [0, 1, ${n}, ${n + 1}])`),
    ).resolves.toEqual(['', '#1', `#${n}`, '']);
    await expect(page.evaluate(`${closedChart}.series[0].value(null, ${n})`)).resolves.toBe(newest);
    await page.close();
  });

  it('a refused order shows with its rule and the largest order that would pass; a reload keeps the page', async () => {
    const page = await openDashboard();
    const res = await fetch(`${base}/order`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        side: 'BUY',
        qty: 5000,
        symbol: 'XSP',
        expiry: '2026-02-09',
        strike: 690,
        right: 'C',
        limit: 1,
      }),
    });
    const answer = (await res.json()) as { ok: boolean; lines: string[] };
    expect(answer.ok).toBe(false);
    const row = page.locator('#refusals tr', { hasText: 'operator' }).first();
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    // The row is the engine's refusal: its rule, and the largest order that passes where the
    // rule sizes one (a fat finger or a missing price sizes none: shown as –).
    const now = (await (
      await fetch(`${base}/dashboard`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { view: { refusals: { source: string; rule: string; maxAllowedQty: number | null }[] } };
    const refused = now.view.refusals.find((r) => r.source === 'operator');
    expect(refused).toBeDefined();
    expect(cells[2]).toBe(refused?.rule);
    expect(cells[3]).toBe(String(refused?.maxAllowedQty ?? '–'));
    if (refused?.maxAllowedQty != null) expect(refused.maxAllowedQty).toBeLessThan(5000);
    expect(answer.lines.join(' ')).toContain(cells[2] ?? '');
    // The token is kept for the tab: a reload (the address has no token now) is refused by the
    // server as before, and the page reads the engine again with the token it kept.
    const again = await page.reload();
    expect(again?.status()).toBe(401);
    await page.locator('#link', { hasText: 'live' }).waitFor();
    await page.locator('#refusals tr', { hasText: 'operator' }).first().waitFor();
    expect(await page.locator('#login').isHidden()).toBe(true);
    await page.close();
  });

  it('halts after a confirmation with a reason and shows HALTED; resumes the same way', async () => {
    const page = await openDashboard();
    await page.click('#halt');
    await expect(page.locator('#confirm-reason').inputValue()).resolves.toBe('halted from the dashboard');
    await page.fill('#confirm-reason', 'checking the condor by hand');
    await page.click('#confirm-ok');
    await page.locator('#state', { hasText: 'HALTED' }).waitFor();
    await expect(page.locator('#reason').textContent()).resolves.toMatch(/^checking the condor by hand/);
    expect(await page.locator('#halt').isDisabled()).toBe(true);
    // The engine says so too, to the API's other clients.
    const status = (await (
      await fetch(`${base}/status`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { tradingState: string; reason: string };
    expect(status).toMatchObject({ tradingState: 'HALTED', reason: 'checking the condor by hand' });
    await page.click('#resume');
    // A resume needs its reason: the empty field is not sent.
    await page.click('#confirm-ok');
    expect(await page.locator('#confirm').getAttribute('open')).not.toBeNull();
    await page.fill('#confirm-reason', 'checked');
    await page.click('#confirm-ok');
    await page.locator('#state', { hasText: 'ACTIVE' }).waitFor();
    await page.close();
  });
});

describe('discrepancies, incidents and foreign positions in chromium', () => {
  it("an open discrepancy is resolved from the page with a reason; someone else's calls are shown, never touched", async () => {
    // An engine as the API sees it: its breaker halted it on a foreign position found at the venue.
    const p = new Projection(timeZoneOf('America/New_York'));
    const t0 = Date.parse('2026-02-13T14:35:00Z');
    const calls = InstrumentId.of('XSP-20260213-704C');
    p.apply({
      type: 'instrument.defined',
      t: t0,
      data: {
        instrument: {
          id: calls,
          symbol: 'XSP',
          kind: 'option',
          expiry: '2026-02-13',
          strike: 704,
          right: 'C',
          underlyingKind: 'index',
          multiplier: 100,
          tick: 0.01,
          lot: 1,
        },
      },
    });
    p.apply({ type: 'venue.position', t: t0, data: { instrumentId: calls, qty: 24, avgPrice: 0.48 } });
    p.apply({
      type: 'discrepancy.raised',
      t: t0,
      data: {
        id: 'D1',
        kind: 'foreign-position',
        instrumentId: calls,
        groupId: null,
        detail: '24 XSP 2026-02-13 704C at the venue that keel did not open',
        subject: null,
      },
    });
    p.apply({
      type: 'trading.state',
      t: t0,
      data: { state: 'HALTED', reason: 'a position keel did not open is at the venue', source: 'engine' },
    });
    const commands: OperatorCommand[] = [];
    const apiPort = await freePort();
    const app = buildOperatorApi(
      {
        operator: async (cmd) => {
          commands.push(cmd);
          if (cmd.action !== 'resolve') return { ok: false, lines: ['not in this test'] };
          p.apply({
            type: 'discrepancy.resolved',
            t: t0 + 60_000,
            data: { id: cmd.id, resolution: cmd.reason },
          });
          return { ok: true, lines: [`resolved ${cmd.id}`] };
        },
        projection: () => p,
      },
      { token, hosts: [`127.0.0.1:${apiPort}`] },
    );
    await app.listen({ port: apiPort, host: '127.0.0.1' });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    try {
      await page.goto(`http://127.0.0.1:${apiPort}/?token=${token}`);
      await page.locator('#state', { hasText: 'HALTED' }).waitFor();
      expect(await page.locator('#resume').isEnabled()).toBe(true);
      await expect(page.locator('#incidents').textContent()).resolves.toMatch(
        /HALTED\s*a position keel did not open is at the venue/,
      );
      await expect(page.locator('#foreign tr').nth(1).textContent()).resolves.toMatch(
        /XSP 2026-02-13 704C\s*24\s*24\s*0/,
      );
      await page.click('#discrepancies button[data-act=resolve]');
      await expect(page.locator('#confirm-title').textContent()).resolves.toBe('Resolve discrepancy D1?');
      await page.fill('#confirm-reason', 'the 704 calls are the manual account, checked');
      await page.click('#confirm-ok');
      await page
        .locator('#discrepancies', { hasText: 'resolved: the 704 calls are the manual account, checked' })
        .waitFor();
      expect(commands).toEqual([
        { action: 'resolve', id: 'D1', reason: 'the 704 calls are the manual account, checked' },
      ]);
      // Resolving changes no trading state: resuming is its own decision.
      await expect(page.locator('#state').textContent()).resolves.toBe('HALTED');
    } finally {
      await page.close();
      await app.close();
    }
  });
});
