/**
 * 2-D convolution over channels-last `[B, H, W, Cin]` with weights `[kh, kw, Cin / groups, Cout]`: dense
 * (groups 1) or depthwise (groups = Cin = Cout), any stride and dilation, PyTorch padding. Right forward and
 * backward on every backend (see route.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dOutShape, toPair, type Conv2dAttrs, type Pair } from '../geometry';
import { PVNAS_CONV2D } from '../kernel-names';
import { customOp } from './custom-op';
import { addMacs } from './mac-counter';
import { freshOnWasm } from './linear';
import { routeFor } from './route';
import { channelSum, cropPad, dilateKernel, padSpatial, tapView, transposeInput } from './window';

export interface Conv2dOptions {
  stride?: number | Pair;
  /** Zero padding on each side; default keeps the size at stride 1: dilation * (k - 1) / 2. */
  pad?: number | Pair;
  dilation?: number | Pair;
  groups?: number;
}

export function conv2dAttrs(wShape: readonly number[], o: Conv2dOptions = {}): Conv2dAttrs {
  const dilation = toPair(o.dilation ?? 1);
  const pad = o.pad === undefined ? ([(dilation[0] * (wShape[0] - 1)) / 2, (dilation[1] * (wShape[1] - 1)) / 2] as Pair) : toPair(o.pad);
  if (!Number.isInteger(pad[0]) || !Number.isInteger(pad[1])) throw new Error(`conv2d: kernel [${wShape.slice(0, 2)}] has no same-size padding; pass pad`);
  return { stride: toPair(o.stride ?? 1), pad, dilation, groups: o.groups ?? 1 };
}

function isDepthwise(x: readonly number[], w: readonly number[], groups: number): boolean {
  return groups > 1 && groups === x[3] && w[2] === 1 && w[3] === groups;
}

/** Forward from stock kernels: explicit padding, zero-dilated kernel, 'valid' conv. */
function forward(x: tf.Tensor4D, w: tf.Tensor4D, a: Conv2dAttrs): tf.Tensor4D {
  const xp = padSpatial(x, a.pad);
  const wd = dilateKernel(w, a.dilation);
  if (a.groups === 1) return tf.conv2d(xp, wd, a.stride, 'valid');
  const [kh, kw, , C] = wd.shape;
  return tf.depthwiseConv2d(xp, wd.reshape<tf.Tensor4D>([kh, kw, C, 1]), a.stride, 'valid');
}

/** dL/dx and dL/dw from stock kernels that are right and present on cpu and wasm. */
function gradients(dy: tf.Tensor4D, x: tf.Tensor4D, w: tf.Tensor4D, a: Conv2dAttrs): [tf.Tensor4D, tf.Tensor4D] {
  const [B, H, W, Cin] = x.shape;
  const [kh, kw, , Cout] = w.shape;
  const [, Ho, Wo] = dy.shape;
  const eff: Pair = [a.dilation[0] * (kh - 1) + 1, a.dilation[1] * (kw - 1) + 1];
  const padded: Pair = [H + 2 * a.pad[0], W + 2 * a.pad[1]];
  const wd = tf.reverse(dilateKernel(w, a.dilation), [0, 1]);
  const dyT = transposeInput(dy, a.stride, eff, padded);
  const xp = padSpatial(x, a.pad);
  const P = B * Ho * Wo;
  if (a.groups === 1) {
    const dxp = tf.conv2d(dyT, tf.transpose(wd, [0, 1, 3, 2]), 1, 'valid');
    const dy2 = freshOnWasm(dy.reshape<tf.Tensor2D>([P, Cout])); // a right operand of matMul: see linear.ts
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        // transpose first: wasm's matMul with transposeA is several times slower
        taps.push(tf.matMul(tf.transpose(tapView(xp, i, j, a.dilation, a.stride, [Ho, Wo]).reshape([P, Cin])), dy2));
      }
    return [cropPad(dxp, a.pad, [H, W]), tf.stack(taps).reshape<tf.Tensor4D>([kh, kw, Cin, Cout])];
  }
  const [ekh, ekw] = eff;
  const dxp = tf.depthwiseConv2d(dyT, wd.reshape<tf.Tensor4D>([ekh, ekw, Cin, 1]), 1, 'valid');
  const taps: tf.Tensor1D[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(channelSum(tf.mul(tapView(xp, i, j, a.dilation, a.stride, [Ho, Wo]), dy)));
  return [cropPad(dxp, a.pad, [H, W]), tf.stack(taps).reshape<tf.Tensor4D>([kh, kw, 1, Cout])];
}

export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, options: Conv2dOptions = {}): tf.Tensor4D {
  const a = conv2dAttrs(w.shape, options);
  const [B, Ho, Wo] = conv2dOutShape(x.shape, w.shape, a); // validates, naming the shapes
  addMacs(B * Ho * Wo * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3]);
  if (a.groups !== 1 && !isDepthwise(x.shape, w.shape, a.groups)) {
    throw new Error(`conv2d: groups ${a.groups} with x [${x.shape}] and w [${w.shape}] is neither dense nor depthwise (w [kh, kw, 1, C], groups C)`);
  }
  switch (routeFor(PVNAS_CONV2D)) {
    case 'kernel':
      return tf.engine().runKernel(PVNAS_CONV2D, { x, w }, a as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    case 'stock':
      return forward(x, w, a);
    case 'composite': {
      return customOp<tf.Tensor4D>([x, w], ([xi, wi], save) => {
        save([xi, wi]);
        return {
          value: forward(xi as tf.Tensor4D, wi as tf.Tensor4D, a),
          gradFunc: (dy, [xs, ws]) => gradients(dy, xs as tf.Tensor4D, ws as tf.Tensor4D, a),
        };
      });
    }
  }
}
