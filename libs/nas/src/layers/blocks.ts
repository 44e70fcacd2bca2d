/**
 * Parameterised blocks: the candidate operations and the cells' preprocessing. Each is a class holding its
 * variables and BN state; forward passes call the op layer of ../backend/ops. x: [N, T, H, W, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2Plus1d, dilConv, factorizedReduce, sepConv } from '../backend/ops/blocks';
import { spatialAvgPool, spatialConv, spatialMaxPool, temporalSubsample } from '../backend/ops/video';
import type { GNode, GraphBuilder } from '../export/graph-builder';
import { BatchNorm } from './batch-norm';
import type { Ctx } from './context';
import type { Params } from './params';

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
    return this.bn.forward(spatialConv(tf.relu(x), this.w as tf.Tensor4D), ctx);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    return this.bn.emit(g, g.spatialConv(g.relu(x), this.w));
  }
}

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
    return factorizedReduce(x, { path1: this.path1 as tf.Tensor4D, path2: this.path2 as tf.Tensor4D }, (y) => this.bn.forward(y, ctx));
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const r = g.relu(x);
    const shifted = g.subsample(g.pad(r, [[0, 0], [0, 1], [0, 1], [0, 0]]), 1, 1);
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
  constructor(p: Params, readonly kind: 'avg' | 'max', readonly stride: number, channels: number, withBn: boolean) {
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

export class SepConv implements Block {
  private readonly w: { depthwise1: tf.Variable; pointwise1: tf.Variable; depthwise2: tf.Variable; pointwise2: tf.Variable };
  private readonly bn1: BatchNorm;
  private readonly bn2: BatchNorm;
  constructor(p: Params, cin: number, cout: number, readonly stride: number, affine: boolean) {
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
    return sepConv(x, this.w as never, this.stride, (y) => this.bn1.forward(y, ctx), (y) => this.bn2.forward(y, ctx));
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const C = x.shape[3];
    const h = this.bn1.emit(g, g.spatialConv(g.spatialConv(g.relu(x), this.w.depthwise1, { stride: this.stride, groups: C }), this.w.pointwise1));
    return this.bn2.emit(g, g.spatialConv(g.spatialConv(g.relu(h), this.w.depthwise2, { groups: C }), this.w.pointwise2));
  }
}

export class DilConv implements Block {
  private readonly w: { depthwise: tf.Variable; pointwise: tf.Variable };
  private readonly bn: BatchNorm;
  constructor(p: Params, cin: number, cout: number, readonly stride: number, affine: boolean) {
    this.w = { depthwise: p.conv('depthwise', [3, 3, 1, cin]), pointwise: p.conv('pointwise', [1, 1, cin, cout]) };
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    return dilConv(x, this.w as never, this.stride, (y) => this.bn.forward(y, ctx));
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
  constructor(p: Params, cin: number, cout: number, spatialKernel: 1 | 3, readonly stride: number, affine: boolean, readonly temporalStride = 1) {
    this.w = { spatial: p.conv('spatial', [spatialKernel, spatialKernel, cin, cout]), temporal: p.conv('temporal', [3, 1, cout, cout]) };
    this.bn = new BatchNorm(p.scope('bn'), cout, affine);
  }
  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    return conv2Plus1d(x, this.w as never, this.stride, (y) => this.bn.forward(y, ctx), this.temporalStride);
  }
  emit(g: GraphBuilder, x: GNode): GNode {
    const k = this.w.spatial.shape[0];
    return this.bn.emit(g, g.temporalConv(g.spatialConv(g.relu(x), this.w.spatial, { stride: this.stride, pad: (k - 1) / 2 }), this.w.temporal, this.temporalStride));
  }
}
