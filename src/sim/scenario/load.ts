// Reading a scenario file: YAML or JSON text -> schema (shapes, defaults) -> resolve (times, cross
// references). An invalid scenario gives every error found, each naming its path and the fix, so
// `keel sim` can exit non-zero with a message a person can act on.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { formatIssue, scenarioErrorMap } from './issues';
import { resolveScenario } from './resolve';
import type { ScenarioResult } from './scenario';
import { scenarioSchema } from './schema';

export type ScenarioFormat = 'yaml' | 'json';

/** A scenario with hundreds of mistakes is a wrong file; the first ones say enough. */
export const errorsShownMax = 50;

/** Reads and validates a scenario file; `.json` is read as JSON, anything else as YAML. */
export function loadScenario(path: string): ScenarioResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? String(cause.code) : String(cause);
    return { ok: false, errors: [`${path}: cannot read the scenario file (${code})`] };
  }
  return parseScenario(text, path, /\.json$/i.test(path) ? 'json' : 'yaml');
}

/** Parses and validates scenario text; `sourceName` names it in messages and is the default name. */
export function parseScenario(text: string, sourceName: string, format: ScenarioFormat): ScenarioResult {
  const parsed = format === 'json' ? parseJson(text, sourceName) : parseYaml(text, sourceName);
  if (text.trim() === '' || (parsed.ok && (parsed.value === null || parsed.value === undefined))) {
    return { ok: false, errors: [`${sourceName}: the scenario is empty`] };
  }
  if (!parsed.ok) return parsed;
  const result = validateScenario(parsed.value, sourceName);
  if (!result.ok || parsed.warnings.length === 0) return result;
  return { ...result, warnings: [...parsed.warnings, ...result.warnings] };
}

/** Validates an already parsed value (for scenarios built in code, e.g. by tests). */
export function validateScenario(value: unknown, sourceName: string): ScenarioResult {
  const checked = scenarioSchema.safeParse(value, { error: scenarioErrorMap });
  if (!checked.success) return failed(checked.error.issues.flatMap(formatIssue));
  const { scenario, errors, warnings } = resolveScenario(checked.data, sourceName);
  if (errors.length > 0) return failed(errors);
  return { ok: true, scenario, warnings };
}

function failed(errors: readonly string[]): ScenarioResult {
  if (errors.length <= errorsShownMax) return { ok: false, errors };
  const more = errors.length - errorsShownMax;
  return { ok: false, errors: [...errors.slice(0, errorsShownMax), `... and ${more} more errors`] };
}

type Parsed =
  | { readonly ok: true; readonly value: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

function parseYaml(text: string, source: string): Parsed {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: 09:45 and 2026-02-13 stay strings (YAML 1.1 made 09:45 the number 585).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const located = (kind: string, e: { message: string; pos: [number, number] }) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return `${source}: ${kind} at line ${line}, column ${col}: ${e.message.split('\n')[0] ?? ''}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => located('YAML syntax error', e)) };
  }
  return { ok: true, value: doc.toJS(), warnings: doc.warnings.map((w) => located('YAML warning', w)) };
}

function parseJson(text: string, source: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, errors: [jsonSyntaxError(text, source, message)] };
  }
  // JSON.parse keeps the last of two equal keys without a word; a repeated key is as wrong as an
  // unknown one. JSON is YAML 1.2, so the YAML parser finds them (and only that check is used).
  const lineCounter = new LineCounter();
  const duplicates = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  }).errors.filter((e) => e.code === 'DUPLICATE_KEY');
  if (duplicates.length > 0) {
    return {
      ok: false,
      errors: duplicates.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return `${source}: JSON error at line ${line}, column ${col}: a key appears twice in one object`;
      }),
    };
  }
  return { ok: true, value, warnings: [] };
}

/** Names the line of a JSON syntax error: Node 20 gives a character position only sometimes. */
function jsonSyntaxError(text: string, source: string, message: string): string {
  const m = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
  // V8 quotes the text after a comma ('Unexpected token '}', "{"a": ..." is not valid JSON'): drop it.
  const detail = (m?.[1] ?? message).replace(/, ".*$/s, '');
  const position = m?.[2] === undefined ? jsonErrorOffset(text) : Number(m[2]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const col = position - before.lastIndexOf('\n');
  return `${source}: JSON syntax error at line ${line}, column ${col}: ${detail}`;
}

/**
 * The first offset at which the text stops being the start of some JSON document: a viable prefix
 * fails only at its end, and viability only shrinks as the prefix grows, so a binary search finds it.
 */
function jsonErrorOffset(text: string): number {
  const viable = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : '';
      const at = /at position (\d+)/.exec(message)?.[1];
      return /end of JSON input/i.test(message) || Number(at) === length;
    }
  };
  let good = 0; // the empty prefix is viable
  let bad = text.length; // the whole text is not (JSON.parse failed on it)
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viable(middle)) good = middle;
    else bad = middle;
  }
  return bad - 1;
}
