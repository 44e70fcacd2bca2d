/**
 * Parameters and multiply-accumulates of a derived network in closed form, per view (batch 1): the stem, each
 * cell's preprocessing and ops (`opCost`, operations.ts, which says what is counted) and the classifier.
 */
import type { Genotype } from '../search-space/genotype';
import { stemCost, STEM_MULTIPLIER } from '../layers/stem';
import { cellTemporalStride, isReduction, type CellType } from '../search-space/cell-types';
import { opCost, type Cost } from '../operations';

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

export function networkCost(g: Genotype, n: NetworkShape): Cost & { cells: Cost[] } {
  const Cs = STEM_MULTIPLIER * n.channels;
  let T = n.frames;
  const stem = stemCost(n.channels, n.stemStride, T, n.size);
  let H = stem.size;
  let total: Cost = { params: stem.params, macs: stem.macs };
  let [Cpp, Cp, C] = [Cs, Cs, n.channels];
  const cells: Cost[] = [];
  for (const type of n.layout) {
    const reduction = isReduction(type);
    const ts = cellTemporalStride(type, n.temporalStride);
    if (reduction) C *= 2;
    const cell: Cost = { params: 0, macs: 0 };
    // both preprocessings output [T, H, H, C]: a 1x1 conv of s0 and s1, or after a reduction (s0 twice as
    // large) a FactorizedReduce, whose two strided 1x1 halves cost the same
    // (after a temporal stride s0 is longer too, but its FactorizedReduce sees only every strided frame: T of them)
    cell.params += Cpp * C + bn(C);
    cell.macs += T * H * H * Cpp * C;
    cell.params += Cp * C + bn(C);
    cell.macs += T * H * H * Cp * C;
    const gc = g.cells[type];
    const Tout = Math.ceil(T / ts);
    gc.edges.forEach(([op, input]) => {
      const reducing = reduction && input < 2;
      const inSize = reduction && !reducing ? half(H) : H;
      // edges from the intermediate nodes of a reducing cell already see its output size and frames
      const c = opCost(op, C, reducing ? 2 : 1, reduction && !reducing ? Tout : T, inSize, inSize, reducing ? ts : 1);
      cell.params += c.params;
      cell.macs += c.macs;
    });
    cells.push(cell);
    total = { params: total.params + cell.params, macs: total.macs + cell.macs };
    if (reduction) H = half(H);
    T = Tout;

    [Cpp, Cp] = [Cp, gc.concat.length * C];
  }
  total = { params: total.params + Cp * n.classes + n.classes, macs: total.macs + Cp * n.classes };
  return { ...total, cells };
}
