/**
 * The stem: RGB frames to `STEM_MULTIPLIER * C` channels before the first cell, with 1x3x3 convolutions (no
 * temporal extent), at spatial stride 1, 2 or 4.
 *
 *   stride 1, 2  one conv and BN (DARTS' CIFAR stem); the search network's default is 2 (112 -> 56).
 *   stride 4     two stride-2 convs, 3 -> 3C/2 -> 3C, BN after each and a ReLU between (DARTS' ImageNet
 *                stem0), so every pixel is seen; the retraining network's default (224 -> 56).
 *
 * Search at 112 with stride 2 and retraining at 224 with stride 4 give the cells the same geometry: an object
 * covers as many cell positions in both, so what the search learns about receptive fields carries over.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spatialConv } from '../backend/ops/video';
import type { GNode, GraphBuilder } from '../export/graph-builder';
import { BatchNorm } from './batch-norm';
import { relu, type Ctx } from './context';
import type { Params } from './params';
import { type Block } from '../operations';

/** Stem output channels per initial channel (DARTS' stem multiplier). */
export const STEM_MULTIPLIER = 3;
export const STEM_STRIDES = [1, 2, 4] as const;
export type StemStride = (typeof STEM_STRIDES)[number];

interface StemConv {
  w: tf.Variable;
  bn: BatchNorm;
  stride: number;
}

export class Stem implements Block {
  private readonly convs: StemConv[];

  /** `channels`: the network's initial channels C (the stem outputs 3C). */
  constructor(
    p: Params,
    channels: number,
    readonly stride: number,
  ) {
    if (!(STEM_STRIDES as readonly number[]).includes(stride)) throw new Error(`stem stride must be 1, 2 or 4, got ${stride}`);
    const out = STEM_MULTIPLIER * channels;
    if (stride === 4) {
      if (out % 2 !== 0) throw new Error(`a stride-4 stem halves ${out} channels in its first conv: give an even channel count`);
      this.convs = [
        { w: p.conv('conv1', [3, 3, 3, out / 2]), bn: new BatchNorm(p.scope('bn1'), out / 2, true), stride: 2 },
        { w: p.conv('conv2', [3, 3, out / 2, out]), bn: new BatchNorm(p.scope('bn2'), out, true), stride: 2 },
      ];
    } else {
      this.convs = [{ w: p.conv('conv', [3, 3, 3, out]), bn: new BatchNorm(p.scope('bn'), out, true), stride }];
    }
  }

  forward(x: tf.Tensor5D, ctx: Ctx): tf.Tensor5D {
    return this.convs.reduce((h, c, i) => c.bn.forward(spatialConv(i > 0 ? relu(h, ctx) : h, c.w as tf.Tensor4D, { stride: c.stride }), ctx), x);
  }

  emit(g: GraphBuilder, x: GNode): GNode {
    return this.convs.reduce((h, c, i) => c.bn.emit(g, g.spatialConv(i > 0 ? g.relu(h) : h, c.w, { stride: c.stride })), x);
  }
}

/** Parameters and multiply-accumulates of the stem on `frames` x `size` x `size` RGB, and its output size. */
export function stemCost(channels: number, stride: number, frames: number, size: number): { params: number; macs: number; size: number } {
  const out = STEM_MULTIPLIER * channels;
  const layers =
    stride === 4
      ? [
          [3, out / 2, 2],
          [out / 2, out, 2],
        ]
      : [[3, out, stride]];
  let params = 0;
  let macs = 0;
  let H = size;
  for (const [cin, cout, s] of layers) {
    H = Math.ceil(H / s);
    params += 9 * cin * cout + 2 * cout; // conv + affine BN
    macs += frames * H * H * 9 * cin * cout;
  }
  return { params, macs, size: H };
}
