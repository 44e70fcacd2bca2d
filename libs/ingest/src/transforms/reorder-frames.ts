/**
 * Reordering the frames of the clips of a batch (a clip keeps its frames, only their order changes):
 * - shuffled, for the frame-order ablation of evaluation (how much a model relies on time);
 * - reversed, for time-reversal augmentation on data whose classes come in time-reversed pairs.
 * Pure: a clip's order depends only on its own seed or flag, however it is batched.
 */
import { permutation } from '@pvnas/base';

type Shape5 = readonly [number, number, number, number, number];

/** data float32 `[B, T, H, W, C]` -> a new array whose clip b holds frames `orders[b][0], orders[b][1], ...`. */
export function reorderClipFrames(data: Float32Array, shape: Shape5, orders: ReadonlyArray<readonly number[]>): Float32Array {
  const [B, T, H, W, C] = shape;
  if (data.length !== B * T * H * W * C) throw new RangeError(`reorderClipFrames: data has ${data.length} values, shape [${shape}] needs ${B * T * H * W * C}`);
  if (orders.length !== B) throw new RangeError(`reorderClipFrames: ${orders.length} orders for ${B} clips`);
  const frame = H * W * C;
  const out = new Float32Array(data.length);
  for (let b = 0; b < B; b++) {
    if (orders[b].length !== T) throw new RangeError(`reorderClipFrames: clip ${b} order has ${orders[b].length} frames, not ${T}`);
    for (let t = 0; t < T; t++) out.set(data.subarray((b * T + orders[b][t]) * frame, (b * T + orders[b][t] + 1) * frame), (b * T + t) * frame);
  }
  return out;
}

/** Each clip's frames in the order `permutation(T, seeds[b])`. */
export function shuffleClipFrames(data: Float32Array, shape: Shape5, seeds: ArrayLike<number>): Float32Array {
  if (seeds.length !== shape[0]) throw new RangeError(`shuffleClipFrames: ${seeds.length} seeds for ${shape[0]} clips`);
  return reorderClipFrames(
    data,
    shape,
    Array.from(seeds, (s) => permutation(shape[1], s)),
  );
}

/** Clips with `reverse[b]` played backwards, the others as they are. */
export function reverseClipFrames(data: Float32Array, shape: Shape5, reverse: ArrayLike<boolean>): Float32Array {
  if (reverse.length !== shape[0]) throw new RangeError(`reverseClipFrames: ${reverse.length} flags for ${shape[0]} clips`);
  const T = shape[1];
  const forward = Array.from({ length: T }, (_, t) => t);
  return reorderClipFrames(
    data,
    shape,
    Array.from(reverse, (r) => (r ? [...forward].reverse() : forward)),
  );
}
