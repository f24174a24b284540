// Projection checkpoints: the projection as of one journal event, serialised, so a start replays
// only the events after it instead of the journal's whole life. A checkpoint is a cache of the
// fold over events 1..seq, never a source of truth: one that fails any check (its format, the
// fold's code, the time zone, its checksum, its shape, the event it claims to follow) is ignored
// and the journal replayed in full. Tests replay the full journal and compare it with
// checkpoint + tail, serialised form against serialised form.
import { createHash } from 'node:crypto';
import { InvariantError, type TimeZone } from '../../domain';
import { applyPnlFill, nextOrderState, tradeCash } from '../../domain';
import {
  assertBudgetInvariants,
  close,
  createBudget,
  fill,
  reconfigure,
  reserve,
  scan,
  startDay,
  startWeek,
} from '../../risk';
import { eventVersions } from '../events';
import { BudgetBook } from './budget-book';
import { isActiveGroup, newGroup } from './groups';
import { isFullyFilled, newOrderRecord, OrderBook } from './orders';
import { OwnershipBook } from './ownership';
import { Projection } from './projection';
import { ReconcileBook } from './reconciliation';

export const checkpointFormat = 'keel-projection';
/** Raise when the serialised form changes meaning; older checkpoints are then ignored. */
export const checkpointFormatVersion = 1;

/** What a checkpoint says about itself; stored beside its data and checked before the data is read. */
export type CheckpointHeader = {
  readonly format: string;
  readonly version: number;
  /**
   * The fold's code and the event versions it reads, hashed: a keel whose projection code differs
   * from the writer's (an upgrade, a fix) ignores the checkpoint and folds the events again.
   */
  readonly fold: string;
  readonly timeZone: string;
  /** The last event it covers: its seq, time and type (checked against the journal's event). */
  readonly seq: number;
  readonly t: number;
  readonly type: string;
  /** sha256 of the data text, hex. */
  readonly sha256: string;
  readonly bytes: number;
};

export type ProjectionCheckpoint = { readonly header: CheckpointHeader; readonly data: string };

let foldHash: string | null = null;

/**
 * A hash of the code that folds events into the projection and of the event versions it reads.
 * Formatting-only changes alter it too; that costs one full replay, never a wrong projection.
 */
export function foldFingerprint(): string {
  if (foldHash !== null) return foldHash;
  const code: readonly { toString(): string }[] = [
    Projection,
    OwnershipBook,
    OrderBook,
    BudgetBook,
    ReconcileBook,
    newGroup,
    newOrderRecord,
    isFullyFilled,
    applyPnlFill,
    nextOrderState,
    tradeCash,
    createBudget,
    reconfigure,
    reserve,
    fill,
    close,
    scan,
    startDay,
    startWeek,
  ];
  const hash = createHash('sha256');
  hash.update(`${checkpointFormat}/${checkpointFormatVersion}\n`);
  hash.update(JSON.stringify(Object.entries(eventVersions).sort(([a], [b]) => (a < b ? -1 : 1))));
  for (const c of code) hash.update(c.toString());
  foldHash = hash.digest('hex').slice(0, 32);
  return foldHash;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The projection as of its last applied event (seq = eventsApplied), of type `lastType`. */
export function checkpointOf(p: Projection, lastType: string): ProjectionCheckpoint {
  const data = pack(p);
  return {
    header: {
      format: checkpointFormat,
      version: checkpointFormatVersion,
      fold: foldFingerprint(),
      timeZone: p.timeZone.name,
      seq: p.eventsApplied,
      t: p.lastT,
      type: lastType,
      sha256: sha256Hex(data),
      bytes: data.length,
    },
    data,
  };
}

/** Why a checkpoint cannot be used here (a full replay follows), or null when its header fits. */
export function headerProblem(header: unknown, timeZone: TimeZone): string | null {
  if (typeof header !== 'object' || header === null) return 'its header is not an object';
  const h = header as Partial<Record<keyof CheckpointHeader, unknown>>;
  if (h.format !== checkpointFormat)
    return `its format is ${JSON.stringify(h.format)}, not ${checkpointFormat}`;
  if (h.version !== checkpointFormatVersion)
    return `it is format version ${String(h.version)}; this keel reads version ${checkpointFormatVersion}`;
  if (h.fold !== foldFingerprint())
    return 'it was written by a keel whose projection code differs from this one (an upgrade or a fix)';
  if (h.timeZone !== timeZone.name)
    return `it was folded in time zone ${String(h.timeZone)}, the engine runs in ${timeZone.name}`;
  if (!Number.isSafeInteger(h.seq) || (h.seq as number) < 1) return `its seq ${String(h.seq)} is not a seq`;
  if (!Number.isSafeInteger(h.t)) return `its event time ${String(h.t)} is not epoch ms`;
  if (typeof h.type !== 'string' || !(h.type in eventVersions))
    return `its event type ${String(h.type)} is unknown`;
  if (typeof h.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.sha256)) return 'its checksum is missing';
  return null;
}

