/**
 * Parameters and multiply-accumulates of a derived network in closed form, per view (batch 1). GFLOPs are
 * reported as GMACs of convolutions and the classifier (fvcore / PySlowFast count one multiply-add as one
 * flop); batch norm, pooling, ReLU and additions are not counted (well under 1% here).
 */
import type { Genotype } from '../search-space/genotype';
import { cellTemporalStride, isReduction, type CellType, type OpName } from '../search-space/op-names';
import { stemCost, STEM_MULTIPLIER } from '../layers/stem';

export interface Cost {
  params: number;
  macs: number;
}

const half = (n: number): number => Math.ceil(n / 2);
const bn = (c: number): number => 2 * c; // affine

/**
 * One op with C channels in and out on a [T, H, W] input, with a spatial and a temporal stride (a temporal conv
 * runs its spatial part on every frame and strides in time; the other ops see every `temporalStride`-th frame).
 */
export function opCost(name: OpName, C: number, stride: number, T: number, H: number, W: number, temporalStride = 1): Cost {
  const [Ho, Wo] = stride === 2 ? [half(H), half(W)] : [H, W];
  const pos = Math.ceil(T / temporalStride) * Ho * Wo;
  switch (name) {
    case 'none':
    case 'avg_pool_1x3x3':
    case 'max_pool_1x3x3':
      return { params: 0, macs: 0 };
    case 'skip_connect':
      return stride === 1 ? { params: 0, macs: 0 } : { params: C * C + bn(C), macs: pos * C * C };
    case 'sep_conv_1x3x3':
      return { params: 2 * (9 * C + C * C + bn(C)), macs: 2 * pos * (9 * C + C * C) };
    case 'dil_conv_1x3x3':
      return { params: 9 * C + C * C + bn(C), macs: pos * (9 * C + C * C) };
    case 'temporal_conv_3+3x3':
      return { params: 12 * C * C + bn(C), macs: T * Ho * Wo * 9 * C * C + pos * 3 * C * C };
    case 'temporal_conv_3+1x1':
      return { params: 4 * C * C + bn(C), macs: T * Ho * Wo * C * C + pos * 3 * C * C };
  }
}

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
