/**
 * The candidate operations of PV-NAS (paper Tab. 1), in one place as DARTS' operations.py: their names (the
 * order of the alpha columns), the op table `OPS` (one constructor per op), the blocks they build, and what
 * each costs (`opCost`). x: [N, T, H, W, C]; every block also emits itself as graph nodes for export.
 *
 * `C` channels in and out, `stride` 2 on reduction edges leaving the cell inputs, `affine` BN off in search,
 * on when derived. `temporalStride` (T-RC's edges leaving the inputs, when configured): the temporal convs
 * stride in time, the other ops see every `temporalStride`-th frame (`edgeOp`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatChannels, spatialAvgPool, spatialConv, spatialMaxPool, temporalConv, temporalSubsample } from './backend/ops/video';
import type { GNode, GraphBuilder } from './export/graph-builder';
import { BatchNorm } from './layers/batch-norm';
import { relu, type Ctx } from './layers/context';
import type { Params } from './layers/params';

/** Candidate ops of the spatial cells, in the order of their alpha columns. */
export const SPATIAL_OPS = ['none', 'skip_connect', 'avg_pool_1x3x3', 'max_pool_1x3x3', 'sep_conv_1x3x3', 'dil_conv_1x3x3'] as const;
/** Candidate ops of the temporal cells: the spatial ones and two (2+1)D convolutions. */
export const TEMPORAL_OPS = [...SPATIAL_OPS, 'temporal_conv_3+3x3', 'temporal_conv_3+1x1'] as const;

export type OpName = (typeof TEMPORAL_OPS)[number];

/** The ops with weights that convolve (random architectures need a few of them per cell). */
export const CONV_OPS: readonly OpName[] = ['sep_conv_1x3x3', 'dil_conv_1x3x3', 'temporal_conv_3+3x3', 'temporal_conv_3+1x1'];

// --- the op table ---

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

// --- the blocks ---

/** A conv weight variable as the 4-D tensor the video ops take ([kh, kw, Cin, Cout]). */
const w4 = (v: tf.Variable): tf.Tensor4D => v as tf.Tensor4D;

export interface Block {
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D;
  /** The same computation (inference) as graph nodes over the frames layout [N*T, H, W, C]. */
  emit(g: GraphBuilder, x: GNode): GNode;
}

/** `none`: zeros of the output shape (strided when reducing, in time too with a temporal stride). */
export class Zero implements Block {
  constructor(
    readonly stride: number,
    readonly temporalStride = 1,
  ) {}
  forward(x: tf.Tensor5D): tf.Tensor5D {
    const [N, T, H, W, C] = x.shape;
    return tf.zeros([N, Math.ceil(T / this.temporalStride), Math.ceil(H / this.stride), Math.ceil(W / this.stride), C]);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    return g.zeros(g.temporalSubsample(x, this.temporalStride), this.stride);
  }
}

/**
 * A block without temporal extent on an edge that also reduces time: frames 0, s, 2s, ... first, then the
 * block (the same as running it with a temporal stride s and a one-frame kernel, at 1/s of the cost).
 */
export class TemporalStride implements Block {
  constructor(
    readonly inner: Block,
    readonly stride: number,
  ) {}
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    return this.inner.forward(temporalSubsample(x, this.stride), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    return this.inner.emit(g, g.temporalSubsample(x, this.stride));
  }
}

/** skip_connect on a normal edge. */
export class Identity implements Block {
  forward(x: tf.Tensor5D): tf.Tensor5D {
    return x;
  }
  emit(_g: GraphBuilder, x: GNode): GNode {
    return x;
  }
}

