// One engine per journal. Two engines appending to one journal would each rebuild a different
// picture of what keel owns, which is the contamination incident by another road. A lock file
// `${journal}.lock` created with O_EXCL names the holder; a holder whose process is gone left a
// stale lock, which the next engine takes over and reports. Within one process a registry does
// the same job (a lock file naming our own pid cannot tell "this process" from "a dead one").
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { JournalError } from './journal-error';
import type { LockHolder } from './journal';

/** Lock attempts before giving up: create, take over a stale lock, create again, and one spare for a race. */
const lockAttemptsMax = 3;

const openInThisProcess = new Map<string, string>();

/**
 * Claims `key` (the journal's resolved path) for writing in this process; returns the release.
 * Throws 'locked' if another open journal in this process already has it.
 */
export function claimInProcess(key: string, file: string, owner: string): () => void {
  const holder = openInThisProcess.get(key);
  if (holder !== undefined) {
    throw new JournalError(
      'locked',
      file,
      `journal ${file} is already open for writing in this process (by "${holder}"); ` +
        'close that journal first: one engine per journal',
    );
  }
  openInThisProcess.set(key, owner);
  return () => {
    openInThisProcess.delete(key);
  };
}

export type LockFile = {
  readonly holder: LockHolder;
  /** The holder of the stale lock this open took over, if any. */
  readonly recoveredStale: LockHolder | null;
  release(): void;
};

/** Takes `${file}.lock`. Must be called after claimInProcess for the same journal. */
export function acquireLockFile(file: string, owner: string, nowMs: number): LockFile {
  const lockPath = `${file}.lock`;
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    owner,
    since: new Date(nowMs).toISOString(),
  };
  const text = `${JSON.stringify(holder)}\n`;
  let recoveredStale: LockHolder | null = null;
  for (let attempt = 0; attempt < lockAttemptsMax; attempt++) {
    if (tryCreate(lockPath, text, file)) {
      return { holder, recoveredStale, release: () => releaseLockFile(lockPath, text, file) };
    }
    const existingText = readIfExists(lockPath, file);
    if (existingText === null) continue; // released between our create and our read
    const existing = parseHolder(existingText);
    if (existing === null) throw unreadableLock(file, lockPath, existingText);
    if (existing.host !== holder.host) throw lockedError(file, lockPath, existing, 'on another host');
    if (isAlive(existing.pid)) throw lockedError(file, lockPath, existing, 'alive');
    if (takeOver(lockPath, existingText, file)) recoveredStale = existing;
  }
  throw new JournalError(
    'locked',
    file,
    `journal ${file}: could not take ${lockPath} after ${lockAttemptsMax} attempts; ` +
      'another keel is starting on this journal at the same moment',
  );
}

function tryCreate(lockPath: string, text: string, file: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw ioError(file, `cannot create lock file ${lockPath}`, error);
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(lockPath);
    throw ioError(file, `cannot write lock file ${lockPath}`, error);
  }
  closeSync(fd);
  return true;
}

/**
 * Removes a stale lock only if it is still the one judged stale: rename is atomic, so of two
 * engines racing to take over, one moves the stale file and the other finds nothing (or a fresh
 * lock, which it puts back). A third engine creating its lock in that instant is not covered.
 */
function takeOver(lockPath: string, staleText: string, file: string): boolean {
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw ioError(file, `cannot take over stale lock file ${lockPath}`, error);
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== staleText) {
    try {
      linkSync(aside, lockPath);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw ioError(file, `cannot restore lock file ${lockPath}`, error);
    }
  }
  unlinkSync(aside);
  return moved === staleText;
}

function releaseLockFile(lockPath: string, text: string, file: string): void {
  // Never delete a lock that is not ours any more (an operator removed ours and another engine started).
  if (readIfExists(lockPath, file) === text) unlinkSync(lockPath);
}

function readIfExists(lockPath: string, file: string): string | null {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw ioError(file, `cannot read lock file ${lockPath}`, error);
  }
}

export function parseHolder(text: string): LockHolder | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { pid, host, owner, since } = parsed as Record<string, unknown>;
  // pid 0 or negative would make process.kill signal a whole process group.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
  if (typeof host !== 'string' || typeof owner !== 'string' || typeof since !== 'string') return null;
  return { pid, host, owner, since };
}

/**
 * Whether the process a lock names is running on this host. Our own pid in a lock file means a
 * previous process with the same pid (pid 1 in a container after a restart): claimInProcess already
 * guards this process's own opens, so it is stale.
 */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM'; // alive, owned by another user
  }
}

function lockedError(file: string, lockPath: string, holder: LockHolder, state: 'alive' | 'on another host') {
  const who = `pid ${holder.pid} on ${holder.host} ("${holder.owner}", since ${holder.since})`;
  const how =
    state === 'alive'
      ? 'stop that engine first, or use a read-only command (keel status, keel report). ' +
        `If that pid is not a keel process (pid reused after a crash), delete ${lockPath}`
      : `keel cannot check a process on another host: if no keel runs there, delete ${lockPath}`;
  return new JournalError('locked', file, `journal ${file} is locked by ${who}: ${how}`);
}

function unreadableLock(file: string, lockPath: string, text: string): JournalError {
  return new JournalError(
    'locked',
    file,
    `journal ${file}: lock file ${lockPath} is unreadable (${JSON.stringify(text.slice(0, 80))}); ` +
      `if no keel is running on this journal, delete it`,
  );
}

function ioError(file: string, what: string, cause: unknown): JournalError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new JournalError('io', file, `journal ${file}: ${what}: ${reason}`, { cause });
}

function errnoOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' ? error.code : null;
}
