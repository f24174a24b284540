// Pure functions of numbers that hot paths call with the same few arguments (a tick, a lot, a
// price, a quantity): each answer computed once. Bounded: past `max` keys the table starts over,
// so a long run with ever-new numbers holds a fixed amount.

/** f memoised by its one number argument. */
export function memoByNumber<T>(max: number, f: (x: number) => T): (x: number) => T {
  const known = new Map<number, T>();
  return (x) => {
    const hit = known.get(x);
    if (hit !== undefined) return hit;
    const value = f(x);
    if (known.size >= max) known.clear();
    known.set(x, value);
    return value;
  };
}

/** f memoised by its two number arguments. */
export function memoByNumbers<T>(max: number, f: (a: number, b: number) => T): (a: number, b: number) => T {
  const rows = memoByNumber(max, (a) => memoByNumber(max, (b) => f(a, b)));
  return (a, b) => rows(a)(b);
}
