// The dashboard page: one self-contained document served by the operator API, its script, its
// styles and the chart library (uPlot, from the installed package, never a CDN) inlined with a
// fresh nonce, so the page's Content-Security-Policy runs nothing else. The page holds no data of
// its own: it reads the engine through GET /events with the API token (dashboard/dashboard.js).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** keel's folder: this module runs from src/ (tests) or from a bundle in dist/ (the CLI). */
function keelRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"keel"/.test(readFileSync(manifest, 'utf8'))) return dir;
    if (dirname(dir) === dir)
      throw new Error("the dashboard cannot find keel's folder (no package.json named keel)");
  }
}

const here = (name: string) => readFileSync(join(keelRoot(), 'src/app/api/dashboard', name), 'utf8');
const fromPackage = (path: string) => readFileSync(createRequire(import.meta.url).resolve(path), 'utf8');

let parts: { html: string; css: string; js: string; uplotJs: string; uplotCss: string } | null = null;

function load() {
  parts ??= {
    html: here('index.html'),
    css: here('dashboard.css'),
    js: here('dashboard.js'),
    uplotJs: fromPackage('uplot/dist/uPlot.iife.min.js'),
    uplotCss: fromPackage('uplot/dist/uPlot.min.css'),
  };
  return parts;
}

/** The page and the Content-Security-Policy that goes with it (its scripts and styles by nonce only). */
export function dashboardPage(): { html: string; csp: string } {
  const p = load();
  const nonce = randomBytes(16).toString('base64');
  const inner: Record<string, string> = {
    'uplot-css': p.uplotCss,
    'dashboard-css': p.css,
    'uplot-js': p.uplotJs,
    'dashboard-js': p.js,
  };
  // Each empty <style id=…> and <script id=…> of the template gets its file, in one pass.
  const html = p.html.replace(
    /<(style|script) id="([\w-]+)" nonce="\{\{nonce\}\}"><\/\1>/g,
    (_, tag: string, id: string) => {
      const body = inner[id];
      if (body === undefined) throw new Error(`dashboard template: no file for ${id}`);
      return `<${tag} nonce="${nonce}">${body}</${tag}>`;
    },
  );
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src-elem 'nonce-${nonce}'`,
    // The bars' widths are style attributes; no script can run from one.
    "style-src-attr 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
