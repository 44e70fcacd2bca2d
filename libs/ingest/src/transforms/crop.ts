/** Spatial crop of a frame stack: the `h x w` window at row `y`, column `x` of every frame, `[T, h, w, 3]`. */
import type { FrameBatch } from '../video/types';
import { checkBatch, checkWindow } from './check';

export function crop(batch: FrameBatch, y: number, x: number, h: number, w: number): FrameBatch {
  checkBatch(batch, 'crop');
  const { data: src, frames: T, height: H, width: W } = batch;
  checkWindow(y, x, h, w, H, W, 'crop');
  const out = new Uint8Array(T * h * w * 3);
  const rowBytes = w * 3;
  let o = 0;
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < h; r++) {
      const s = ((t * H + y + r) * W + x) * 3;
      out.set(src.subarray(s, s + rowBytes), o);
      o += rowBytes;
    }
  }
  return { data: out, frames: T, height: h, width: w };
}
