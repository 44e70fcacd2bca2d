/**
 * Parameters and multiply-accumulates of a derived network in closed form, per view (batch 1). GFLOPs are
 * reported as GMACs of convolutions and the classifier (fvcore / PySlowFast count one multiply-add as one
 * flop); batch norm, pooling, ReLU and additions are not counted (well under 1% here).
 */
import type { Genotype } from '../search-space/genotype';
import { isReduction, type CellType, type OpName } from '../search-space/op-names';
import { STEM_MULTIPLIER } from './derived-network';

export interface Cost {
  params: number;
  macs: number;
}

const half = (n: number): number => Math.ceil(n / 2);
const bn = (c: number): number => 2 * c; // affine

/** One op with C channels in and out on a [T, H, W] input. */
export function opCost(name: OpName, C: number, stride: number, T: number, H: number, W: number): Cost {
  const [Ho, Wo] = stride === 2 ? [half(H), half(W)] : [H, W];
  const pos = T * Ho * Wo;
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
      return { params: 12 * C * C + bn(C), macs: pos * 12 * C * C };
    case 'temporal_conv_3+1x1':
      return { params: 4 * C * C + bn(C), macs: pos * 4 * C * C };
  }
}

export interface NetworkShape {
  channels: number;
  classes: number;
  layout: CellType[];
  stemStride: number;
  frames: number;
  size: number;
}

export function networkCost(g: Genotype, n: NetworkShape): Cost & { cells: Cost[] } {
  const Cs = STEM_MULTIPLIER * n.channels;
  let H = Math.ceil(n.size / n.stemStride);
  const T = n.frames;
  let total: Cost = { params: 27 * Cs + bn(Cs), macs: T * H * H * 27 * Cs };
  let [Cpp, Cp, C] = [Cs, Cs, n.channels];
  const cells: Cost[] = [];
  for (const type of n.layout) {
    const reduction = isReduction(type);
    if (reduction) C *= 2;
    const cell: Cost = { params: 0, macs: 0 };
    // both preprocessings output [T, H, H, C]: a 1x1 conv of s0 and s1, or after a reduction (s0 twice as
    // large) a FactorizedReduce, whose two strided 1x1 halves cost the same
    cell.params += Cpp * C + bn(C);
    cell.macs += T * H * H * Cpp * C;
    cell.params += Cp * C + bn(C);
    cell.macs += T * H * H * Cp * C;
    const gc = g.cells[type];
    gc.edges.forEach(([op, input]) => {
      const stride = reduction && input < 2 ? 2 : 1;
      const inSize = reduction && input >= 2 ? half(H) : H;
      const c = opCost(op, C, stride, T, inSize, inSize);
      cell.params += c.params;
      cell.macs += c.macs;
    });
    cells.push(cell);
    total = { params: total.params + cell.params, macs: total.macs + cell.macs };
    if (reduction) H = half(H);
    [Cpp, Cp] = [Cp, gc.concat.length * C];
  }
  total = { params: total.params + Cp * n.classes + n.classes, macs: total.macs + Cp * n.classes };
  return { ...total, cells };
}
