#!/usr/bin/env node
// Compiles keel's TypeScript to dist/ (ESM bundles, packages left to node_modules) so `keel`
// starts without compiling. `npm ci` runs it (prepare); bin/keel.js runs it again whenever a file
// in src/ or test/fakes/ is newer than the build, so what runs is always what the sources say.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampFile = join(dist, 'build-stamp.json');
const entries = { keel: 'src/app/cli.ts', 'sweep-worker': 'src/app/sweep-worker.ts' };
// `keel sim --through` bundles the loopback fakes, so they count as sources too.
const sourceDirs = ['src', 'test/fakes', 'test/support'];
/** A chunk of an earlier build stays this long: a process started from that build may still load it. */
const oldChunkGraceMs = 60 * 60 * 1000;

/** The newest modification time of any source file, in ms. */
export function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of sourceDirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  return newest;
}

export async function buildDist() {
  const sources = newestSource();
  const staging = join(root, `dist.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
  // Each file moved in by an atomic rename, chunks (named by content) before the entries that
  // load them: a keel process running, or starting now, never sees half a build.
  mkdirSync(join(dist, 'chunks'), { recursive: true });
  const chunks = existsSync(join(staging, 'chunks')) ? readdirSync(join(staging, 'chunks')) : [];
  for (const f of chunks) renameSync(join(staging, 'chunks', f), join(dist, 'chunks', f));
  for (const f of readdirSync(staging)) if (f !== 'chunks') renameSync(join(staging, f), join(dist, f));
  rmSync(staging, { recursive: true, force: true });
  const now = statSync(dist).mtimeMs;
  for (const f of readdirSync(join(dist, 'chunks'))) {
    const path = join(dist, 'chunks', f);
    if (!chunks.includes(f) && now - statSync(path).mtimeMs > oldChunkGraceMs) rmSync(path, { force: true });
  }
  const tmp = `${stampFile}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ sources }) + '\n');
  renameSync(tmp, stampFile);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDist();
  process.stdout.write('keel: built dist/\n');
}
