/**
 * Frame-order ablation: the frames of every clip of a batch put in a seeded random order (a clip keeps its
 * frames, only their order changes). Evaluating with it shows how much a model relies on time. Pure:
 * `seeds[b]` fixes clip b's permutation, so a view gets the same order however it is batched.
 */
import { permutation } from '../pool/clip-loader';

/** data float32 `[B, T, H, W, C]` -> a new array with clip b's frames in the order `permutation(T, seeds[b])`. */
export function shuffleClipFrames(data: Float32Array, shape: readonly [number, number, number, number, number], seeds: ArrayLike<number>): Float32Array {
  const [B, T, H, W, C] = shape;
  if (data.length !== B * T * H * W * C) throw new RangeError(`shuffleClipFrames: data has ${data.length} values, shape [${shape}] needs ${B * T * H * W * C}`);
  if (seeds.length !== B) throw new RangeError(`shuffleClipFrames: ${seeds.length} seeds for ${B} clips`);
  const frame = H * W * C;
  const out = new Float32Array(data.length);
  for (let b = 0; b < B; b++) {
    const order = permutation(T, seeds[b]);
    for (let t = 0; t < T; t++) out.set(data.subarray((b * T + order[t]) * frame, (b * T + order[t] + 1) * frame), (b * T + t) * frame);
  }
  return out;
}
