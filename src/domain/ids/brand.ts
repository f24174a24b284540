// Typed identifiers: a bare string never stands where an id fits, so a venue order id can never be
// compared to a client order id by accident (the lost-on-restart incident matched the wrong id).
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type IdError = {
  readonly kind: 'invalid-id';
  readonly idType: string;
  readonly value: unknown;
  readonly reason: string;
};

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IdError };

/** Builds parse (typed error) and of (throws: programmer error) for one id type. */
export function idType<B extends string>(idName: B, pattern: RegExp, maxLength: number) {
  type Id = Brand<string, B>;
  const parse = (value: unknown): Parsed<Id> => {
    if (typeof value !== 'string') return fail(idName, value, 'must be a string');
    if (value.length === 0) return fail(idName, value, 'must not be empty');
    if (value.length > maxLength) return fail(idName, value, `must be at most ${maxLength} characters`);
    if (!pattern.test(value)) return fail(idName, value, `must match ${pattern}`);
    return { ok: true, value: value as Id };
  };
  const of = (value: string): Id => {
    const parsed = parse(value);
    if (!parsed.ok) throw new Error(`${idName}: ${JSON.stringify(value)} ${parsed.error.reason}`);
    return parsed.value;
  };
  return { parse, of };
}

function fail(idType: string, value: unknown, reason: string): { ok: false; error: IdError } {
  return { ok: false, error: { kind: 'invalid-id', idType, value, reason } };
}
