// keel's dashboard in the browser. It holds the API token for this tab only (sessionStorage),
// takes it out of the address bar, and sends it as a header with every request: the live feed is
// read from GET /events (server-sent events) with fetch, which can send the header (EventSource
// cannot), so the token never travels in a URL after the first page load. Commands are JSON POSTs
// to the same API the keel CLI uses, each after a confirmation, each journaled by the engine.
/* global window, document, location, URLSearchParams, history, sessionStorage, fetch, TextDecoderStream, AbortController, ResizeObserver, requestAnimationFrame, setTimeout, clearTimeout, Path2D, uPlot */
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (v) =>
    String(v ?? '').replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const usd = (v) => (v === null || v === undefined ? '–' : usdFormat.format(v));
  const signed = (v) => (v === null || v === undefined ? '–' : (v > 0 ? '+' : '') + usdFormat.format(v));
  const tone = (v) => (v === null || v === undefined || v === 0 ? '' : v > 0 ? 'good' : 'bad');
  const clock = (iso) => (iso ? iso.slice(11, 19) : '');
  const day = (iso) => (iso ? iso.slice(0, 10) : '');
  const age = (min) =>
    min >= 60 ? `${Math.floor(min / 60)}h ${String(min % 60).padStart(2, '0')}m` : `${min}m`;
  const pct = (x) => `${Math.round(Math.max(0, x) * 100)}%`;
  const bar = (fraction, label) => {
    const f = Math.max(0, Math.min(1, fraction));
    const cls = fraction >= 1 ? 'full' : fraction >= 0.75 ? 'warn' : '';
    return `<div class="bar"><span class="${cls}" style="width:${(f * 100).toFixed(1)}%"></span><em>${esc(label)}</em></div>`;
  };
  const table = (rows, cols, empty = 'none') =>
    rows.length === 0
      ? `<div class="none">${esc(empty)}</div>`
      : `<table><tr>${cols.map((c) => `<th class="${c.cls ?? ''}">${esc(c.h)}</th>`).join('')}</tr>${rows
          .map(
            (r) =>
              `<tr>${cols.map((c) => `<td class="${c.cls ?? ''} ${c.tone ? c.tone(r) : ''}">${c.html ? c.html(r) : esc(c.v(r))}</td>`).join('')}</tr>`,
          )
          .join('')}</table>`;

  // ---- the token ------------------------------------------------------------------------------
  const given = new URLSearchParams(location.search).get('token');
  if (given) {
    sessionStorage.setItem('keel-token', given);
    history.replaceState(null, '', '/');
  }
  const token = () => sessionStorage.getItem('keel-token') || '';

  function showLogin(error) {
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = error;
    $('link').textContent = 'not connected';
  }
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('login-token').value.trim();
    if (!t) return;
    sessionStorage.setItem('keel-token', t);
    $('login-token').value = '';
    connect();
  });

  // ---- commands -------------------------------------------------------------------------------
  async function command(path, body) {
    const res = await fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (!res.ok || answer.error) throw new Error(answer.error || `HTTP ${res.status}`);
    return answer;
  }

  let toastTimer = null;
  function toast(text, bad) {
    const t = $('toast');
    t.textContent = text;
    t.className = bad ? 'bad' : '';
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.hidden = true), 8000);
  }

  /** A confirmation with a reason; `run(reason)` gives the command. */
  let pending = null;
  function confirmThen(title, text, defaultReason, run, needsReason = true) {
    pending = run;
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-reason').value = defaultReason;
    $('confirm-reason').required = needsReason;
    $('confirm-reason-label').hidden = !needsReason;
    $('confirm-error').textContent = '';
    $('confirm').showModal();
    if (needsReason) $('confirm-reason').select();
  }
  $('confirm-cancel').addEventListener('click', () => {
    pending = null;
    $('confirm').close();
  });
  $('confirm-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (pending === null) return;
    const run = pending;
    const reason = $('confirm-reason').value.trim();
    $('confirm-ok').disabled = true;
    try {
      const answer = await run(reason);
      pending = null;
      $('confirm').close();
      toast((answer.lines || []).join('\n') || 'done', answer.ok === false);
    } catch (err) {
      $('confirm-error').textContent = err.message;
    } finally {
      $('confirm-ok').disabled = false;
    }
  });

  $('halt').addEventListener('click', () =>
    confirmThen(
      'Halt trading?',
      "keel cancels its own working orders (never anyone else's) and sends nothing until resumed. Resting stop-loss and take-profit orders stay: they only reduce risk.",
      'halted from the dashboard',
      (reason) => command('/halt', { reason }),
    ),
  );
  $('resume').addEventListener('click', () =>
    confirmThen(
      'Resume trading?',
      'keel goes back to ACTIVE: strategies may open new positions again.',
      '',
      (reason) => command('/resume', { reason }),
    ),
  );
  document.addEventListener('click', (e) => {
    const target = e.target instanceof window.Element ? e.target.closest('button[data-act]') : null;
    if (!target) return;
    const id = target.dataset.id;
    if (target.dataset.act === 'flatten')
      confirmThen(
        `Flatten ${id}?`,
        'keel closes the legs this group owns only: shorts bought back first, a long sold only when no short it covers remains.',
        '',
        () => command('/flatten', { group: id }),
        false,
      );
    if (target.dataset.act === 'resolve')
      confirmThen(
        `Resolve discrepancy ${id}?`,
        'Marks it resolved after you checked it; journaled. The trading state is unchanged (resuming is its own decision).',
        '',
        (reason) => command('/resolve', { id, reason }),
      );
  });

  // ---- rendering ------------------------------------------------------------------------------
  let view = null;

  function render(v) {
    view = v;
    $('login').hidden = true;
    $('main').hidden = false;
    const state = $('state');
    state.textContent = v.tradingState;
    state.className = `state ${v.tradingState}`;
    $('reason').textContent = v.reason ? `${v.reason}${v.since ? ` (since ${clock(v.since)})` : ''}` : '';
    $('reason').title = v.reason || '';
    $('halt').disabled = v.tradingState === 'HALTED';
    $('resume').disabled = v.tradingState === 'ACTIVE';
    $('now').textContent = `${day(v.now)} ${clock(v.now)} ${v.timeZone}`;
    $('venue').innerHTML = !v.venue
      ? ''
      : `${esc(v.venue.kind)} ${v.venue.connected ? 'connected' : '<b class="bad">DISCONNECTED</b>'} · ${
          v.venue.marketData === 'delayed'
            ? '<b class="bad">market data DELAYED (15 min or more)</b>'
            : 'market data live'
        }`;

    const a = v.account;
    $('equity').textContent = usd(a.equity);
    $('equity-sub').textContent = a.dayEquity === null ? '' : `day started at ${usd(a.dayEquity)}`;
    for (const [id, value] of [
      ['realized-today', a.realizedToday],
      ['realized-week', a.realizedWeek],
      ['open-pnl', a.open],
    ]) {
      $(id).textContent = signed(value);
      $(id).className = `figure ${tone(value)}`;
    }
    $('budget').innerHTML =
      v.budget === null
        ? '<div class="none">budgets off</div>'
        : v.budget.scopes
            .map(
              (b) =>
                `<div class="budget-row"><div class="scope"><span>${esc(b.scope)}</span><span class="muted">positions: ${b.positionsToday} today (${b.positionsTodayLeft} left), ${b.positionsWeek} this week (${b.positionsWeekLeft} left) · next order at most ${usd(b.nextOrderMax)}</span></div>${bar(
                  b.dailyCap > 0 ? b.usedToday / b.dailyCap : 0,
                  `today ${usd(b.usedToday)} / ${usd(b.dailyCap)}`,
                )}${bar(b.weeklyCap > 0 ? b.usedWeek / b.weeklyCap : 0, `week ${usd(b.usedWeek)} / ${usd(b.weeklyCap)}`)}</div>${
                  b.warning ? `<div class="bad">${esc(b.warning)}</div>` : ''
                }`,
            )
            .join('');

    $('groups').innerHTML =
      v.groups.length === 0
        ? '<div class="none">keel owns nothing now</div>'
        : `<div class="groups">${v.groups.map(groupCard).join('')}</div>`;
    $('orders').innerHTML = table(v.openOrders, [
      { h: 'client order id', v: (o) => o.clientOrderId },
      { h: 'group', v: (o) => o.group },
      { h: 'intent', v: (o) => o.intent },
      { h: 'qty', v: (o) => o.qty, cls: 'num' },
      { h: 'limit', v: (o) => o.limit ?? 'MKT', cls: 'num' },
      { h: 'state', v: (o) => o.state },
    ]);
    $('closed').innerHTML = table(
      v.closed,
      [
        { h: 'group', v: (c) => c.id },
        { h: 'strategy', v: (c) => c.strategy },
        { h: 'legs', v: (c) => c.legs },
        { h: 'entry', v: (c) => `${day(c.openedAt)} ${clock(c.openedAt)}` },
        { h: 'exit', v: (c) => (c.closedAt ? `${day(c.closedAt)} ${clock(c.closedAt)}` : '') },
        { h: 'reason', v: (c) => c.exitReason ?? '' },
        { h: 'PnL (net)', v: (c) => signed(c.realizedPnl), cls: 'num', tone: (c) => tone(c.realizedPnl) },
        { h: 'commissions', v: (c) => usd(c.commissions), cls: 'num' },
      ],
      'no closed trades yet',
    );
    $('refusals').innerHTML = table(v.refusals, [
      { h: 'time', v: (r) => clock(r.t) },
      { h: 'by', v: (r) => r.source },
      { h: 'rule', v: (r) => r.rule },
      { h: 'largest that passes', v: (r) => r.maxAllowedQty ?? '–', cls: 'num' },
      { h: 'why', v: (r) => r.message },
    ]);
    $('discrepancies').innerHTML = table(v.discrepancies, [
      { h: 'id', v: (d) => d.id },
      { h: 'time', v: (d) => clock(d.t) },
      { h: 'kind', v: (d) => d.kind },
      { h: 'detail', v: (d) => d.detail },
      {
        h: '',
        html: (d) =>
          d.resolved
            ? `<span class="muted">resolved: ${esc(d.resolution)}</span>`
            : `<button class="small" data-act="resolve" data-id="${esc(d.id)}">Resolve</button>`,
      },
    ]);
    $('incidents').innerHTML = table(v.incidents, [
      { h: 'time', v: (i) => `${day(i.t)} ${clock(i.t)}` },
      { h: 'state', v: (i) => i.state },
      { h: 'reason', v: (i) => i.reason },
    ]);
    $('foreign').innerHTML = table(v.foreign, [
      { h: 'instrument', v: (f) => f.instrument },
      { h: 'foreign', v: (f) => f.foreign, cls: 'num' },
      { h: 'venue net', v: (f) => f.venueNet, cls: 'num' },
      { h: 'keel owns', v: (f) => f.owned, cls: 'num' },
    ]);
    $('footer').textContent = `${v.events} journal events`;
    closedChart.update(v.closed);
    underlyingChart.markers(v);
  }

  function groupCard(g) {
    const entryLabel = g.entryCash >= 0 ? 'entry credit' : 'entry cost';
    const legs = table(g.legs, [
      { h: 'owned', v: (l) => l.owned, cls: 'num' },
      { h: 'instrument', v: (l) => l.instrument },
      { h: 'entry', v: (l) => (l.entryPrice === null ? '–' : l.entryPrice.toFixed(2)), cls: 'num' },
      { h: 'mid', v: (l) => (l.mid === null ? '–' : l.mid.toFixed(2)), cls: 'num' },
    ]);
    const stop =
      g.stopUsage === null
        ? '<div class="muted">no stop-loss to measure</div>'
        : `<div class="stop"><span>stop-loss used</span>${bar(g.stopUsage, `${pct(g.stopUsage)} · ${g.stop ?? ''}`)}</div>`;
    return `<div class="group" data-group="${esc(g.id)}">
      <div class="group-head"><span class="id">${esc(g.id)}</span><span class="muted">${esc(g.strategy)} · ${esc(g.kind)} · ${esc(g.status)} · ${g.units} unit(s) · age ${age(g.ageMinutes)}</span><span class="spacer"></span>
      <button class="small danger" data-act="flatten" data-id="${esc(g.id)}">Flatten</button></div>
      <div class="figures">
        <div><div class="muted">${entryLabel}</div><div class="figure">${usd(Math.abs(g.entryCash))}</div></div>
        <div><div class="muted">PnL now (net, at mid)</div><div class="figure ${tone(g.pnl)}">${signed(g.pnl)}</div></div>
        <div><div class="muted">realized</div><div class="figure ${tone(g.realized)}">${signed(g.realized)}</div></div>
      </div>
      ${stop}
      <div class="next">next exit: ${g.next ? esc(g.next) : '<span class="muted">–</span>'}</div>
      ${legs}
      ${g.note ? `<div class="muted">${esc(g.note)}</div>` : ''}
    </div>`;
  }

  // ---- charts (uPlot, served with this page) ----------------------------------------------------
  const axisStyle = {
    stroke: '#8593a3',
    grid: { stroke: '#2a3440', width: 1 },
    ticks: { stroke: '#2a3440' },
  };
  // The time charts are drawn by sample, not by clock: nights and weekends take no room. Their
  // labels are the samples' times in the exchange's zone.
  const formats = new Map();
  const timeLabel = (seconds, withDate) => {
    const zone = view ? view.timeZone : 'UTC';
    const key = `${zone}|${withDate}`;
    if (!formats.has(key))
      formats.set(
        key,
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          ...(withDate ? { month: 'short', day: 'numeric' } : {}),
        }),
      );
    return seconds === undefined ? '' : formats.get(key).format(new Date(seconds * 1000));
  };
  const timeAxis = {
    ...axisStyle,
    size: 40,
    // Room for a label with its date ("Feb 9, 09:35") before the next one.
    space: 80,
    values: (_, ticks) => {
      let lastDay = '';
      return ticks.map((i) => {
        const t = samples.t[Math.round(i)];
        if (t === undefined) return '';
        const dayOf = timeLabel(t, true).split(',')[0];
        const label = dayOf !== lastDay ? timeLabel(t, true) : timeLabel(t, false);
        lastDay = dayOf;
        return label;
      });
    },
  };
  const timeSeries = {
    label: 'time',
    value: (_, i) => (i === null ? '–' : timeLabel(samples.t[Math.round(i)], true)),
  };
  const chartWidth = (el) => Math.max(260, el.clientWidth);
  const charts = [];

  function makeChart(el, opts, data) {
    const u = new uPlot({ width: chartWidth(el), height: 220, ...opts }, data, el);
    charts.push([u, el]);
    return u;
  }

  const samples = { t: [], equity: [], realized: [], spots: {} };
  const maxSamples = 4000;

  const equityChart = (() => {
    let u = null;
    return {
      draw() {
        const data = [samples.t.map((_, i) => i), samples.equity, samples.realized];
        if (u === null) {
          u = makeChart(
            $('chart-equity'),
            {
              scales: { x: { time: false }, pnl: { auto: true } },
              axes: [
                timeAxis,
                {
                  ...axisStyle,
                  size: 70,
                  // Whole dollars when every tick is one; cents otherwise (ticks 2.5 apart are not
                  // rounded to labels 2 and 3 apart).
                  values: (_, ticks) =>
                    ticks.every((v) => Math.abs(v - Math.round(v)) < 0.005)
                      ? ticks.map((v) => `$${Math.round(v).toLocaleString('en-US')}`)
                      : ticks.map((v) => usd(v)),
                },
                { ...axisStyle, scale: 'pnl', side: 1, size: 60, grid: { show: false } },
              ],
              series: [
                timeSeries,
                {
                  label: 'equity',
                  stroke: '#58a6ff',
                  width: 2,
                  points: { show: false },
                  value: (_, v) => usd(v),
                },
                {
                  label: 'realized PnL',
                  stroke: '#3fb950',
                  width: 1.5,
                  scale: 'pnl',
                  points: { show: false },
                  value: (_, v) => signed(v),
                },
              ],
            },
            data,
          );
        } else u.setData(data);
      },
    };
  })();

  const underlyingChart = (() => {
    let u = null;
    let symbol = null;
    let entries = [];
    let exits = [];
    /** The sample index nearest to t (seconds). */
    const nearest = (t) => {
      const xs = samples.t;
      let lo = 0;
      let hi = xs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (xs[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && Math.abs(xs[lo - 1] - t) < Math.abs(xs[lo] - t) ? lo - 1 : lo;
    };
    const marked = (times) => {
      const ys = samples.t.map(() => null);
      const spot = samples.spots[symbol] || [];
      for (const t of times) {
        if (samples.t.length === 0) break;
        const i = nearest(t);
        ys[i] = spot[i];
      }
      return ys;
    };
    const draw = () => {
      if (symbol === null) {
        symbol = Object.keys(samples.spots).find((s) => samples.spots[s].some((v) => v !== null)) ?? null;
        if (symbol === null) return;
        $('underlying-title').textContent = `${symbol}: entries ▲ and exits ▼`;
      }
      const data = [samples.t.map((_, i) => i), samples.spots[symbol], marked(entries), marked(exits)];
      if (u === null) {
        // An entry is a ▲ just below the price, an exit a ▼ just above it, so an exit and the next
        // entry at the same moment both show.
        const triangles = (up) => (u, si, i0, i1) => {
          const path = new Path2D();
          const r = 5 * (window.devicePixelRatio || 1);
          const xs = u.data[0];
          const ys = u.data[si];
          for (let i = i0; i <= i1; i++) {
            if (ys[i] === null || ys[i] === undefined) continue;
            const x = u.valToPos(xs[i], 'x', true);
            const y = u.valToPos(ys[i], 'y', true);
            const base = up ? y + 3 * r : y - 3 * r;
            const tip = up ? y + r : y - r;
            path.moveTo(x, tip);
            path.lineTo(x - r, base);
            path.lineTo(x + r, base);
            path.closePath();
          }
          return { stroke: path, fill: path };
        };
        const pointsOnly = (stroke, fill, up) => ({
          stroke,
          fill,
          width: 0,
          paths: () => null,
          points: { show: true, size: 11, stroke, fill, width: 1, paths: triangles(up) },
        });
        u = makeChart(
          $('chart-underlying'),
          {
            scales: { x: { time: false } },
            axes: [timeAxis, { ...axisStyle, size: 60 }],
            series: [
              timeSeries,
              { label: symbol, stroke: '#dde3ea', width: 1.5, points: { show: false } },
              { label: 'entry ▲', ...pointsOnly('#3fb950', '#3fb950', true) },
              { label: 'exit ▼', ...pointsOnly('#f85149', '#f85149', false) },
            ],
          },
          data,
        );
      } else u.setData(data);
    };
    return {
      draw,
      markers(v) {
        const groups = [...v.groups, ...v.closed];
        const e = groups.map((g) => g.openedT / 1000);
        const x = v.closed.filter((g) => g.closedT !== null).map((g) => g.closedT / 1000);
        if (e.join() !== entries.join() || x.join() !== exits.join()) {
          entries = e;
          exits = x;
          draw();
        }
      },
    };
  })();

  const closedChart = (() => {
    let u = null;
    let last = '';
    // The closed groups now drawn: the axis and the legend read them (not the first update's list).
    let trades = [];
    return {
      update(closed) {
        trades = [...closed].reverse();
        const key = trades.map((c) => `${c.id}:${c.realizedPnl}`).join();
        if (key === last) return;
        last = key;
        const xs = trades.map((_, i) => i + 1);
        const wins = trades.map((c) => (c.realizedPnl >= 0 ? c.realizedPnl : null));
        const losses = trades.map((c) => (c.realizedPnl < 0 ? c.realizedPnl : null));
        const data = [xs, wins, losses];
        if (u === null) {
          const bars = uPlot.paths.bars({ size: [0.6, 40], align: 0 });
          u = makeChart(
            $('chart-closed'),
            {
              scales: { x: { time: false, range: (_, min, max) => [min - 0.5, max + 0.5] } },
              axes: [
                {
                  ...axisStyle,
                  values: (_, ticks) =>
                    ticks.map((t) => (Number.isInteger(t) && t >= 1 && t <= trades.length ? `#${t}` : '')),
                },
                { ...axisStyle, size: 60 },
              ],
              series: [
                { label: 'group', value: (_, i) => (i === null ? '' : (trades[i - 1]?.id ?? '')) },
                {
                  label: 'won',
                  stroke: '#3fb950',
                  fill: '#3fb95099',
                  paths: bars,
                  points: { show: false },
                  value: (_, v) => signed(v),
                },
                {
                  label: 'lost',
                  stroke: '#f85149',
                  fill: '#f8514999',
                  paths: bars,
                  points: { show: false },
                  value: (_, v) => signed(v),
                },
              ],
            },
            data,
          );
        } else u.setData(data);
      },
    };
  })();

  let drawQueued = false;
  function drawCurves() {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      if (samples.t.length === 0) return;
      equityChart.draw();
      underlyingChart.draw();
    });
  }

  function addSamples(list, reset) {
    if (reset) {
      samples.t = [];
      samples.equity = [];
      samples.realized = [];
      samples.spots = {};
    }
    for (const s of list) {
      const at = samples.t.length;
      samples.t.push(s.t / 1000);
      samples.equity.push(s.equity);
      samples.realized.push(s.realized);
      for (const [sym, v] of Object.entries(s.spots)) {
        if (!samples.spots[sym]) samples.spots[sym] = new Array(at).fill(null);
        samples.spots[sym].push(v);
      }
    }
    if (samples.t.length > maxSamples) {
      const keep = (arr) => arr.filter((_, i) => i % 2 === 0 || i === arr.length - 1);
      samples.t = keep(samples.t);
      samples.equity = keep(samples.equity);
      samples.realized = keep(samples.realized);
      for (const sym of Object.keys(samples.spots)) samples.spots[sym] = keep(samples.spots[sym]);
    }
    drawCurves();
  }

  new ResizeObserver(() => {
    for (const [u, el] of charts) u.setSize({ width: chartWidth(el), height: 220 });
  }).observe(document.body);

  // ---- the live feed --------------------------------------------------------------------------
  let stream = null;
  let retry = null;

  function handle(block) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data === '') return;
    const body = JSON.parse(data);
    if (event === 'view') render(body);
    else if (event === 'samples') addSamples(body.samples, body.reset);
    else if (event === 'restarting') $('link').textContent = 'the engine is restarting…';
  }

  async function connect() {
    clearTimeout(retry);
    if (stream) stream.abort();
    if (!token()) {
      showLogin('');
      return;
    }
    const ctrl = new AbortController();
    stream = ctrl;
    try {
      const res = await fetch('/events', {
        headers: { authorization: `Bearer ${token()}` },
        signal: ctrl.signal,
        cache: 'no-store',
      });
      if (res.status === 401) {
        sessionStorage.removeItem('keel-token');
        showLogin('keel refused this token: it is not the token of the engine serving here.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      $('link').textContent = 'live';
      $('link').className = 'good';
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          handle(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
        }
      }
      throw new Error('the stream ended');
    } catch (err) {
      if (ctrl.signal.aborted && stream !== ctrl) return;
      $('link').textContent = `engine not answering (${err.message}); retrying…`;
      $('link').className = 'bad';
      retry = setTimeout(connect, 2000);
    }
  }

  connect();
})();
