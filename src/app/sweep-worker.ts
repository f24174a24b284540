// A sweep worker thread: runs the seeds the main thread hands it, one at a time, and sends back
// each seed's row. Every seed is independent and derived from its number alone, so which thread
// runs it changes nothing in its row.
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed } from '../sim/sweep';
import { throughLinkFor, type ThroughBroker } from './through';

export type SweepWorkerData = { readonly through: ThroughBroker | null };
export type SweepWorkerTask = { readonly seed: number } | { readonly stop: true };

const port = parentPort;
if (port === null) throw new Error('sweep-worker runs only as a worker thread');
const { through } = workerData as SweepWorkerData;
const runOptions = through === null ? {} : { through: throughLinkFor(through, () => {}) };

port.on('message', (task: SweepWorkerTask) => {
  if ('stop' in task) {
    port.close();
    return;
  }
  void runSeed(task.seed, runOptions).then((row) => port.postMessage(row));
});