/**
 * The projection a checkpoint holds. Throws (InvariantError) on anything wrong: a checksum that
 * does not match, text that is not the projection's serialised form, a state that breaks the
 * projection's invariants. The caller ignores the checkpoint then.
 */
export function restoreProjection(cp: ProjectionCheckpoint, timeZone: TimeZone): Projection {
  const problem = headerProblem(cp.header, timeZone);
  if (problem !== null) throw new InvariantError(`checkpoint: ${problem}`);
  if (cp.data.length !== cp.header.bytes || sha256Hex(cp.data) !== cp.header.sha256)
    throw new InvariantError('checkpoint: its data does not match its checksum (corrupt)');
  const p = new Projection(timeZone);
  unpackInto(p, cp.data);
  reindex(p);
  if (p.eventsApplied !== cp.header.seq || p.lastT !== cp.header.t)
    throw new InvariantError(
      `checkpoint: it holds ${p.eventsApplied} events up to t ${p.lastT}, its header says ${cp.header.seq} up to ${cp.header.t}`,
    );
  p.ownership.assertConsistent();
  if (p.budget.state !== null) assertBudgetInvariants(p.budget.state);
  return p;
}

/**
 * The serialised form, for tests: full replay and checkpoint + tail must give the same. It also
 * refuses a projection that holds one object in two places (a restore would make two of it).
 */
export function serialisedProjection(p: Projection): unknown {
  return JSON.parse(pack(p, true)) as unknown;
}

// ---- encoding: packed JSON -----------------------------------------------------------------
// Every composite value is an array whose first element is a number: an object is
// [shape, ...values] with its keys listed once in the shapes table, an array [-1, ...items], a
// Map [-2, k, v, k, v, ...], a Set [-3, ...items]. Numbers, booleans and null are themselves.
// A string of 4 characters or more is written out the first time it comes and numbered in order
// of appearance; later it is "~" and its number in base 36 (a string that starts with "~" is
// written with one more). A projection holds tens of thousands of records of a few shapes, named
// by the same ids, sides and states again and again: the text is about half of plain JSON's,
// reads without a key per field, and the restored projection holds each id once.

const arrayTag = -1;
const mapTag = -2;
const setTag = -3;
/** Strings at least this long are numbered; a shorter one is cheaper written out. */
const internLengthMin = 4;
const refMark = 126; // '~'

/** The books the projection is made of: fields restored into a fresh instance's own objects. */
const books = new Set<unknown>(
  [Projection, OwnershipBook, OrderBook, BudgetBook, ReconcileBook].map((c) => c.prototype),
);
/**
 * Fields not serialised: the zone comes from the engine; indexes that hold records already held
 * elsewhere (the active groups, the live orders) are rebuilt from them after a restore (reindex).
 * Any other object held twice would come back as two: serialisedProjection (every checkpoint
 * test packs its projections with it) refuses one.
 */
const skipped = new Map<unknown, ReadonlySet<string>>([
  [Projection.prototype, new Set(['timeZone', 'activeGroups'])],
  [OrderBook.prototype, new Set(['liveOrders'])],
]);

function reindex(p: Projection): void {
  p.orders.reindex();
  p.activeGroups.clear();
  for (const g of p.groups.values()) if (isActiveGroup(g)) p.activeGroups.add(g);
  p.assertIndexes();
}

type Packed = { readonly shapes: (readonly string[])[]; readonly root: unknown };

/**
 * Counters the engine keeps on records for itself and never journals (an order's reconciliation
 * misses): a replay starts them at 0, so a checkpoint stores 0 too.
 */
const processLocal: ReadonlyMap<string, unknown> = new Map([
  ['missingChecks', 0],
  ['fillGapChecks', 0],
]);

/** A node of the shapes' key trie: the keys so far, its shape (if an object ends here), what follows. */
type ShapeNode = { readonly keys: readonly string[]; id: number; readonly next: Map<string, ShapeNode> };

class Packer {
  readonly shapes: (readonly string[])[] = [];
  /** Shapes by their keys in order, found key by key (no key string built per object). */
  private readonly shapeRoot: ShapeNode = { keys: [], id: -1, next: new Map() };
  /** Per shape: the positions of its process-local fields and the value stored there. */
  private readonly resets: (readonly [number, unknown][])[] = [];
  private readonly seen = new Set<object>();

  /**
   * @param checkShared refuse an object reached twice (tests pack every projection they compare
   *   with it on; the engine's checkpoints skip the cost, a million objects for a year's journal)
   */
  constructor(private readonly checkShared: boolean) {}

