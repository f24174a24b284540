// Error messages a person can act on: every message names where in the scenario the problem is
// (`faults[2].reject.code`), what was expected and what was found, and the fix where there is one.
// Zod's own messages ("Invalid input") name neither the path nor the input, so keel writes its own.
import type { z } from 'zod';

type Path = readonly PropertyKey[];

/** `faults[2].reject.code`: array indices in brackets, keys joined by dots. */
export function formatPath(path: Path): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** "clock", or "top level" for the root. */
export function where(path: Path): string {
  return path.length === 0 ? 'top level' : formatPath(path);
}

/** How an input value is shown inside a message: strings quoted, containers by their kind. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The error map given to every parse of a scenario: it sees the input, which the final issue lacks. */
export const scenarioErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return withInput(issue.input, expectedName(issue));
    case 'unrecognized_keys':
      return allowedKeysHint(issue);
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      const expected = values.length === 1 ? `${values[0] ?? ''}` : `one of ${values.join(', ')}`;
      return withInput(issue.input, expected);
    }
    case 'invalid_union':
      return unionMessage(issue);
    case 'too_small':
      return boundMessage(issue.origin, issue.inclusive === true ? '>=' : '>', issue.minimum, issue.input);
    case 'too_big':
      return boundMessage(issue.origin, issue.inclusive === true ? '<=' : '<', issue.maximum, issue.input);
    default:
      return undefined;
  }
};

/** The final text of one issue: `path: message`, or for unknown keys a sentence naming the object. */
export function formatIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `unknown key '${key}' in ${where(issue.path)} ${issue.message}`);
  }
  return [`${where(issue.path)}: ${issue.message}`];
}

function withInput(input: unknown, expected: string): string {
  return input === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${show(input)}`;
}

function expectedName(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidType>): string {
  const def: object | undefined = issue.schema?._zod.def;
  const format = def !== undefined && 'format' in def ? String(def.format) : '';
  if (issue.expected === 'int' || format.includes('int')) return 'integer';
  switch (issue.expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
    case 'tuple':
      return 'a list';
    default:
      return issue.expected;
  }
}

function allowedKeysHint(issue: z.core.$ZodRawIssue<z.core.$ZodIssueUnrecognizedKeys>): string {
  const def: object | undefined = issue.inst?._zod.def;
  const shape = def !== undefined && 'shape' in def && typeof def.shape === 'object' ? def.shape : null;
  const allowed = shape === null ? [] : Object.keys(shape);
  const near = issue.keys
    .map((key) => allowed.find((a) => editDistance(key.toLowerCase(), a.toLowerCase()) <= 2))
    .filter((a): a is string => a !== undefined);
  const guess = near.length > 0 ? `; did you mean '${near.join("', '")}'?` : '';
  return `(allowed: ${allowed.join(', ')}${guess})`;
}

function unionMessage(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string | undefined {
  const { discriminator } = issue;
  const options: unknown = issue['options'];
  if (discriminator === undefined || !Array.isArray(options)) return undefined;
  const input: unknown = issue.input;
  const got =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : input;
  return withInput(got, `one of ${options.map(String).join(', ')}`);
}

function boundMessage(origin: string, op: string, bound: number | bigint, input: unknown): string {
  if (origin === 'array') {
    const count = Array.isArray(input) ? input.length : 0;
    return `needs ${op === '>=' ? 'at least' : 'more than'} ${bound} item${bound === 1 ? '' : 's'}, has ${count}`;
  }
  if (origin === 'string' && op === '>=' && bound === 1) return 'must not be empty';
  if (origin === 'string') return `length must be ${op} ${bound}, got ${show(input)}`;
  return `must be ${op} ${bound}, got ${show(input)}`;
}

/** Levenshtein distance, for "did you mean": scenario keys are short, so the quadratic cost is nothing. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
