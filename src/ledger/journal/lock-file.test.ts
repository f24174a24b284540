import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalError, openJournal } from './index';
import { caught, intent, journalFixture, options, t0 } from '../../../test/support/journal-fixture';

const fx = journalFixture();
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  fx.cleanup();
});

function expectLocked(error: unknown, ...fragments: (string | RegExp)[]): void {
  expect(error).toBeInstanceOf(JournalError);
  expect((error as JournalError).code).toBe('locked');
  for (const fragment of fragments) expect((error as JournalError).message).toMatch(fragment);
}

const lockOf = (path: string) => JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as Record<string, unknown>;

/**
 * A real second engine: another node process that opens the journal for writing, appends one
 * event per line it reads on stdin, and prints the seq. Every line it prints arrives on `lines`.
 */
function spawnEngine(path: string): { child: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const moduleUrl = new URL('./index.ts', import.meta.url).href;
  const script = `
    const { openJournal } = await import(${JSON.stringify(moduleUrl)});
    const journal = openJournal(${JSON.stringify(path)}, {
      knownVersions: { 'order.intent': 2 }, owner: 'keel run child.yaml', nowMs: ${t0},
    });
    console.log('ready');
    let t = ${t0};
    process.stdin.on('data', () => {
      t += 1;
      console.log(String(journal.append({ type: 'order.intent', v: 2, t, data: { from: 'child' } })));
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
  });
  children.push(child);
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`child said nothing; stderr: ${stderr}`)), 20_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  return { child, next };
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve()),
  );

describe('lock within one process', () => {
  it('writes the holder into the lock file and removes it on close', () => {
    const path = fx.path();
    const journal = openJournal(path, options());
    expect(lockOf(path)).toEqual({
      pid: process.pid,
      host: hostname(),
      owner: 'keel test',
      since: new Date(t0).toISOString(),
    });
    expect(journal.recoveredStaleLock).toBeNull();
    journal.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses a second writable open of the same journal, under any spelling of its path', () => {
    const dir = fx.dir();
    const path = join(dir, 'journal.db');
    fx.open(path);
    expectLocked(
      caught(() => openJournal(path, options({ owner: 'second' }))),
      /already open for writing in this process \(by "keel test"\)/,
    );
    mkdirSync(join(dir, 'sub'));
    symlinkSync(dir, join(dir, 'sub', 'link'));
    expectLocked(caught(() => openJournal(join(dir, 'sub', 'link', 'journal.db'), options())));
    expectLocked(
      caught(() => openJournal(path, options({ lock: false }))),
      /already open/,
    );
  });

  it('allows reopening after close, and a failed open leaves no claim behind', () => {
    const path = fx.path();
    openJournal(path, options()).close();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', owner: 'x', since: 'y' }));
    expectLocked(caught(() => openJournal(path, options())));
    writeFileSync(`${path}.lock`, '');
    expectLocked(
      caught(() => openJournal(path, options())),
      /unreadable/,
    );
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 0, host: hostname(), owner: 'x', since: 'y' }));
    expectLocked(
      caught(() => openJournal(path, options())),
      /unreadable/,
    ); // pid 0 would signal our group
    expect(existsSync(`${path}.lock`)).toBe(true); // refusals never touch the holder's lock
  });

  it('with lock: false takes no lock file but still guards this process', () => {
    const path = fx.path();
    fx.open(path, { lock: false });
    expect(existsSync(`${path}.lock`)).toBe(false);
    expectLocked(caught(() => openJournal(path, options())));
  });
});

describe('lock across processes', () => {
  it('refuses a second engine, lets read-only commands read beside it, and takes over once it dies', async () => {
    const path = fx.path();
    const engine = spawnEngine(path);
    expect(await engine.next()).toBe('ready');
    engine.child.stdin.write('\n');
    expect(await engine.next()).toBe('1');
    const pid = engine.child.pid;

    expectLocked(
      caught(() => openJournal(path, options())),
      path,
      `pid ${pid} on ${hostname()}`,
      '"keel run child.yaml"',
      `since ${new Date(t0).toISOString()}`,
      /stop that engine first, or use a read-only command/,
    );

    const reader = fx.open(path, { readOnly: true });
    expect([...reader.read()].map((e) => e.data)).toEqual([{ from: 'child' }]);
    engine.child.stdin.write('\n');
    expect(await engine.next()).toBe('2');
    expect(reader.lastSeq()).toBe(2); // WAL: the reader sees the engine's commits
    expect(existsSync(`${path}.lock`)).toBe(true);

    engine.child.kill('SIGKILL'); // a crash: no close(), the lock file stays behind
    await exited(engine.child);
    const journal = fx.open(path);
    expect(journal.recoveredStaleLock).toEqual({
      pid,
      host: hostname(),
      owner: 'keel run child.yaml',
      since: new Date(t0).toISOString(),
    });
    expect(lockOf(path)['pid']).toBe(process.pid);
    expect(journal.lastSeq()).toBe(2); // both appends were durable before the kill
    expect(journal.append(intent(t0 + 10))).toBe(3);
  });

  it('refuses while a live process named in the lock runs, takes over after it exits', async () => {
    const path = fx.path();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    children.push(sleeper);
    const holder = {
      pid: sleeper.pid,
      host: hostname(),
      owner: 'keel run other.yaml',
      since: '2026-02-13T14:00:00.000Z',
    };
    writeFileSync(`${path}.lock`, JSON.stringify(holder));
    expectLocked(
      caught(() => openJournal(path, options())),
      `pid ${sleeper.pid}`,
      '"keel run other.yaml"',
    );
    sleeper.kill('SIGKILL');
    await exited(sleeper);
    const journal = fx.open(path);
    expect(journal.recoveredStaleLock).toEqual(holder);
    journal.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock naming our own pid when this process does not hold it (pid reuse after a restart)', () => {
    const path = fx.path();
    const holder = { pid: process.pid, host: hostname(), owner: 'keel run old.yaml', since: 'earlier' };
    writeFileSync(`${path}.lock`, JSON.stringify(holder));
    expect(fx.open(path).recoveredStaleLock).toEqual(holder);
  });

  it('refuses a lock held on another host, since its process cannot be checked', () => {
    const path = fx.path();
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: 4242, host: 'other-box', owner: 'keel run', since: 's' }),
    );
    expectLocked(
      caught(() => openJournal(path, options())),
      /on other-box/,
      /delete .*journal.db.lock/,
    );
  });
});
