import { CELL_TYPES, NODES, opsOf, type CellType } from './cell-types';
/**
 * Size of the search space, exactly (BigInt): a cell picks, for each intermediate node i (0..3), two
 * distinct inputs among its i + 2 predecessors and a non-`none` op for each. Network = the product of the
 * four cell categories. The paper's 4.9e33 is (7e7)^2 (1e9)^2 from rounded cell counts; exact is 5.3e33.
 */

function choose2(n: number): bigint {
  return BigInt((n * (n - 1)) / 2);
}

export function cellCount(type: CellType): bigint {
  const k = BigInt(opsOf(type).filter((o) => o !== 'none').length);
  let total = 1n;
  for (let node = 0; node < NODES; node++) total *= choose2(node + 2) * k * k;
  return total;
}

export function spaceSize(): { spatial: bigint; temporal: bigint; network: bigint } {
  const network = CELL_TYPES.reduce((p, t) => p * cellCount(t), 1n);
  return { spatial: cellCount('spatial_normal'), temporal: cellCount('temporal_normal'), network };
}

/** JSON numbers where exact (<= 2^53), strings otherwise (what `pvnas space` prints). */
export function exactJson(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}