  private once(value: object, at: string): void {
    if (!this.checkShared) return;
    if (this.seen.has(value))
      throw new InvariantError(
        `checkpoint: ${at} is an object the projection also holds elsewhere; a restore would make two of it (list it in checkpoint.ts as an index rebuilt on restore)`,
      );
    this.seen.add(value);
  }

  book(book: object, at: string): unknown {
    const skip = skipped.get(Object.getPrototypeOf(book));
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(book)) {
      if (skip?.has(key) === true) continue;
      keys.push(key);
      values.push(
        typeof value === 'object' && value !== null && books.has(Object.getPrototypeOf(value))
          ? this.book(value as object, `${at}.${key}`)
          : this.value(value, `${at}.${key}`),
      );
    }
    let node = this.shapeRoot;
    for (const key of keys) node = this.follow(node, key);
    return [this.shape(node), ...values];
  }

  private readonly strings = new Map<string, string>();

  private string(value: string): string {
    if (value.length < internLengthMin) return value.charCodeAt(0) === refMark ? `~${value}` : value;
    const ref = this.strings.get(value);
    if (ref !== undefined) return ref;
    this.strings.set(value, `~${this.strings.size.toString(36)}`);
    return value.charCodeAt(0) === refMark ? `~${value}` : value;
  }

  value(value: unknown, at: string): unknown {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) throw new InvariantError(`checkpoint: ${at} is ${value}, not JSON`);
        return value;
      case 'object': {
        if (value === null) return null;
        this.once(value, at);
        if (Array.isArray(value)) {
          const out: unknown[] = [arrayTag];
          for (let i = 0; i < value.length; i++) {
            const v: unknown = value[i];
            if (v === undefined) throw new InvariantError(`checkpoint: ${at}[${i}] is undefined`);
            out.push(this.value(v, at));
          }
          return out;
        }
        if (value instanceof Map) {
          const out: unknown[] = [mapTag];
          for (const [k, v] of value as Map<unknown, unknown>) out.push(this.value(k, at), this.value(v, at));
          return out;
        }
        if (value instanceof Set) {
          const out: unknown[] = [setTag];
          for (const v of value as Set<unknown>) out.push(this.value(v, at));
          return out;
        }
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null)
          throw new InvariantError(
            `checkpoint: ${at} is a ${value.constructor.name}, which has no serialised form`,
          );
        let node = this.shapeRoot;
        const out: unknown[] = [0];
        for (const key in value) {
          const v = (value as Record<string, unknown>)[key];
          if (v === undefined) continue;
          node = this.follow(node, key);
          out.push(this.value(v, at));
        }
        const shape = this.shape(node);
        out[0] = shape;
        const resets = this.resets[shape] as readonly [number, unknown][];
        for (let i = 0; i < resets.length; i++) {
          const [at, v] = resets[i] as [number, unknown];
          out[at] = v;
        }
        return out;
      }
      default:
        throw new InvariantError(`checkpoint: ${at} is a ${typeof value}, which has no serialised form`);
    }
  }

  private follow(node: ShapeNode, key: string): ShapeNode {
    let next = node.next.get(key);
    if (next === undefined) {
      next = { keys: [...node.keys, key], id: -1, next: new Map() };
      node.next.set(key, next);
    }
    return next;
  }

  private shape(node: ShapeNode): number {
    if (node.id < 0) {
      node.id = this.shapes.length;
      this.shapes.push(node.keys);
      this.resets.push(
        node.keys.flatMap((k, i) => (processLocal.has(k) ? [[i + 1, processLocal.get(k)] as const] : [])),
      );
    }
    return node.id;
  }
}

function pack(p: Projection, checkShared = false): string {
  const packer = new Packer(checkShared);
  const root = packer.book(p, 'projection');
  const packed: Packed = { shapes: packer.shapes, root };
  return JSON.stringify(packed);
}

/** Makes one object of a shape from its packed values (v decodes each, in order). */
type Builder = (raw: readonly unknown[], v: (raw: unknown) => unknown) => Record<string, unknown>;

class Unpacker {
  private readonly strings: string[] = [];
  private readonly builders: (Builder | undefined)[] = [];
  private readonly decode = (raw: unknown): unknown => this.value(raw);

  constructor(private readonly shapes: readonly (readonly string[])[]) {}

  /**
   * An object literal per shape: V8 makes each object with its final layout at once, instead of
   * adding fields one by one under keys it cannot predict. The keys are written as JSON string
   * literals (they come from disk) and evaluated left to right, the order they were written in.
   */
  private builder(tag: number, keys: readonly string[]): Builder {
    let build = this.builders[tag];
    if (build === undefined) {
      const fields = keys.map((k, i) => `${JSON.stringify(k)}: v(raw[${i + 1}])`).join(', ');
      build = new Function('raw', 'v', `return { ${fields} };`) as Builder;
      this.builders[tag] = build;
    }
    return build;
  }

