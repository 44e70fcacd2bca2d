/** Frame builders for the transforms' tests (not exported from the library). */
import type { FrameBatch } from '../video/types';
import { type Rng } from '@pvnas/base';

/** A batch from nested values `[T][H][W][3]`. */
export function batchOf(frames: number[][][][]): FrameBatch {
  const T = frames.length;
  const H = frames[0].length;
  const W = frames[0][0].length;
  return { data: Uint8Array.from(frames.flat(3)), frames: T, height: H, width: W };
}

/** A batch of uniform random bytes. */
export function randomBatch(rng: Rng, T: number, H: number, W: number): FrameBatch {
  const data = new Uint8Array(T * H * W * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  return { data, frames: T, height: H, width: W };
}

/** Pixel `(t, y, x)` holds `[y, x, t]`, so a crop or flip can be read off its values. */
export function coordinateBatch(T: number, H: number, W: number): FrameBatch {
  const data = new Uint8Array(T * H * W * 3);
  let i = 0;
  for (let t = 0; t < T; t++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        data[i++] = y;
        data[i++] = x;
        data[i++] = t;
      }
    }
  }
  return { data, frames: T, height: H, width: W };
}

/** The `[3]` pixel at `(t, y, x)`. */
export function pixel(b: { data: ArrayLike<number>; height: number; width: number }, t: number, y: number, x: number): number[] {
  const i = ((t * b.height + y) * b.width + x) * 3;
  return [b.data[i], b.data[i + 1], b.data[i + 2]];
}
