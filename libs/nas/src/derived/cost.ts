/**
 * Parameters and multiply-accumulates of a derived network in closed form, per view (batch 1): the stem, each
 * cell's preprocessing and ops (`opCost`, operations.ts, which says what is counted) and the classifier.
 */
import type { Genotype } from '../search-space/genotype';
import { stemCost, STEM_MULTIPLIER } from '../layers/stem';
import { cellTemporalStride, isReduction, NODES, opsOf, type CellType } from '../search-space/cell-types';
import { opCost, type Cost, type OpName } from '../operations';

const half = (n: number): number => Math.ceil(n / 2);
const bn = (c: number): number => 2 * c; // affine

export interface NetworkShape {
  channels: number;
  classes: number;
  layout: CellType[];
  stemStride: number;
  frames: number;
  size: number;
  /** Temporal stride of T-RC (default 1). */
  temporalStride?: number;
}

/** The cost of every op on every edge (node, input) of every cell of a network of `n`'s shape, and the rest of it. */
export interface CostTable {
  /** Stem, cell preprocessing, classifier: what every genotype pays. */
  fixed: Cost;
  cells: Array<{
    type: CellType;
    /** edges[e][op]: the cost of `op` on supernet edge e (DARTS order: node 0's inputs 0-1, node 1's 0-2, ...). */
    edges: Array<Record<OpName, Cost>>;
  }>;
}

/** Supernet edge index of (node, input) in DARTS order: 2 + 3 + 4 + 5 edges. */
export const edgeIndex = (node: number, input: number): number => (node * (node + 3)) / 2 + input;

/** `outputs(type)`: the nodes a cell of that type concatenates (its genotype's `concat`; the supernet's: all 4). */
export function costTable(n: NetworkShape, outputs: (type: CellType) => number = () => NODES): CostTable {
  const Cs = STEM_MULTIPLIER * n.channels;
  let T = n.frames;
  const stem = stemCost(n.channels, n.stemStride, T, n.size);
  let H = stem.size;
  const fixed: Cost = { params: stem.params, macs: stem.macs };
  let [Cpp, Cp, C] = [Cs, Cs, n.channels];
  const cells: CostTable['cells'] = [];
  for (const type of n.layout) {
    const reduction = isReduction(type);
    const ts = cellTemporalStride(type, n.temporalStride);
    if (reduction) C *= 2;
    // both preprocessings output [T, H, H, C]: a 1x1 conv of s0 and s1, or after a reduction (s0 twice as
    // large) a FactorizedReduce, whose two strided 1x1 halves cost the same
    // (after a temporal stride s0 is longer too, but its FactorizedReduce sees only every strided frame: T of them)
    fixed.params += Cpp * C + bn(C) + Cp * C + bn(C);
    fixed.macs += T * H * H * Cpp * C + T * H * H * Cp * C;
    const Tout = Math.ceil(T / ts);
    const edges: Array<Record<OpName, Cost>> = [];
    for (let node = 0; node < NODES; node++) {
      for (let input = 0; input < node + 2; input++) {
        const reducing = reduction && input < 2;
        const inSize = reduction && !reducing ? half(H) : H;
        // edges from the intermediate nodes of a reducing cell already see its output size and frames
        const cost = (op: OpName) => opCost(op, C, reducing ? 2 : 1, reduction && !reducing ? Tout : T, inSize, inSize, reducing ? ts : 1);
        edges.push(Object.fromEntries(opsOf(type).map((op) => [op, cost(op)])) as Record<OpName, Cost>);
      }
    }
    cells.push({ type, edges });
    if (reduction) H = half(H);
    T = Tout;
    [Cpp, Cp] = [Cp, outputs(type) * C];
  }
  fixed.params += Cp * n.classes + n.classes;
  fixed.macs += Cp * n.classes;
  return { fixed, cells };
}

/** A derived network's parameters and MACs: the table's fixed part plus each cell's chosen ops. */
export function networkCost(g: Genotype, n: NetworkShape): Cost & { cells: Cost[] } {
  const table = costTable(n, (type) => g.cells[type].concat.length);
  const cells = table.cells.map(({ type, edges }) => {
    const cell: Cost = { params: 0, macs: 0 };
    g.cells[type].edges.forEach(([op, input], k) => {
      const c = edges[edgeIndex(Math.floor(k / 2), input)][op];
      cell.params += c.params;
      cell.macs += c.macs;
    });
    return cell;
  });
  const sum = cells.reduce((t, c) => ({ params: t.params + c.params, macs: t.macs + c.macs }), table.fixed);
  return { ...sum, cells };
}
