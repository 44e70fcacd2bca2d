/**
 * Building blocks of the composite (stock-kernel) window ops, channels-last `[B, H, W, C]`, PyTorch
 * padding. The gradient of a strided, dilated window op w.r.t. its input is a stride-1 correlation of the
 * zero-upsampled output gradient with the flipped kernel, then a crop back to the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pair } from '../geometry';

export function padSpatial(x: tf.Tensor4D, pad: Pair, value = 0): tf.Tensor4D {
  if (pad[0] === 0 && pad[1] === 0) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [pad[0], pad[0]],
      [pad[1], pad[1]],
      [0, 0],
    ],
    value,
  );
}

/** Inserts `dilation - 1` zeros between kernel taps: [kh, kw, a, b] -> [(kh-1)d+1, (kw-1)d+1, a, b]. */
export function dilateKernel(w: tf.Tensor4D, dilation: Pair): tf.Tensor4D {
  const [dh, dw] = dilation;
  if (dh === 1 && dw === 1) return w;
  const [kh, kw, a, b] = w.shape;
  return tf
    .pad(w.reshape([kh, 1, kw, 1, a, b]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ])
    .reshape<tf.Tensor4D>([kh * dh, kw * dw, a, b])
    .slice([0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]);
}

/** Inserts `stride - 1` zero rows/columns between elements: [B, Ho, Wo, C] -> [B, (Ho-1)s+1, (Wo-1)s+1, C]. */
export function upsampleZeros(t: tf.Tensor4D, stride: Pair): tf.Tensor4D {
  const [sh, sw] = stride;
  if (sh === 1 && sw === 1) return t;
  const [B, Ho, Wo, C] = t.shape;
  return tf
    .pad(t.reshape([B, Ho, 1, Wo, 1, C]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ])
    .reshape<tf.Tensor4D>([B, Ho * sh, Wo * sw, C])
    .slice([0, 0, 0, 0], [B, (Ho - 1) * sh + 1, (Wo - 1) * sw + 1, C]);
}

/**
 * Prepares an output gradient for a 'valid' stride-1 correlation with a flipped kernel of effective size
 * `eff` that yields the gradient of the padded input `[B, Hp, Wp, C]` (Hp = H + 2 pad).
 */
export function transposeInput(dy: tf.Tensor4D, stride: Pair, eff: Pair, padded: Pair): tf.Tensor4D {
  const u = upsampleZeros(dy, stride);
  const [, Hu, Wu] = u.shape;
  // rows of the padded input that no window reached (when (Hp - eff) % stride != 0) get zero gradient
  const extraH = padded[0] - (Hu + eff[0] - 1);
  const extraW = padded[1] - (Wu + eff[1] - 1);
  return tf.pad(u, [
    [0, 0],
    [eff[0] - 1, eff[0] - 1 + extraH],
    [eff[1] - 1, eff[1] - 1 + extraW],
    [0, 0],
  ]);
}

/** Crops the gradient of the padded input back to the input. */
export function cropPad(t: tf.Tensor4D, pad: Pair, size: Pair): tf.Tensor4D {
  if (pad[0] === 0 && pad[1] === 0 && t.shape[1] === size[0] && t.shape[2] === size[1]) return t;
  return t.slice([0, pad[0], pad[1], 0], [t.shape[0], size[0], size[1], t.shape[3]]);
}

/** The input elements under kernel tap (i, j) for every output position: [B, Ho, Wo, C]. */
export function tapView(xp: tf.Tensor4D, i: number, j: number, dilation: Pair, stride: Pair, out: Pair): tf.Tensor4D {
  const [B, , , C] = xp.shape;
  const h0 = i * dilation[0],
    w0 = j * dilation[1];
  if (stride[0] === 1 && stride[1] === 1) return xp.slice([0, h0, w0, 0], [B, out[0], out[1], C]);
  return tf.stridedSlice(
    xp,
    [0, h0, w0, 0],
    [B, h0 + (out[0] - 1) * stride[0] + 1, w0 + (out[1] - 1) * stride[1] + 1, C],
    [1, stride[0], stride[1], 1],
  ) as tf.Tensor4D;
}

/** Places a tap's contribution [B, Ho, Wo, C] back into padded-input coordinates [B, Hp, Wp, C]. */
export function placeTap(t: tf.Tensor4D, i: number, j: number, dilation: Pair, stride: Pair, padded: Pair): tf.Tensor4D {
  const u = upsampleZeros(t, stride);
  const h0 = i * dilation[0],
    w0 = j * dilation[1];
  return tf.pad(u, [
    [0, 0],
    [h0, padded[0] - h0 - u.shape[1]],
    [w0, padded[1] - w0 - u.shape[2]],
    [0, 0],
  ]);
}

/** Per-channel sum over every leading axis: [..., C] -> [C]. */
export function channelSum(t: tf.Tensor): tf.Tensor1D {
  const C = t.shape[t.rank - 1];
  return tf.sum(t.reshape([t.size / C, C]), 0);
}