/** ReLU, 1x1x1 conv, BN: DARTS' preprocessing of a cell input. */
export class ReLUConvBN implements Block {
  private readonly w: tf.Variable;
  private readonly bn: BatchNorm;
  constructor(p: Params, cin: number, cout: number, affine: boolean) {
    this.w = p.conv('conv', [1, 1, cin, cout]);
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    return this.bn.forward(spatialConv(relu(x, ctx), this.w as tf.Tensor4D), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    return this.bn.emit(g, g.spatialConv(g.relu(x), this.w));
  }
}

/**
 * FactorizedReduce (DARTS): ReLU, two 1x1 stride-2 convs, the second on the input shifted by one pixel
 * (zero-padded at the bottom/right so odd sizes give matching halves), channels concatenated, BN.
 */
export class FactorizedReduce implements Block {
  private readonly path1: tf.Variable;
  private readonly path2: tf.Variable;
  private readonly bn: BatchNorm;
  constructor(p: Params, cin: number, cout: number, affine: boolean) {
    if (cout % 2 !== 0) throw new Error(`FactorizedReduce: output channels ${cout} must be even`);
    this.path1 = p.conv('path1', [1, 1, cin, cout / 2]);
    this.path2 = p.conv('path2', [1, 1, cin, cout / 2]);
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    const r = relu(x, ctx);
    const [N, T, H, W, C] = x.shape;
    const shifted = tf
      .pad(r, [
        [0, 0],
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ])
      .slice([0, 0, 1, 1, 0], [N, T, H, W, C]);
    const halves = [spatialConv(r, w4(this.path1), { stride: 2, pad: 0 }), spatialConv(shifted, w4(this.path2), { stride: 2, pad: 0 })];
    return this.bn.forward(concatChannels(halves), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const r = g.relu(x);
    const shifted = g.subsample(
      g.pad(r, [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ]),
      1,
      1,
    );
    return this.bn.emit(g, g.concat([g.spatialConv(r, this.path1, { stride: 2, pad: 0 }), g.spatialConv(shifted, this.path2, { stride: 2, pad: 0 })], 3));
  }
}

/**
 * A cell's preprocessing of s0 (DARTS): a 1x1 ReLUConvBN, or when the previous cell reduced (s0 is then twice
 * its size) a FactorizedReduce, which also takes every `temporalStride`-th frame when that cell reduced time.
 */
export function cellInput0(p: Params, cin: number, cout: number, affine: boolean, reductionPrev: boolean, temporalStride = 1): Block {
  if (!reductionPrev) return new ReLUConvBN(p, cin, cout, affine);
  const reduce = new FactorizedReduce(p, cin, cout, affine);
  return temporalStride > 1 ? new TemporalStride(reduce, temporalStride) : reduce;
}

/** 1x3x3 pool; in a search edge followed by BN without affine, as DARTS' MixedOp. */
export class Pool implements Block {
  private readonly bn?: BatchNorm;
  constructor(
    p: Params,
    readonly kind: 'avg' | 'max',
    readonly stride: number,
    channels: number,
    withBn: boolean,
  ) {
    if (withBn) this.bn = new BatchNorm(p.scope('bn'), channels, false);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    const y = this.kind === 'avg' ? spatialAvgPool(x, this.stride) : spatialMaxPool(x, this.stride);
    return this.bn ? this.bn.forward(y, ctx) : y;
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const y = this.kind === 'avg' ? g.spatialAvgPool(x, this.stride) : g.spatialMaxPool(x, this.stride);
    return this.bn ? this.bn.emit(g, y) : y;
  }
}

/** sep_conv_1x3x3: (ReLU, depthwise 1x3x3, pointwise, BN) twice; the stride on the first depthwise. */
export class SepConv implements Block {
  private readonly w: { depthwise1: tf.Variable; pointwise1: tf.Variable; depthwise2: tf.Variable; pointwise2: tf.Variable };
  private readonly bn1: BatchNorm;
  private readonly bn2: BatchNorm;
  constructor(
    p: Params,
    cin: number,
    cout: number,
    readonly stride: number,
    affine: boolean,
  ) {
    this.w = {
      depthwise1: p.conv('depthwise1', [3, 3, 1, cin]),
      pointwise1: p.conv('pointwise1', [1, 1, cin, cin]),
      depthwise2: p.conv('depthwise2', [3, 3, 1, cin]),
      pointwise2: p.conv('pointwise2', [1, 1, cin, cout]),
    };
    this.bn1 = new BatchNorm(p.scope('bn1'), cin, affine);
    this.bn2 = new BatchNorm(p.scope('bn2'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    const { depthwise1, pointwise1, depthwise2, pointwise2 } = this.w;
    const h = this.bn1.forward(spatialConv(spatialConv(relu(x, ctx), w4(depthwise1), { stride: this.stride, groups: x.shape[4] }), w4(pointwise1)), ctx);
    return this.bn2.forward(spatialConv(spatialConv(relu(h, ctx), w4(depthwise2), { groups: h.shape[4] }), w4(pointwise2)), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const C = x.shape[3];
    const h = this.bn1.emit(g, g.spatialConv(g.spatialConv(g.relu(x), this.w.depthwise1, { stride: this.stride, groups: C }), this.w.pointwise1));
    return this.bn2.emit(g, g.spatialConv(g.spatialConv(g.relu(h), this.w.depthwise2, { groups: C }), this.w.pointwise2));
  }
}

/** dil_conv_1x3x3: ReLU, depthwise 1x3x3 with dilation 2, pointwise, BN. */
export class DilConv implements Block {
  private readonly w: { depthwise: tf.Variable; pointwise: tf.Variable };
  private readonly bn: BatchNorm;
  constructor(
    p: Params,
    cin: number,
    cout: number,
    readonly stride: number,
    affine: boolean,
  ) {
    this.w = { depthwise: p.conv('depthwise', [3, 3, 1, cin]), pointwise: p.conv('pointwise', [1, 1, cin, cout]) };
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    const dw = spatialConv(relu(x, ctx), w4(this.w.depthwise), { stride: this.stride, dilation: 2, groups: x.shape[4] });
    return this.bn.forward(spatialConv(dw, w4(this.w.pointwise)), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const dw = g.spatialConv(g.relu(x), this.w.depthwise, { stride: this.stride, dilation: 2, groups: x.shape[3] });
    return this.bn.emit(g, g.spatialConv(dw, this.w.pointwise));
  }
}

/** (2+1)D conv: spatial 1xkxk (k = 3 or 1) then temporal 3x1x1 (which carries a temporal stride). */
export class Conv2Plus1d implements Block {
  private readonly w: { spatial: tf.Variable; temporal: tf.Variable };
  private readonly bn: BatchNorm;
  constructor(
    p: Params,
    cin: number,
    cout: number,
    spatialKernel: 1 | 3,
    readonly stride: number,
    affine: boolean,
    readonly temporalStride = 1,
  ) {
    this.w = { spatial: p.conv('spatial', [spatialKernel, spatialKernel, cin, cout]), temporal: p.conv('temporal', [3, 1, cout, cout]) };
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    const k = this.w.spatial.shape[0];
    // a strided 1x1 keeps the top-left sample of each 2x2 block, as PyTorch's 1x1 stride-2 conv
    const h = spatialConv(relu(x, ctx), w4(this.w.spatial), { stride: this.stride, pad: (k - 1) / 2 });
    return this.bn.forward(temporalConv(h, w4(this.w.temporal), this.temporalStride), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const k = this.w.spatial.shape[0];
    return this.bn.emit(
      g,
      g.temporalConv(g.spatialConv(g.relu(x), this.w.spatial, { stride: this.stride, pad: (k - 1) / 2 }), this.w.temporal, this.temporalStride),
    );
  }
}

// --- the cost of an op ---
// Parameters and multiply-accumulates in closed form, per view (batch 1). GFLOPs are reported as GMACs of
// convolutions and the classifier (fvcore / PySlowFast count one multiply-add as one flop); batch norm,
// pooling, ReLU and additions are not counted (well under 1% here). A whole network: derived/cost.ts.

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
