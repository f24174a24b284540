// One seed drives the whole simulation; every random choice in keel comes from an Rng derived from
// it, so a run is reproduced by its seed alone.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** An independent stream for one purpose, so adding draws in one place does not shift another. */
  fork(label: string): Rng;
}

export function seededRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  return {
    next: () => uniformFloat64(gen),
    int: (min, max) => uniformInt(gen, min, max),
    normal: () => {
      const u1 = 1 - uniformFloat64(gen); // (0, 1]
      const u2 = uniformFloat64(gen);
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    fork: (label) => seededRng(hashSeed(seed, label)),
  };
}

/** FNV-1a over the label, mixed with the seed: stable across runs and platforms. */
export function hashSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
