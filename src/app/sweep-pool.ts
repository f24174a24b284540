// Runs a range of generated seeds on N worker threads and hands back the rows in seed order, so
// the table a user reads is the same with 1 worker or 16. Seeds go out one at a time to whichever
// worker is free (runs differ in length), at most a small window ahead of the next row printed:
// memory stays the same for ten seeds or a million.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runSeed, type SweepRow } from '../sim/sweep';
import type { SweepWorkerData, SweepWorkerTask } from './sweep-worker';
import { throughLinkFor, type ThroughBroker } from './through';

export type SweepPoolOptions = {
  readonly from: number;
  readonly to: number;
  readonly workers: number;
  readonly through: ThroughBroker | null;
  /** Each row, in seed order. */
  readonly onRow: (row: SweepRow) => void;
  /** Checked before each seed is handed out: once true, no new seed starts and the pool drains. */
  readonly stopping: () => boolean;
};

/**
 * Seeds handed out ahead of the next row printed, per worker. A multi-day seed runs ten times as
 * long as a day's: the window must let the other workers go on past it, not wait for it (a
 * window of 4 held two workers to 0.9x of one). A row is a few hundred bytes: still bounded.
 */
const windowPerWorker = 256;

export async function sweepPool(o: SweepPoolOptions): Promise<void> {
  if (o.workers <= 1) {
    const runOptions = o.through === null ? {} : { through: throughLinkFor(o.through, () => {}) };
    for (let seed = o.from; seed <= o.to && !o.stopping(); seed++) {
      o.onRow(await runSeed(seed, runOptions));
      // A seed runs on promises alone: yield to the event loop so Ctrl-C is heard between seeds.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return;
  }
  const entry = workerEntry();
  const data: SweepWorkerData = { through: o.through };
  const workers = Array.from(
    { length: Math.min(o.workers, o.to - o.from + 1) },
    () => new Worker(entry.url, { workerData: data, execArgv: entry.execArgv }),
  );
  const done = new Map<number, SweepRow>();
  let nextToPrint = o.from;
  let nextToSend = o.from;
  let inFlight = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (w: Worker) => {
        const ahead = nextToSend - nextToPrint;
        if (nextToSend > o.to || o.stopping() || ahead >= workers.length * windowPerWorker) return false;
        const task: SweepWorkerTask = { seed: nextToSend++ };
        inFlight++;
        w.postMessage(task);
        return true;
      };
      const idle: Worker[] = [];
      const finishIfDone = () => {
        if (inFlight === 0 && (nextToSend > o.to || o.stopping())) resolve();
      };
      for (const w of workers) {
        w.on('message', (row: SweepRow) => {
          inFlight--;
          done.set(row.seed, row);
          for (let r = done.get(nextToPrint); r !== undefined; r = done.get(nextToPrint)) {
            done.delete(nextToPrint);
            nextToPrint++;
            o.onRow(r);
          }
          idle.push(w);
          // Printing may have opened the window for the idle workers, not only this one.
          while (idle.length > 0) {
            const next = idle[idle.length - 1];
            if (next === undefined || !send(next)) break;
            idle.pop();
          }
          finishIfDone();
        });
        w.on('error', (e) => reject(new Error(`a sweep worker failed: ${e.message}`)));
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`a sweep worker exited with code ${code}`));
        });
        if (!send(w)) idle.push(w);
      }
      finishIfDone();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * The worker's script: the compiled one beside the compiled CLI (dist/sweep-worker.js), or, when
 * keel runs from TypeScript (tests), the source through tsx.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts'))
    return { url: pathToFileURL(join(dirname(here), 'sweep-worker.ts')), execArgv: ['--import', 'tsx'] };
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'sweep-worker.js');
    if (existsSync(file)) return { url: pathToFileURL(file), execArgv: [] };
  }
  throw new Error(`sweep-worker.js not found above ${here}: run npm run build`);
}
