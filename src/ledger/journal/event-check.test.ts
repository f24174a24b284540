import { describe, expect, it } from 'vitest';
import {
  checkNewEvent,
  envelopeProblem,
  eventDataDepthMax,
  jsonProblem,
  versionProblem,
} from './event-check';

const known = { 'order.intent': 2 };

describe('jsonProblem', () => {
  it('accepts plain JSON values, including null-prototype objects', () => {
    expect(jsonProblem({ a: [1, 'x', true, null, { b: -2.5 }] })).toBeNull();
    expect(jsonProblem(Object.assign(Object.create(null) as object, { a: 1 }))).toBeNull();
    expect(jsonProblem(null)).toBeNull();
  });

  it('names the path of a non-finite number', () => {
    expect(jsonProblem({ legs: [{ qty: 1 }, { qty: NaN }] })).toBe(
      'data.legs[1].qty is NaN (JSON would store null)',
    );
    expect(jsonProblem({ 'limit price': Infinity })).toBe(
      'data["limit price"] is Infinity (JSON would store null)',
    );
  });

  it('refuses what JSON drops or changes', () => {
    expect(jsonProblem(undefined)).toBe('data is undefined (JSON would drop it)');
    expect(jsonProblem({ a: undefined })).toBe('data.a is undefined (JSON would drop it)');
    expect(jsonProblem({ a: 1n })).toMatch(/data.a is a bigint/);
    expect(jsonProblem({ f: () => 1 })).toMatch(/data.f is a function/);
    expect(jsonProblem({ at: new Date(0) })).toMatch(/data.at is a Date .*epoch ms/);
    expect(jsonProblem({ m: new Map() })).toMatch(/data.m is a Map instance/);
    expect(jsonProblem({ [Symbol('s')]: 1 })).toMatch(/symbol keys/);
    // eslint-disable-next-line no-sparse-arrays
    expect(jsonProblem([1, , 3])).toBe('data[1] is a hole in a sparse array (JSON would store null)');
  });

  it('finds a problem deep inside null-prototype objects and arrays (the quick walk defers to the naming one)', () => {
    const inner = Object.assign(Object.create(null) as object, { ok: 1, bad: undefined });
    expect(jsonProblem({ a: [{ b: [inner] }] })).toBe('data.a[0].b[0].bad is undefined (JSON would drop it)');
    // eslint-disable-next-line no-sparse-arrays
    expect(jsonProblem({ a: [[1, , 2]] })).toBe(
      'data.a[0][1] is a hole in a sparse array (JSON would store null)',
    );
    expect(jsonProblem({ a: [{ b: -Infinity }] })).toBe('data.a[0].b is -Infinity (JSON would store null)');
    expect(jsonProblem({ a: { b: new Set([1]) } })).toMatch(/data.a.b is a Set instance/);
  });

  it('refuses cycles and bounds depth', () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic['a'] as Record<string, unknown>)['back'] = cyclic;
    expect(jsonProblem(cyclic)).toBe('data.a.back refers back to one of its parents (a cycle)');
    let deep: unknown = 1;
    for (let i = 0; i <= eventDataDepthMax; i++) deep = [deep];
    expect(jsonProblem(deep)).toMatch(/nested deeper than/);
    const shared = { x: 1 };
    expect(jsonProblem({ a: shared, b: shared })).toBeNull(); // a shared reference is not a cycle
  });
});

describe('envelopeProblem', () => {
  it('checks type, v and t', () => {
    expect(envelopeProblem({ type: 'x', v: 1, t: 5 }, 5)).toBeNull();
    expect(envelopeProblem({ type: '', v: 1, t: 5 }, null)).toMatch(/type must be a non-empty string/);
    expect(envelopeProblem({ type: 'x', v: 0, t: 5 }, null)).toMatch(/v must be a positive integer, got 0/);
    expect(envelopeProblem({ type: 'x', v: 1.5, t: 5 }, null)).toMatch(/v must be a positive integer/);
    expect(envelopeProblem({ type: 'x', v: 1, t: NaN }, null)).toMatch(
      /t must be an integer epoch ms, got NaN/,
    );
    expect(envelopeProblem({ type: 'x', v: 1, t: 4 }, 5)).toMatch(/t 4 is before the previous event's t 5/);
  });
});

describe('versionProblem', () => {
  it('knows own keys only', () => {
    expect(versionProblem('order.intent', 2, known)).toBeNull();
    expect(versionProblem('order.intent', 3, known)).toMatch(
      /version 3 is newer than this keel understands \(2\)/,
    );
    expect(versionProblem('constructor', 1, known)).toMatch(/unknown/);
    expect(versionProblem('toString', 1, known)).toMatch(/unknown/);
  });
});

describe('checkNewEvent', () => {
  it('returns the serialised data when the event is valid', () => {
    expect(checkNewEvent({ type: 'order.intent', v: 1, t: 1, data: { q: 1 } }, null, known)).toEqual({
      dataJson: '{"q":1}',
    });
  });

  it('refuses an event type the journal could not replay', () => {
    expect(checkNewEvent({ type: 'fill', v: 1, t: 1, data: {} }, null, known)).toEqual({
      problem: 'event type "fill" is unknown to this keel',
    });
  });
});
