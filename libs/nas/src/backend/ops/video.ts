/**
 * The video layout [N, T, H, W, C] over the 2-D ops: spatial windows fold time into the batch
 * ([N*T, H, W, C]); temporal convolutions fold space into one axis ([N, T, H*W, C], kernel [kt, 1]).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, type Conv2dOptions } from './conv';
import { avgPool2d, maxPool2d } from './pool';
import './route';

function framesOf(x: tf.Tensor5D): tf.Tensor4D {
  const [N, T, H, W, C] = x.shape;
  return x.reshape<tf.Tensor4D>([N * T, H, W, C]);
}

function videoOf(y: tf.Tensor4D, N: number, T: number): tf.Tensor5D {
  const [, H, W, C] = y.shape;
  return y.reshape<tf.Tensor5D>([N, T, H, W, C]);
}

/** 1 x kh x kw convolution, w [kh, kw, Cin/groups, Cout]. */
export function spatialConv(x: tf.Tensor5D, w: tf.Tensor4D, options: Conv2dOptions = {}): tf.Tensor5D {
  return videoOf(conv2d(framesOf(x), w, options), x.shape[0], x.shape[1]);
}

/** kt x 1 x 1 convolution over time, w [kt, 1, Cin, Cout], padding (kt - 1) / 2 frames. */
export function temporalConv(x: tf.Tensor5D, w: tf.Tensor4D, stride = 1): tf.Tensor5D {
  const [N, T, H, W, C] = x.shape;
  if (w.shape[1] !== 1) throw new Error(`temporalConv: w must be [kt, 1, Cin, Cout], got [${w.shape}]`);
  const y = conv2d(x.reshape<tf.Tensor4D>([N, T, H * W, C]), w, { stride: [stride, 1], pad: [(w.shape[0] - 1) / 2, 0] });
  return y.reshape<tf.Tensor5D>([N, y.shape[1], H, W, y.shape[3]]);
}

/**
 * Frames 0, s, 2s, ... of x [N, T, H, W, C]: a temporal stride of s with a kernel of one frame, what the ops
 * without temporal extent do on a reduction edge that also reduces time (PyTorch: stride (s, 2, 2) with a
 * 1x3x3 kernel). ceil(T / s) frames out.
 */
export function temporalSubsample(x: tf.Tensor5D, s: number): tf.Tensor5D {
  if (s === 1) return x;
  const [N, T, H, W, C] = x.shape;
  const To = Math.ceil(T / s);
  const padded =
    To * s > T
      ? tf.pad(x, [
          [0, 0],
          [0, To * s - T],
          [0, 0],
          [0, 0],
          [0, 0],
        ])
      : x;
  return padded
    .reshape([N, To, s, H * W * C])
    .slice([0, 0, 0, 0], [N, To, 1, H * W * C])
    .reshape<tf.Tensor5D>([N, To, H, W, C]);
}

/** 1x3x3 average pool (padding not counted). */
export function spatialAvgPool(x: tf.Tensor5D, stride = 1): tf.Tensor5D {
  return videoOf(avgPool2d(framesOf(x), { kernel: 3, stride }), x.shape[0], x.shape[1]);
}

/** 1x3x3 max pool. */
export function spatialMaxPool(x: tf.Tensor5D, stride = 1): tf.Tensor5D {
  return videoOf(maxPool2d(framesOf(x), { kernel: 3, stride }), x.shape[0], x.shape[1]);
}

/** [N, T, H, W, C] -> [N, C], the mean over time and space. */
export function globalAvgPool(x: tf.Tensor5D): tf.Tensor2D {
  const [N, T, H, W, C] = x.shape;
  return tf.div<tf.Tensor2D>(tf.sum(x.reshape([N, T * H * W, C]), 1), T * H * W);
}

export function concatChannels(xs: tf.Tensor5D[]): tf.Tensor5D {
  return tf.concat(xs, 4);
}
