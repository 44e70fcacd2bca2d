/**
 * The states of a cell as DARTS names them in its drawings: inputs c_{k-2}, c_{k-1}, intermediate nodes
 * 0..3, output c_{k}. State indices are the genotype's (0, 1 inputs; 2..5 nodes 0..3).
 */
import { NODES } from '@pvnas/nas';

export const OUTPUT_STATE_NAME = 'c_{k}';

export function stateName(state: number): string {
  if (state === 0) return 'c_{k-2}';
  if (state === 1) return 'c_{k-1}';
  return String(state - 2);
}

/** The 14 mixed edges in DARTS order (alpha rows): node 0 takes states 0,1; node 1 0..2; node 2 0..3; node 3 0..4. */
export function edgeEndpoints(): Array<{ node: number; input: number }> {
  const out: Array<{ node: number; input: number }> = [];
  for (let node = 0; node < NODES; node++) for (let input = 0; input < node + 2; input++) out.push({ node, input });
  return out;
}

export const edgeName = (e: { node: number; input: number }): string => `${stateName(e.input)} → ${e.node}`;

export const CATEGORY_SHORT_NAMES = { spatial_normal: 'S-NC', spatial_reduce: 'S-RC', temporal_normal: 'T-NC', temporal_reduce: 'T-RC' } as const;
