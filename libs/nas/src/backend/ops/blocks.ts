/**
 * The composite blocks of the PV-NAS candidate ops as functions of their weights (the module layer of
 * libs/nas holds the variables and the batch-norm state). Shapes: x [N, T, H, W, Cin]; depthwise weights
 * [3, 3, 1, C], pointwise [1, 1, Cin, Cout], temporal [3, 1, C, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import { spatialConv, temporalConv, concatChannels } from './video';

/** Batch norm as the caller keeps it (training statistics, running averages, affine or not). */
export type Norm = (x: tf.Tensor5D) => tf.Tensor5D;

export interface SepConvWeights {
  depthwise1: tf.Tensor4D;
  pointwise1: tf.Tensor4D;
  depthwise2: tf.Tensor4D;
  pointwise2: tf.Tensor4D;
}

/** sep_conv_1x3x3: (ReLU, depthwise 1x3x3, pointwise, BN) twice; the stride on the first depthwise. */
export function sepConv(x: tf.Tensor5D, w: SepConvWeights, stride: number, norm1: Norm, norm2: Norm): tf.Tensor5D {
  const C = x.shape[4];
  const h = norm1(spatialConv(spatialConv(tf.relu(x), w.depthwise1, { stride, groups: C }), w.pointwise1));
  return norm2(spatialConv(spatialConv(tf.relu(h), w.depthwise2, { groups: h.shape[4] }), w.pointwise2));
}

export interface DilConvWeights {
  depthwise: tf.Tensor4D;
  pointwise: tf.Tensor4D;
}

/** dil_conv_1x3x3: ReLU, depthwise 1x3x3 with dilation 2, pointwise, BN. */
export function dilConv(x: tf.Tensor5D, w: DilConvWeights, stride: number, norm: Norm): tf.Tensor5D {
  return norm(spatialConv(spatialConv(tf.relu(x), w.depthwise, { stride, dilation: 2, groups: x.shape[4] }), w.pointwise));
}

export interface Conv2Plus1dWeights {
  /** [3, 3, Cin, Cout] for temporal_conv_3+3x3, [1, 1, Cin, Cout] for temporal_conv_3+1x1. */
  spatial: tf.Tensor4D;
  /** [3, 1, Cout, Cout]. */
  temporal: tf.Tensor4D;
}

/**
 * (2+1)D: ReLU, spatial conv (1x3x3 or 1x1x1, carrying the spatial stride), temporal conv 3x1x1 (carrying the
 * temporal stride), BN.
 */
export function conv2Plus1d(x: tf.Tensor5D, w: Conv2Plus1dWeights, stride: number, norm: Norm, temporalStride = 1): tf.Tensor5D {
  const k = w.spatial.shape[0];
  // a strided 1x1 keeps the top-left sample of each 2x2 block, as PyTorch's 1x1 stride-2 conv
  return norm(temporalConv(spatialConv(tf.relu(x), w.spatial, { stride, pad: (k - 1) / 2 }), w.temporal, temporalStride));
}

export interface FactorizedReduceWeights {
  /** [1, 1, Cin, Cout / 2] each. */
  path1: tf.Tensor4D;
  path2: tf.Tensor4D;
}

/**
 * FactorizedReduce (DARTS): ReLU, two 1x1 stride-2 convs, the second on the input shifted by one pixel
 * (zero-padded at the bottom/right so odd sizes give matching halves), channels concatenated, BN.
 */
export function factorizedReduce(x: tf.Tensor5D, w: FactorizedReduceWeights, norm: Norm): tf.Tensor5D {
  const r = tf.relu(x);
  const [N, T, H, W, C] = x.shape;
  const shifted = tf.pad(r, [[0, 0], [0, 0], [0, 1], [0, 1], [0, 0]]).slice([0, 0, 1, 1, 0], [N, T, H, W, C]);
  return norm(concatChannels([spatialConv(r, w.path1, { stride: 2, pad: 0 }), spatialConv(shifted, w.path2, { stride: 2, pad: 0 })]));
}
