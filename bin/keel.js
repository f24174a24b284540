#!/usr/bin/env node
// Runs the compiled CLI from dist/, rebuilding it first when a source is newer than the build
// (a fresh clone, or an edit): what runs is always what the sources say.
import { readFileSync } from 'node:fs';
import { buildDist, newestSource } from './build.js';

process.setSourceMapsEnabled(true);
const built = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../dist/build-stamp.json', import.meta.url), 'utf8')).sources;
  } catch {
    return -1;
  }
})();
if (built < newestSource()) await buildDist();
await import('../dist/keel.js');
