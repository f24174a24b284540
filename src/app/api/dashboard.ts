// The dashboard: one self-contained page served by the operator API (with the API token). It polls /status and shows
// the trading state, what keel owns by group, what is foreign, keel's orders, discrepancies and
// the exposure budgets. Read-only: commands go through the CLI or the API, each journaled.
export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>keel</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }
  h1 { font-size: 1.2rem; } h2 { font-size: 1rem; margin-top: 1.5rem; }
  table { border-collapse: collapse; } td, th { padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
  .ACTIVE { color: #176b2c; } .REDUCING { color: #a15c00; } .HALTED { color: #b00020; font-weight: bold; }
  .muted { color: #777; } .delayed { color: #a15c00; font-weight: bold; }
</style>
</head>
<body>
<h1>keel <span id="state"></span></h1>
<div id="reason" class="muted"></div>
<div id="venue"></div>
<h2>Owned, by group</h2><div id="groups"></div>
<h2>Foreign (not keel's; never touched)</h2><div id="foreign"></div>
<h2>keel's open orders</h2><div id="orders"></div>
<h2>Open discrepancies</h2><div id="discrepancies"></div>
<h2>Exposure budgets</h2><div id="budget"></div>
<p class="muted" id="updated"></p>
<script>
// The token comes once in the URL keel printed; it is kept for this tab only and taken out of the
// address bar, then sent as a header with every request.
const given = new URLSearchParams(location.search).get('token');
if (given) { sessionStorage.setItem('keel-token', given); history.replaceState(null, '', '/'); }
const auth = { headers: { authorization: 'Bearer ' + (sessionStorage.getItem('keel-token') || '') } };
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const table = (rows, cols) => rows.length === 0 ? '<span class="muted">none</span>' :
  '<table><tr>' + cols.map((c) => '<th>' + esc(c[0]) + '</th>').join('') + '</tr>' +
  rows.map((r) => '<tr>' + cols.map((c) => '<td>' + esc(c[1](r)) + '</td>').join('') + '</tr>').join('') + '</table>';
async function refresh() {
  try {
    const s = await (await fetch('/status', auth)).json();
    if (s.error) throw new Error(s.error);
    const state = document.getElementById('state');
    state.textContent = s.tradingState; state.className = s.tradingState;
    document.getElementById('reason').textContent = s.reason ? 'reason: ' + s.reason : '';
    const venue = document.getElementById('venue');
    venue.innerHTML = !s.venue ? '' : esc(s.venue.kind) + ' ' + (s.venue.connected ? 'connected' : '<b class="HALTED">disconnected</b>') +
      (s.venue.marketData === 'delayed' ? ' · <span class="delayed">market data DELAYED (15 min or more)</span>' : ' · market data live');
    document.getElementById('groups').innerHTML = table(s.groups, [
      ['group', (g) => g.group], ['strategy', (g) => g.strategy], ['status', (g) => g.status],
      ['legs', (g) => g.legs.map((l) => l.owned + ' ' + l.instrument).join(' / ')], ['realized', (g) => g.realizedPnl.toFixed(2)]]);
    document.getElementById('foreign').innerHTML = table(s.foreign, [
      ['instrument', (f) => f.instrument], ['foreign', (f) => f.foreign], ['venue net', (f) => f.venueNet], ['keel owns', (f) => f.owned]]);
    document.getElementById('orders').innerHTML = table(s.openOrders, [
      ['client order id', (o) => o.clientOrderId], ['intent', (o) => o.intent], ['qty', (o) => o.qty], ['limit', (o) => o.limit ?? 'MKT'], ['state', (o) => o.state]]);
    document.getElementById('discrepancies').innerHTML = table(s.discrepancies, [['id', (d) => d.id], ['kind', (d) => d.kind], ['detail', (d) => d.detail]]);
    document.getElementById('budget').innerHTML = s.budget === null ? '<span class="muted">budgets off</span>' : table(s.budget.scopes, [
      ['scope', (b) => b.scope], ['per position', (b) => '$' + b.positionCap.toFixed(0)],
      ['today', (b) => '$' + b.usedToday.toFixed(0) + ' / $' + b.dailyCap.toFixed(0)],
      ['week', (b) => '$' + b.usedWeek.toFixed(0) + ' / $' + b.weeklyCap.toFixed(0)],
      ['positions today', (b) => b.positionsToday + ' (' + b.positionsTodayLeft + ' left)'],
      ['positions week', (b) => b.positionsWeek + ' (' + b.positionsWeekLeft + ' left)']]);
    document.getElementById('updated').textContent = s.events + ' journal events; updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('updated').textContent = 'engine not answering: ' + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
