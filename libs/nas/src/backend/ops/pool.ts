/**
 * 2-D average pool (padding not counted, as PyTorch's count_include_pad=False) and max pool (each window's
 * gradient goes to its first arg-max, so ties neither split nor lose it), channels-last `[B, H, W, C]`,
 * PyTorch padding. Right forward and backward on every backend (see route.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { outSize, pool2dOutShape, toPair, type Pair, type Pool2dAttrs } from '../geometry';
import { PVNAS_AVG_POOL, PVNAS_MAX_POOL } from '../kernel-names';
import { customOp } from './custom-op';
import { routeFor } from './route';
import { cropPad, padSpatial, placeTap, tapView, transposeInput } from './window';

export interface Pool2dOptions {
  kernel?: number | Pair;
  stride?: number | Pair;
  /** Default: kernel / 2 rounded down (size-keeping at stride 1 for odd kernels). */
  pad?: number | Pair;
}

export function pool2dAttrs(o: Pool2dOptions = {}): Pool2dAttrs {
  const kernel = toPair(o.kernel ?? 3);
  return { kernel, stride: toPair(o.stride ?? 1), pad: o.pad === undefined ? [Math.floor(kernel[0] / 2), Math.floor(kernel[1] / 2)] : toPair(o.pad) };
}

/** How many real (unpadded) input elements each output window covers: [1, Ho, Wo, 1]. */
function windowCounts(H: number, W: number, a: Pool2dAttrs): tf.Tensor4D {
  const Ho = outSize(H, a.kernel[0], a.stride[0], a.pad[0]);
  const Wo = outSize(W, a.kernel[1], a.stride[1], a.pad[1]);
  const span = (o: number, size: number, k: number, s: number, p: number): number => Math.min(o * s - p + k, size) - Math.max(o * s - p, 0);
  const counts = new Float32Array(Ho * Wo);
  for (let i = 0; i < Ho; i++)
    for (let j = 0; j < Wo; j++) counts[i * Wo + j] = span(i, H, a.kernel[0], a.stride[0], a.pad[0]) * span(j, W, a.kernel[1], a.stride[1], a.pad[1]);
  return tf.tensor4d(counts, [1, Ho, Wo, 1]);
}

function avgForward(x: tf.Tensor4D, a: Pool2dAttrs): tf.Tensor4D {
  const sums = tf.mul(tf.avgPool(padSpatial(x, a.pad), a.kernel, a.stride, 'valid'), a.kernel[0] * a.kernel[1]);
  return tf.div<tf.Tensor4D>(sums, windowCounts(x.shape[1], x.shape[2], a));
}

function avgGradient(dy: tf.Tensor4D, x: tf.Tensor4D, a: Pool2dAttrs): tf.Tensor4D {
  const [, H, W, C] = x.shape;
  const g = tf.div<tf.Tensor4D>(dy, windowCounts(H, W, a));
  const padded: Pair = [H + 2 * a.pad[0], W + 2 * a.pad[1]];
  const spread = tf.depthwiseConv2d(
    transposeInput(g, a.stride, a.kernel, padded),
    tf.ones([a.kernel[0], a.kernel[1], C, 1]).as4D(a.kernel[0], a.kernel[1], C, 1),
    1,
    'valid',
  );
  return cropPad(spread, a.pad, [H, W]);
}

function maxForward(x: tf.Tensor4D, a: Pool2dAttrs): tf.Tensor4D {
  return tf.maxPool(padSpatial(x, a.pad, -Infinity), a.kernel, a.stride, 'valid');
}

/** Scans the taps in order; a window's gradient goes to the first tap equal to its maximum. */
function maxGradient(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, a: Pool2dAttrs): tf.Tensor4D {
  const [, H, W] = x.shape;
  const [, Ho, Wo] = y.shape;
  const xp = padSpatial(x, a.pad, -Infinity);
  const padded: Pair = [xp.shape[1], xp.shape[2]];
  let taken = tf.zerosLike(dy);
  let acc: tf.Tensor4D | undefined;
  for (let i = 0; i < a.kernel[0]; i++)
    for (let j = 0; j < a.kernel[1]; j++) {
      const isMax = tf.cast(tf.equal(tapView(xp, i, j, [1, 1], a.stride, [Ho, Wo]), y), 'float32');
      const first = tf.mul<tf.Tensor4D>(isMax, tf.sub(1, taken));
      taken = tf.add<tf.Tensor4D>(taken, first);
      const part = placeTap(tf.mul<tf.Tensor4D>(dy, first), i, j, [1, 1], a.stride, padded);
      acc = acc ? tf.add<tf.Tensor4D>(acc, part) : part;
    }
  return cropPad(acc!, a.pad, [H, W]);
}

/**
 * One pool op over its three routes: our kernel, the stock forward with tfjs's gradient, or the stock forward
 * with our gradient (`saveOutput`: the gradient also needs the forward's output).
 */
function poolOp(
  kernelName: string,
  x: tf.Tensor4D,
  options: Pool2dOptions,
  forward: (x: tf.Tensor4D, a: Pool2dAttrs) => tf.Tensor4D,
  gradient: (dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, a: Pool2dAttrs) => tf.Tensor4D,
): tf.Tensor4D {
  const a = pool2dAttrs(options);
  pool2dOutShape(x.shape, a); // validates, naming the shapes
  switch (routeFor(kernelName)) {
    case 'kernel':
      return tf.engine().runKernel(kernelName, { x }, a as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    case 'stock':
      return forward(x, a);
    case 'composite':
      return customOp<tf.Tensor4D>([x], ([xi], save) => {
        const y = forward(xi as tf.Tensor4D, a);
        save([xi, y]);
        return { value: y, gradFunc: (dy, [xs, ys]) => gradient(dy, xs as tf.Tensor4D, ys as tf.Tensor4D, a) };
      });
  }
}

export function avgPool2d(x: tf.Tensor4D, options: Pool2dOptions = {}): tf.Tensor4D {
  return poolOp(PVNAS_AVG_POOL, x, options, avgForward, (dy, xs, _y, a) => avgGradient(dy, xs, a));
}

export function maxPool2d(x: tf.Tensor4D, options: Pool2dOptions = {}): tf.Tensor4D {
  return poolOp(PVNAS_MAX_POOL, x, options, maxForward, maxGradient);
}
