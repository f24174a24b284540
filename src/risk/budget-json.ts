// Restoring a budget from JSON: the text comes from disk, so its shape is checked field by field
// and the budget's invariants are asserted before it is used (the same checks as after every event).
import type { AccountId, ClientOrderId, EpochMs, Micros, StrategyId } from '../domain';
import {
  AccountId as AccountIds,
  ClientOrderId as ClientOrderIds,
  InvariantError,
  StrategyId as StrategyIds,
} from '../domain';
import type { BudgetEntry, BudgetLimits, BudgetState, EntryStatus } from './budget';
import { assertBudgetInvariants, validateLimits } from './budget';

type Json = Record<string, unknown>;

export function budgetFromJson(text: string): BudgetState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvariantError(`budget json: not JSON (${String(e)})`);
  }
  const o = obj(raw, 'budget');
  if (o['version'] !== 1) throw new InvariantError(`budget json: unknown version ${String(o['version'])}`);
  const day = obj(o['day'], 'day');
  const week = obj(o['week'], 'week');
  const state: BudgetState = {
    version: 1,
    accountId: id(AccountIds.parse(o['accountId']), 'accountId') as AccountId,
    limits: limits(o['limits'], 'limits'),
    strategyLimits: arr(o['strategyLimits'], 'strategyLimits').map((s, i) => {
      const so = obj(s, `strategyLimits[${i}]`);
      return {
        strategyId: id(StrategyIds.parse(so['strategyId']), `strategyLimits[${i}].strategyId`) as StrategyId,
        limits: limits(so['limits'], `strategyLimits[${i}].limits`),
      };
    }),
    day: {
      index: int(day['index'], 'day.index'),
      startedAt: time(day['startedAt'], 'day.startedAt'),
      equityMicros: micros(day['equityMicros'], 'day.equityMicros'),
    },
    week: {
      index: int(week['index'], 'week.index'),
      startedAt: time(week['startedAt'], 'week.startedAt'),
      equityMicros: micros(week['equityMicros'], 'week.equityMicros'),
      rolledOn: week['rolledOn'] === null ? null : rolledOn(week['rolledOn']),
    },
    lastEventAt: time(o['lastEventAt'], 'lastEventAt'),
    lastScanAt: o['lastScanAt'] === null ? null : time(o['lastScanAt'], 'lastScanAt'),
    entries: arr(o['entries'], 'entries').map((e, i) => entry(e, `entries[${i}]`)),
  };
  assertBudgetInvariants(state);
  return state;
}

const statuses: readonly EntryStatus[] = ['working', 'open', 'closed', 'freed'];

function entry(raw: unknown, at: string): BudgetEntry {
  const e = obj(raw, at);
  const status = e['status'];
  if (!statuses.includes(status as EntryStatus))
    throw new InvariantError(`budget json: ${at}.status is ${String(status)}`);
  return {
    id: id(ClientOrderIds.parse(e['id']), `${at}.id`) as ClientOrderId,
    strategyId: id(StrategyIds.parse(e['strategyId']), `${at}.strategyId`) as StrategyId,
    symbol: str(e['symbol'], `${at}.symbol`),
    day: int(e['day'], `${at}.day`),
    reservedMicros: micros(e['reservedMicros'], `${at}.reservedMicros`),
    filledMicros: micros(e['filledMicros'], `${at}.filledMicros`),
    status: status as EntryStatus,
  };
}

function limits(raw: unknown, at: string): BudgetLimits {
  const l = obj(raw, at);
  const parsed: BudgetLimits = {
    maxPositionPct: num(l['maxPositionPct'], `${at}.maxPositionPct`),
    maxDailyPct: num(l['maxDailyPct'], `${at}.maxDailyPct`),
    maxWeeklyPct: num(l['maxWeeklyPct'], `${at}.maxWeeklyPct`),
    maxPositionsPerDay: num(l['maxPositionsPerDay'], `${at}.maxPositionsPerDay`),
    positionsPerWeekWarnAt: num(l['positionsPerWeekWarnAt'], `${at}.positionsPerWeekWarnAt`),
    maxPositionsPerWeek: num(l['maxPositionsPerWeek'], `${at}.maxPositionsPerWeek`),
  };
  validateLimits('budgetFromJson', at, parsed);
  return parsed;
}

function rolledOn(raw: unknown): { times: number; reason: string } {
  const r = obj(raw, 'week.rolledOn');
  return { times: int(r['times'], 'week.rolledOn.times'), reason: str(r['reason'], 'week.rolledOn.reason') };
}

function obj(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvariantError(`budget json: ${at} must be an object`);
  return v as Json;
}

function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new InvariantError(`budget json: ${at} must be an array`);
  return v;
}

function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new InvariantError(`budget json: ${at} must be a number`);
  return v;
}

function int(v: unknown, at: string): number {
  const n = num(v, at);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvariantError(`budget json: ${at} must be a whole number >= 0`);
  return n;
}

const micros = (v: unknown, at: string): Micros => int(v, at) as Micros;
const time = (v: unknown, at: string): EpochMs => int(v, at);

function str(v: unknown, at: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new InvariantError(`budget json: ${at} must be a non-empty string`);
  return v;
}

function id<T>(parsed: { ok: true; value: T } | { ok: false; error: { reason: string } }, at: string): T {
  if (!parsed.ok) throw new InvariantError(`budget json: ${at} ${parsed.error.reason}`);
  return parsed.value;
}
