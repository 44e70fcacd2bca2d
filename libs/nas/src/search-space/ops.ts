/**
 * The op table: one constructor per candidate op, as DARTS' OPS dictionary. `C` channels in and out,
 * `stride` 2 on reduction edges leaving the cell inputs, `affine` BN off in search, on when derived.
 * `temporalStride` (T-RC's edges leaving the inputs, when configured): the temporal convs stride in time, the
 * other ops see every `temporalStride`-th frame (`edgeOp`).
 */
import { Conv2Plus1d, DilConv, FactorizedReduce, Identity, Pool, SepConv, TemporalStride, Zero, type Block } from '../layers/blocks';
import type { Params } from '../layers/params';
import type { OpName } from './op-names';

export type OpFactory = (p: Params, C: number, stride: number, affine: boolean, temporalStride?: number) => Block;

/** The op `name` on an edge with a spatial and a temporal stride. */
export function edgeOp(name: OpName, p: Params, C: number, stride: number, affine: boolean, temporalStride = 1): Block {
  const temporal = name === 'none' || name.startsWith('temporal_conv');
  const block = OPS[name](p, C, stride, affine, temporal ? temporalStride : 1);
  return temporal || temporalStride === 1 ? block : new TemporalStride(block, temporalStride);
}

export const OPS: Record<OpName, OpFactory> = {
  none: (_p, _C, stride, _affine, temporalStride) => new Zero(stride, temporalStride),
  skip_connect: (p, C, stride, affine) => (stride === 1 ? new Identity() : new FactorizedReduce(p, C, C, affine)),
  avg_pool_1x3x3: (p, C, stride, affine) => new Pool(p, 'avg', stride, C, !affine),
  max_pool_1x3x3: (p, C, stride, affine) => new Pool(p, 'max', stride, C, !affine),
  sep_conv_1x3x3: (p, C, stride, affine) => new SepConv(p, C, C, stride, affine),
  dil_conv_1x3x3: (p, C, stride, affine) => new DilConv(p, C, C, stride, affine),
  'temporal_conv_3+3x3': (p, C, stride, affine, temporalStride) => new Conv2Plus1d(p, C, C, 3, stride, affine, temporalStride),
  'temporal_conv_3+1x1': (p, C, stride, affine, temporalStride) => new Conv2Plus1d(p, C, C, 1, stride, affine, temporalStride),
};
