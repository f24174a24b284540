// Operator commands from the CLI: halt, resume, cancel --mine, flatten and order. With --api they
// go to a running engine's HTTP API (the same engine.operator() path as scenarios, so orders pass
// the same gate). halt and resume also work on a stopped engine's journal (--journal): the state
// is journaled and holds when the engine next starts.
import { parseApiAddress } from '../api-address';
import { authHeaders } from '../api/api-token';
import { replayJournal } from '../journal-replay';
import { fixedClock } from '../../domain';
import { Recorder } from '../../engine/recorder';
import { eventVersions } from '../../ledger/events';
import { JournalError, openJournal } from '../../ledger/journal';

export type Target = { api?: string; journal?: string };

export type OperatorBody = Record<string, unknown>;

/** Sends one command to the API and prints what the engine says it did. */
export async function viaApi(api: string, path: string, body: OperatorBody, verb: string): Promise<number> {
  const address = parseApiAddress(api);
  if (!address.ok) {
    process.stderr.write(`keel ${verb}: ${address.error}\n`);
    return 2;
  }
  let res: Response;
  try {
    res = await fetch(`${address.address.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(address.address.url) },
      body: JSON.stringify(body),
    });
  } catch (e) {
    process.stderr.write(
      `keel ${verb}: no engine answers at ${address.address.url} (${e instanceof Error ? e.message : String(e)}); start one with keel run CONFIG --api PORT\n`,
    );
    return 2;
  }
  const answer = (await res.json()) as { ok?: boolean; lines?: string[]; error?: string };
  if (answer.error !== undefined) {
    process.stderr.write(`keel ${verb}: refused: ${answer.error}\n`);
    return 2;
  }
  for (const line of answer.lines ?? []) process.stdout.write(`${line}\n`);
  return answer.ok ? 0 : 1;
}

/** halt / resume on a journal no engine holds: journaled now, in force at the next start. */
export async function tradingStateOffline(
  journalPath: string,
  state: 'HALTED' | 'ACTIVE',
  reason: string,
  verb: 'halt' | 'resume',
): Promise<number> {
  let journal;
  try {
    journal = openJournal(journalPath, {
      knownVersions: eventVersions,
      owner: `keel ${verb}`,
      nowMs: Date.now(),
    });
  } catch (e) {
    if (e instanceof JournalError) {
      process.stderr.write(
        `keel ${verb}: ${e.message}\n(an engine holds the journal? give the command to it with --api URL)\n`,
      );
      return 2;
    }
    throw e;
  }
  try {
    const { projection: p, timeZone } = await replayJournal(journal);
    process.stdout.write(`${verb}: trading is ${p.tradingState}; journaling ${state} (${reason})\n`);
    // The journal's own time: a stopped engine's clock is where it stopped (simulated or not).
    const recorder = new Recorder(journal, p, fixedClock(p.lastT, timeZone));
    recorder.record('operator.command', {
      command: verb,
      args: { reason, offline: true, wallClock: new Date().toISOString() },
    });
    recorder.record('trading.state', { state, reason, source: 'operator' });
    process.stdout.write(`done: trading is ${p.tradingState} from the next start of this journal\n`);
    return 0;
  } finally {
    journal.close();
  }
}
