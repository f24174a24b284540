// The pages' one stylesheet, inline: a report is a single file.
export const pageStyle = [
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328;background:#fff}',
  'h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}',
  '.sub{color:#59636e;margin:0 0 16px}',
  '.off{color:#59636e;font-size:0.85em}',
  '.tiles{display:flex;flex-wrap:wrap;gap:10px}.tile{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:130px}',
  '.tile .k{color:#59636e;font-size:12px}.tile .v{font-size:17px;font-weight:600}',
  'table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}',
  'th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
  'td.legs,time{white-space:nowrap}',
  '.pos{color:#1a7f37}.neg{color:#cf222e}.ok{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}',
  '.chart{width:100%;height:auto;display:block;margin:8px 0}.chart text{font-size:11px;fill:#59636e}',
  '.chart .chart-title{font-size:13px;fill:#1f2328;font-weight:600}.chart .grid{stroke:#eaeef2;stroke-width:1}',
].join('');
