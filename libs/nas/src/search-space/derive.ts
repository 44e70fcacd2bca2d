/**
 * Derivation (paper 3.2.1, as DARTS): per edge the best op other than `none` by softmax weight; per node the
 * two incoming edges whose best op weighs most. Ties go to the earlier edge, then the earlier op.
 */
import { softmax } from '@pvnas/base';
import { GENOTYPE_FORMAT, type Alphas, type CellGenotype, type Genotype } from './genotype';
import { CELL_TYPES, NODES, opsOf, type CellType } from './cell-types';
import { type OpName } from '../operations';

/** One cell: alpha rows [14][numOps] in DARTS edge order. */
export function deriveCell(rows: readonly (readonly number[])[], ops: readonly OpName[]): CellGenotype {
  const edges: Array<[OpName, number]> = [];
  let offset = 0;
  for (let node = 0; node < NODES; node++) {
    const candidates: Array<{ input: number; op: OpName; weight: number }> = [];
    for (let input = 0; input < node + 2; input++) {
      const w = softmax(rows[offset + input]);
      let best = -1;
      w.forEach((v, k) => {
        if (ops[k] !== 'none' && (best < 0 || v > w[best])) best = k; // strict: the earlier op keeps a tie
      });
      candidates.push({ input, op: ops[best], weight: w[best] });
    }
    // stable sort: equal weights keep edge order
    const kept = [...candidates]
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 2)
      .sort((a, b) => a.input - b.input);
    for (const k of kept) edges.push([k.op, k.input]);
    offset += node + 2;
  }
  return { edges, concat: [2, 3, 4, 5] };
}

export function deriveGenotype(alphas: Alphas, source?: Genotype['source']): Genotype {
  const cells = Object.fromEntries(CELL_TYPES.map((t: CellType) => [t, deriveCell(alphas[t], opsOf(t))])) as Genotype['cells'];
  return { format: GENOTYPE_FORMAT, cells, ...(source ? { source } : {}) };
}
