/**
 * Random architectures from the search space (paper Tab. 3's baselines): each node takes two distinct
 * inputs and a non-`none` op each, uniformly; cells with fewer than `minConvOps` convolutions are drawn again.
 * `spatialOnly`: the temporal cells draw from the spatial ops too, a 2D network (no op looks across frames).
 */
import { GENOTYPE_FORMAT, type CellGenotype, type Genotype } from './genotype';
import { createRng } from '@pvnas/base';
import { CELL_TYPES, NODES, opsOf, type CellType } from './cell-types';
import { CONV_OPS, SPATIAL_OPS, type OpName } from '../operations';

export function randomCell(type: CellType, random: () => number, minConvOps = 4, spatialOnly = false): CellGenotype {
  const ops = (spatialOnly ? SPATIAL_OPS : opsOf(type)).filter((o) => o !== 'none');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const edges: Array<[OpName, number]> = [];
    for (let node = 0; node < NODES; node++) {
      const first = Math.floor(random() * (node + 2));
      let second = Math.floor(random() * (node + 1));
      if (second >= first) second++;
      for (const input of [first, second].sort((a, b) => a - b)) edges.push([pick(ops), input]);
    }
    if (edges.filter(([op]) => CONV_OPS.includes(op)).length >= minConvOps) return { edges, concat: [2, 3, 4, 5] };
  }
  throw new Error(`no ${type} cell with ${minConvOps} convolutions found`);
}

export function randomGenotype(seed: number, minConvOps = 4, spatialOnly = false): Genotype {
  const random = createRng(seed).next;
  const cells = Object.fromEntries(CELL_TYPES.map((t) => [t, randomCell(t, random, minConvOps, spatialOnly)])) as Genotype['cells'];
  return { format: GENOTYPE_FORMAT, cells, source: { from: spatialOnly ? 'random-2d' : 'random', seed } };
}
