/**
 * Seeded randomness, one way everywhere. Every random choice (a clip's window and crop, an epoch's order, a
 * dropout mask, a random genotype, a sample clip) draws from a generator whose seed is derived from the run
 * seed and the keys that name the choice (`deriveSeed(seed, 'order', epoch)`), never from shared state: the
 * same seed gives the same draws whatever the worker count, batch order or runtime.
 */

/** 32-bit mix (murmur3 finaliser). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Derives a 32-bit seed from a base seed and any number of integer or string keys. */
export function deriveSeed(seed: number, ...keys: Array<number | string>): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  for (const key of keys) {
    if (typeof key === 'number') {
      h = mix32(h ^ mix32((key >>> 0) + 0x7f4a7c15));
      // Keep the high part of integers above 2^32 too.
      h = mix32(h ^ Math.floor(key / 0x100000000));
    } else {
      for (let i = 0; i < key.length; i++) h = mix32(h ^ (key.charCodeAt(i) + 0x27d4eb2f));
    }
  }
  return h;
}

/** A uniform draw in [0, 1) from a derived seed: `unitFloat(deriveSeed(seed, ...keys))`. */
export const unitFloat = (seed32: number): number => (seed32 >>> 0) / 4294967296;

/** A small seeded generator (mulberry32): the same sequence in every runtime. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`rng.int needs integers min <= max, got [${min}, ${max}]`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    bernoulli: (p) => next() < p,
  };
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
