#!/usr/bin/env node
// npm run bench: every benchmark, figures and ratios printed (never asserted in tests).
import { register } from 'tsx/esm/api';

register();
const { main: journal } = await import('../bench/journal.bench.ts');
const { main: engine } = await import('../bench/engine.bench.ts');
const sqliteJournal = await journal();
await (await import('../bench/journal-postgres.bench.ts')).main(sqliteJournal);
await (await import('../bench/startup.bench.ts')).main();
await engine();
await (await import('../bench/sim.bench.ts')).main();
await (await import('../bench/reconcile.bench.ts')).main();
await (await import('../bench/gate.bench.ts')).main();
await (await import('../bench/pricing.bench.ts')).main();