  private string(raw: string): string {
    let s = raw;
    if (raw.charCodeAt(0) === refMark) {
      if (raw.charCodeAt(1) !== refMark) {
        const known = this.strings[parseInt(raw.slice(1), 36)];
        if (known === undefined) throw new InvariantError(`checkpoint: string ${raw} before its first use`);
        return known;
      }
      s = raw.slice(1);
    }
    if (s.length >= internLengthMin) this.strings.push(s);
    return s;
  }

  /** The fields of a packed book, by name (still packed). */
  fields(raw: unknown, at: string): Map<string, unknown> {
    if (!Array.isArray(raw) || typeof raw[0] !== 'number' || raw[0] < 0)
      throw new InvariantError(`checkpoint: ${at} is not an object`);
    const keys = this.shapes[raw[0]];
    if (keys === undefined || keys.length !== raw.length - 1)
      throw new InvariantError(`checkpoint: ${at} has a shape it does not fit`);
    return new Map(keys.map((k, i) => [k, raw[i + 1]]));
  }

  value(raw: unknown): unknown {
    if (typeof raw === 'string') return this.string(raw);
    if (typeof raw !== 'object' || raw === null) return raw;
    if (!Array.isArray(raw)) throw new InvariantError('checkpoint: a value is neither packed nor plain');
    const tag: unknown = raw[0];
    if (typeof tag !== 'number') throw new InvariantError('checkpoint: a packed value has no tag');
    const n = raw.length;
    if (tag >= 0) {
      const keys = this.shapes[tag];
      if (keys === undefined || keys.length !== n - 1)
        throw new InvariantError(`checkpoint: an object does not fit its shape ${tag}`);
      return this.builder(tag, keys)(raw, this.decode);
    }
    if (tag === arrayTag) {
      const out = new Array<unknown>(n - 1);
      for (let i = 1; i < n; i++) out[i - 1] = this.value(raw[i]);
      return out;
    }
    if (tag === mapTag) {
      if (n % 2 === 0) throw new InvariantError('checkpoint: a map is malformed');
      const map = new Map<unknown, unknown>();
      for (let i = 1; i < n; i += 2) map.set(this.value(raw[i]), this.value(raw[i + 1]));
      return map;
    }
    if (tag === setTag) {
      const set = new Set<unknown>();
      for (let i = 1; i < n; i++) set.add(this.value(raw[i]));
      return set;
    }
    throw new InvariantError(`checkpoint: unknown tag ${tag}`);
  }
}

function unpackInto(p: Projection, text: string): void {
  let packed: unknown;
  try {
    packed = JSON.parse(text);
  } catch (e) {
    throw new InvariantError(`checkpoint: its data is not JSON (${String(e)})`);
  }
  const shapes = (packed as Partial<Packed> | null)?.shapes;
  if (
    !Array.isArray(shapes) ||
    !shapes.every((s) => Array.isArray(s) && s.every((k) => typeof k === 'string'))
  )
    throw new InvariantError('checkpoint: its shapes table is malformed');
  if (shapes.some((keys) => keys.includes('__proto__')))
    throw new InvariantError('checkpoint: a field is named __proto__');
  restoreBook(new Unpacker(shapes as string[][]), p, (packed as Packed).root, 'projection');
}

function restoreBook(u: Unpacker, target: object, raw: unknown, at: string): void {
  const fields = target as Record<string, unknown>;
  const given = u.fields(raw, at);
  const skip = skipped.get(Object.getPrototypeOf(target));
  for (const key of Object.keys(fields)) {
    if (skip?.has(key) !== true && !given.has(key))
      throw new InvariantError(`checkpoint: ${at}.${key} is missing`);
  }
  for (const [key, packedValue] of given) {
    if (!(key in fields) || skip?.has(key) === true)
      throw new InvariantError(`checkpoint: ${at}.${key} is not a field of this keel's projection`);
    const current = fields[key];
    if (typeof current === 'object' && current !== null && books.has(Object.getPrototypeOf(current))) {
      restoreBook(u, current, packedValue, `${at}.${key}`);
      continue;
    }
    const value = u.value(packedValue);
    if (!sameKind(current, value))
      throw new InvariantError(`checkpoint: ${at}.${key} is not of the kind this keel keeps there`);
    fields[key] = value;
  }
}

/** A field keeps its kind: a Map stays a Map, an array an array, a number a number (null aside). */
function sameKind(current: unknown, value: unknown): boolean {
  if (current === null || value === null) return true;
  if (current instanceof Map) return value instanceof Map;
  if (current instanceof Set) return value instanceof Set;
  if (Array.isArray(current)) return Array.isArray(value);
  return typeof current === typeof value;
}
