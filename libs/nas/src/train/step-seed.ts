/** A 32-bit seed for the random draws of step `step` of a run seeded `seed` (dropout, drop-path masks). */
export function stepSeed(seed: number, step: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}
