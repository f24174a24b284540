// Loads one run's output directory (DIR/venue-log.jsonl and DIR/report.json) for the checker. The
// files come from outside the checker, so every field it reads is validated here; a bad file stops
// with a message that names the file, the line and the field rather than a TypeError later.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIsoWithOffset } from '../../domain';
import type { Report } from '../../engine/report/report-types';
import type { VenueLogLine, VenueLogType } from '../../venues/sim/venue-log';
import type { CheckInput } from './types';

export const venueLogFile = 'venue-log.jsonl';
export const reportFile = 'report.json';

export class RunReadError extends Error {
  override readonly name = 'RunReadError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

/** Reads DIR/venue-log.jsonl and DIR/report.json; throws RunReadError naming what is wrong. */
export async function readRun(dir: string): Promise<CheckInput> {
  const logPath = join(dir, venueLogFile);
  const reportPath = join(dir, reportFile);
  const lines = parseVenueLog(await readText(logPath), logPath);
  const report = parseReport(await readText(reportPath), reportPath);
  return { lines, report };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new RunReadError(`missing ${path}`, path);
    throw new RunReadError(`cannot read ${path}: ${(error as Error).message}`, path);
  }
}

type Field =
  | 'string'
  | 'number'
  | 'boolean'
  | 'string|null'
  | 'number|null'
  | 'instrument'
  | 'instrument|null'
  | 'legs'
  | readonly string[];

const sides = ['BUY', 'SELL'];

const lineFields = {
  position: { instrument: 'instrument', qty: 'number', avgPrice: 'number' },
  order: {
    venueOrderId: 'string',
    clientOrderId: 'string|null',
    origin: ['keel', 'external'],
    combo: 'boolean',
    legs: 'legs',
    qty: 'number',
    orderType: ['MKT', 'LMT', 'STP', 'STP_LMT', 'MIT'],
    limitPrice: 'number|null',
    stopPrice: 'number|null',
    tif: ['DAY', 'GTC', 'IOC'],
    parentVenueOrderId: 'string|null',
    reduceOnly: 'boolean',
  },
  ack: { venueOrderId: 'string' },
  reject: { venueOrderId: 'string', code: 'number', message: 'string' },
  cancel: { venueOrderId: 'string', remainingQty: 'number', reason: 'string' },
  fill: {
    venueOrderId: 'string',
    clientOrderId: 'string|null',
    execId: 'string',
    comboExecId: 'string|null',
    instrument: 'instrument',
    side: sides,
    qty: 'number',
    price: 'number',
    commission: 'number',
    venuePositionId: 'string|null',
  },
  settle: { instrument: 'instrument', qty: 'number', price: 'number' },
  positionClosed: {
    venuePositionId: 'string',
    instrument: 'instrument',
    qty: 'number',
    avgPrice: 'number',
    avgClosePrice: 'number',
    realisedPnl: 'number',
    netPnl: 'number',
  },
  engine: { event: ['start', 'crash'] },
  connection: { event: ['down', 'up'] },
} as const satisfies Record<VenueLogType, Record<string, Field>>;

const instrumentFields: Record<string, Field> = {
  id: 'string',
  symbol: 'string',
  kind: ['equity', 'index', 'crypto', 'option', 'future'],
  multiplier: 'number',
};
const instrumentOptional: Record<string, Field> = { expiry: 'string', strike: 'number', right: ['C', 'P'] };

/** Parses venue-log.jsonl text: one JSON object per line; a trailing newline is allowed. */
export function parseVenueLog(text: string, file: string = venueLogFile): VenueLogLine[] {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  return rows.map((row, i) => {
    const lineNo = i + 1;
    const fail = (why: string) => new RunReadError(`${file} line ${lineNo}: ${why}`, file, lineNo);
    if (row.trim() === '') throw fail('empty line');
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw fail(`invalid JSON (${(error as Error).message})`);
    }
    const problem = venueLineProblem(value);
    if (problem !== null) throw fail(problem);
    return value as VenueLogLine;
  });
}

function venueLineProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'not a JSON object';
  const base = fieldProblem(value, 'seq', 'number') ?? fieldProblem(value, 't', 'string');
  if (base !== null) return base;
  const type = value['type'];
  if (typeof type !== 'string' || !Object.hasOwn(lineFields, type))
    return `unknown type ${JSON.stringify(type)}`;
  const fields: Record<string, Field> = lineFields[type as VenueLogType];
  for (const [name, field] of Object.entries(fields)) {
    const problem = fieldProblem(value, name, field, `${type}.`);
    if (problem !== null) return problem;
  }
  return null;
}

