// The invariants of one event, checked on both sides of the boundary: before an append (a refusal
// names the event type and the field) and again on replay (a failure names the seq). Pure.
import type { NewEvent } from './journal';

export const eventTypeLengthMax = 100;
/** Nesting bound for event data; also how a reference cycle is caught if it slips past the ancestor check. */
export const eventDataDepthMax = 64;
/** Bound on one event's serialised data, in UTF-16 code units (≈ bytes for ASCII JSON). */
export const eventDataCharsMax = 1_048_576;

const identifier = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string): string {
  return identifier.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describeNonPlain(value: object): string {
  if (value instanceof Date) return 'is a Date (JSON turns it into a string; store epoch ms)';
  const className = value.constructor?.name ?? 'unknown';
  return `is a ${className} instance (JSON does not keep it; store a plain object)`;
}

/**
 * Why `value` would not come back unchanged from JSON.stringify + JSON.parse, naming the path to
 * the offending field; null if it would. -0 is accepted (it comes back as 0, which compares equal).
 */
export function jsonProblem(value: unknown, path = 'data'): string | null {
  // Every append runs this: first a walk that builds no path and keeps no ancestors (a cycle
  // runs into the depth bound), and only when it finds something, the walk that names it.
  return clean(value, 0) ? null : problemAt(value, path, 0, new Set());
}

/**
 * True only if `value` comes back unchanged from JSON (problemAt would find nothing). False may
 * be wrong (then problemAt decides); true never is.
 */
function clean(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= eventDataDepthMax) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !clean(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key) || !clean((value as Record<string, unknown>)[key], depth + 1))
          return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function problemAt(value: unknown, path: string, depth: number, ancestors: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} is ${value} (JSON would store null)`;
    case 'undefined':
      return `${path} is undefined (JSON would drop it)`;
    case 'bigint':
      return `${path} is a bigint (JSON cannot store it; use a number or a string)`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value} (JSON cannot store it)`;
    case 'object':
      if (value === null) return null;
      if (depth >= eventDataDepthMax) return `${path} is nested deeper than ${eventDataDepthMax} levels`;
      if (ancestors.has(value)) return `${path} refers back to one of its parents (a cycle)`;
      ancestors.add(value);
      try {
        return Array.isArray(value)
          ? arrayProblem(value, path, depth, ancestors)
          : objectProblem(value, path, depth, ancestors);
      } finally {
        ancestors.delete(value);
      }
  }
}

function arrayProblem(items: unknown[], path: string, depth: number, ancestors: Set<object>): string | null {
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) return `${path}[${i}] is a hole in a sparse array (JSON would store null)`;
    const problem = problemAt(items[i], `${path}[${i}]`, depth + 1, ancestors);
    if (problem !== null) return problem;
  }
  return null;
}

function objectProblem(record: object, path: string, depth: number, ancestors: Set<object>): string | null {
  const proto: unknown = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) return `${path} ${describeNonPlain(record)}`;
  if (Object.getOwnPropertySymbols(record).length > 0) {
    return `${path} has symbol keys (JSON would drop them)`;
  }
  for (const [key, child] of Object.entries(record)) {
    const problem = problemAt(child, childPath(path, key), depth + 1, ancestors);
    if (problem !== null) return problem;
  }
  return null;
}

/** Problems with the envelope of an event (type, v, t) other than data; null if none. */
export function envelopeProblem(
  event: { readonly type: unknown; readonly v: unknown; readonly t: unknown },
  previousT: number | null,
): string | null {
  const { type, v, t } = event;
  if (typeof type !== 'string' || type.length === 0)
    return `type must be a non-empty string, got ${show(type)}`;
  if (type.length > eventTypeLengthMax) return `type is longer than ${eventTypeLengthMax} characters`;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    return `v must be a positive integer, got ${show(v)}`;
  }
  if (typeof t !== 'number' || !Number.isSafeInteger(t))
    return `t must be an integer epoch ms, got ${show(t)}`;
  if (previousT !== null && t < previousT) {
    return `t ${t} is before the previous event's t ${previousT} (the clock must never go backwards in one journal)`;
  }
  return null;
}

/** Why an event of this type and version cannot be understood by this keel; null if it can. */
export function versionProblem(
  type: string,
  v: number,
  knownVersions: Readonly<Record<string, number>>,
): string | null {
  if (!Object.hasOwn(knownVersions, type)) return `event type "${type}" is unknown to this keel`;
  const known = knownVersions[type];
  if (known === undefined || v > known) {
    return `event type "${type}" version ${v} is newer than this keel understands (${known ?? 'none'})`;
  }
  return null;
}

/**
 * Everything wrong with an event about to be appended, or null. Returns the serialised data on
 * success so the caller never serialises twice.
 */
export function checkNewEvent(
  event: NewEvent,
  previousT: number | null,
  knownVersions: Readonly<Record<string, number>>,
): { problem: string } | { dataJson: string } {
  const envelope = envelopeProblem(event, previousT);
  if (envelope !== null) return { problem: envelope };
  const version = versionProblem(event.type, event.v, knownVersions);
  if (version !== null) return { problem: version };
  const data = jsonProblem(event.data);
  if (data !== null) return { problem: data };
  const dataJson = JSON.stringify(event.data);
  if (dataJson.length > eventDataCharsMax) {
    return { problem: `data is ${dataJson.length} characters, more than ${eventDataCharsMax}` };
  }
  return { dataJson };
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
