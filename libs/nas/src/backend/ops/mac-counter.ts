/**
 * Multiply-accumulates actually executed by conv2d and matMul while a counter is active: the measured side
 * of the FLOP counts (derived/cost.ts is the closed form; tests make them agree).
 */
let active: { macs: number } | undefined;

export function addMacs(n: number): void {
  if (active) active.macs += n;
}

export function countMacs<T>(fn: () => T): { result: T; macs: number } {
  const outer = active;
  const mine = { macs: 0 };
  active = mine;
  try {
    return { result: fn(), macs: mine.macs };
  } finally {
    active = outer;
    if (outer) outer.macs += mine.macs;
  }
}