function fieldProblem(
  record: Record<string, unknown>,
  name: string,
  field: Field,
  prefix = '',
): string | null {
  const value = record[name];
  const path = `${prefix}${name}`;
  const must = (what: string) =>
    `${path} must be ${what}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
  if (typeof field !== 'string')
    return field.includes(value as string) ? null : must(`one of ${field.join(', ')}`);
  switch (field) {
    case 'string':
      return typeof value === 'string' ? null : must('a string');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : must('a number');
    case 'boolean':
      return typeof value === 'boolean' ? null : must('true or false');
    case 'string|null':
      return value === null || typeof value === 'string' ? null : must('a string or null');
    case 'number|null':
      return value === null || (typeof value === 'number' && Number.isFinite(value))
        ? null
        : must('a number or null');
    case 'instrument|null':
      return value === null ? null : instrumentProblem(value, path);
    case 'instrument':
      return instrumentProblem(value, path);
    case 'legs':
      return legsProblem(value, path);
  }
}

function instrumentProblem(value: unknown, path: string): string | null {
  if (!isRecord(value)) return `${path} must be an instrument object`;
  for (const [name, field] of Object.entries(instrumentFields)) {
    const problem = fieldProblem(value, name, field, `${path}.`);
    if (problem !== null) return problem;
  }
  for (const [name, field] of Object.entries(instrumentOptional)) {
    if (value[name] === undefined) continue;
    const problem = fieldProblem(value, name, field, `${path}.`);
    if (problem !== null) return problem;
  }
  return null;
}

function legsProblem(value: unknown, path: string): string | null {
  if (!Array.isArray(value) || value.length === 0) return `${path} must be a non-empty array of legs`;
  for (const [i, leg] of value.entries()) {
    if (!isRecord(leg)) return `${path}[${i}] must be a leg object`;
    const problem =
      fieldProblem(leg, 'instrument', 'instrument', `${path}[${i}].`) ??
      fieldProblem(leg, 'side', sides, `${path}[${i}].`) ??
      fieldProblem(leg, 'ratio', 'number', `${path}[${i}].`);
    if (problem !== null) return problem;
  }
  return null;
}

const groupFields: Record<string, Field> = {
  id: 'string',
  strategy: 'string',
  status: ['open', 'closed', 'residual'],
  openedAt: 'string',
  closedAt: 'string|null',
  realizedPnl: 'number',
  commissions: 'number',
};
const orderFields: Record<string, Field> = {
  clientOrderId: 'string',
  group: 'string|null',
  source: ['strategy', 'operator', 'engine'],
  intent: ['open', 'close', 'reduce', 'protect'],
  state: 'string',
};
const tradingStateFields: Record<string, Field> = {
  t: 'string',
  state: ['ACTIVE', 'REDUCING', 'HALTED'],
  reason: 'string',
};
const summaryFields: Record<string, Field> = {
  executions: 'number',
  commissions: 'number',
  realizedPnl: 'number',
};

/** Parses report.json and validates every field the checker reads. */
export function parseReport(text: string, file: string = reportFile): Report {
  const fail = (why: string) => new RunReadError(`${file}: ${why}`, file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`invalid JSON (${(error as Error).message})`);
  }
  const problem = reportProblem(value);
  if (problem !== null) throw fail(problem);
  return value as Report;
}

function reportProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'not a JSON object';
  const top =
    fieldProblem(value, 'scenario', 'string') ??
    fieldProblem(value, 'seed', 'number') ??
    arrayProblem(value, 'groups', groupProblem) ??
    arrayProblem(value, 'orders', (o, p) => recordProblem(o, p, orderFields)) ??
    arrayProblem(value, 'refusals', (r, p) => (isRecord(r) ? null : `${p} must be an object`)) ??
    arrayProblem(value, 'tradingState', tradingStateProblem) ??
    arrayProblem(value, 'discrepancies', (d, p) => (isRecord(d) ? null : `${p} must be an object`));
  if (top !== null) return top;
  return recordProblem(value['summary'], 'summary', summaryFields);
}

function arrayProblem(
  record: Record<string, unknown>,
  name: string,
  itemProblem: (item: unknown, path: string) => string | null,
): string | null {
  const value = record[name];
  if (!Array.isArray(value)) return `${name} must be an array`;
  for (const [i, item] of value.entries()) {
    const problem = itemProblem(item, `${name}[${i}]`);
    if (problem !== null) return problem;
  }
  return null;
}

function recordProblem(value: unknown, path: string, fields: Record<string, Field>): string | null {
  if (!isRecord(value)) return `${path} must be an object`;
  for (const [name, field] of Object.entries(fields)) {
    const problem = fieldProblem(value, name, field, `${path}.`);
    if (problem !== null) return problem;
  }
  return null;
}

function groupProblem(value: unknown, path: string): string | null {
  const problem = recordProblem(value, path, groupFields);
  if (problem !== null || !isRecord(value)) return problem;
  const ids = value['clientOrderIds'];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    return `${path}.clientOrderIds must be an array of strings`;
  }
  return Array.isArray(value['legs']) ? null : `${path}.legs must be an array`;
}

function tradingStateProblem(value: unknown, path: string): string | null {
  const problem = recordProblem(value, path, tradingStateFields);
  if (problem !== null || !isRecord(value)) return problem;
  return parseIsoWithOffset(value['t'] as string) === null
    ? `${path}.t "${String(value['t'])}" is not ISO 8601 with an offset`
    : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
