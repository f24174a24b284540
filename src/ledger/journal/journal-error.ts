// Every way a journal can refuse to open, append or replay, as a stable code. Messages name the
// file and say what to do: keel never starts on partial or misunderstood state.

export type JournalErrorCode =
  /** The file is damaged or not a database at all. */
  | 'corrupt'
  /** A healthy SQLite database that is not a keel journal (wrong path?). */
  | 'not-a-journal'
  /** Written by a newer keel with a newer table schema. */
  | 'newer-schema'
  /** A read-only open of a journal that a writable open would migrate first. */
  | 'older-schema'
  /** An event type or version this keel does not understand. */
  | 'unknown-event'
  /** Another engine holds the journal. */
  | 'locked'
  /** This engine's lease was taken over: the database refused its append (a stale fencing token). */
  | 'fenced'
  /** An event that is not valid: refused on append, or found on replay. */
  | 'bad-event'
  /** The disk or file system failed; the journal accepts nothing more until reopened. */
  | 'io';

export type JournalErrorDetails = {
  readonly seq?: number;
  readonly cause?: unknown;
};

export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code: JournalErrorCode;
  readonly file: string;
  readonly seq: number | undefined;

  constructor(code: JournalErrorCode, file: string, message: string, details: JournalErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = file;
    this.seq = details.seq;
  }
}

const restoreFix = 'restore it from backup; keel never starts on partial state';

/** SQLite result codes (better-sqlite3's SqliteError.code) that mean the file itself is damaged. */
function isCorruption(sqliteCode: string): boolean {
  return sqliteCode === 'SQLITE_NOTADB' || sqliteCode.startsWith('SQLITE_CORRUPT');
}

function sqliteCodeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' && error.code.startsWith('SQLITE_') ? error.code : null;
}

/**
 * Translates an error thrown by SQLite into a JournalError; anything else (a JournalError, a
 * programmer error, an exception from a hook) passes through unchanged.
 */
export function fromSqliteError(error: unknown, file: string, doing: string): unknown {
  const sqliteCode = sqliteCodeOf(error);
  if (sqliteCode === null) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isCorruption(sqliteCode)) {
    return new JournalError(
      'corrupt',
      file,
      `journal ${file} is corrupt (${reason}, while ${doing}): ${restoreFix}`,
      { cause: error },
    );
  }
  return new JournalError('io', file, `journal ${file}: ${reason} (${sqliteCode}) while ${doing}`, {
    cause: error,
  });
}

export function corruptError(file: string, what: string, seq?: number): JournalError {
  const details = seq === undefined ? {} : { seq };
  return new JournalError('corrupt', file, `journal ${file} is corrupt (${what}): ${restoreFix}`, details);
}
