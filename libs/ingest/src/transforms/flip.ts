/** Horizontal (left-right) mirror of every frame of a `[T, H, W, 3]` stack; pixel (y, x) <- (y, W - 1 - x). */
import type { FrameBatch } from '../video/types';
import { checkBatch } from './check';

export function flipHorizontal(batch: FrameBatch): FrameBatch {
  checkBatch(batch, 'flipHorizontal');
  const { data: src, frames: T, height: H, width: W } = batch;
  const out = new Uint8Array(src.length);
  const rowBytes = W * 3;
  for (let row = 0; row < T * H; row++) {
    const start = row * rowBytes;
    for (let x = 0; x < W; x++) {
      const s = start + x * 3;
      const d = start + (W - 1 - x) * 3;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  }
  return { data: out, frames: T, height: H, width: W };
}
