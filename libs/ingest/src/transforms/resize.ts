/**
 * Bilinear resize of a whole frame stack, RGB uint8 `[T, H, W, 3]` -> `[T, outH, outW, 3]`.
 *
 * Convention: half-pixel centres, align_corners=False, no antialias — `torch.nn.functional.interpolate(...,
 * mode='bilinear', align_corners=False)` / OpenCV `INTER_LINEAR` (see `bilinear-axis.ts` for the formula).
 * Weights and sums are computed in float64 and each output value is rounded half up to uint8 (torch on float
 * frames keeps the fraction; the rounding moves a normalised value by at most 0.5 / 255 / 0.225 = 0.0087).
 * Resizing to the source size returns an exact copy.
 *
 * This is the plain reference path; the loader uses `resizeCropNormalize`, which computes only the crop window.
 */
import type { FrameBatch } from '../video/types';
import { bilinearAxis } from './bilinear-axis';
import { checkBatch, requirePositiveInt } from './check';

export function resizeBilinear(batch: FrameBatch, outH: number, outW: number): FrameBatch {
  checkBatch(batch, 'resizeBilinear');
  requirePositiveInt(outH, 'resizeBilinear', 'output height');
  requirePositiveInt(outW, 'resizeBilinear', 'output width');
  const { data: src, frames: T, height: H, width: W } = batch;
  if (outH === H && outW === W) return { data: src.slice(), frames: T, height: H, width: W };

  const rows = bilinearAxis(H, outH);
  const cols = bilinearAxis(W, outW);
  const out = new Uint8Array(T * outH * outW * 3);
  const rowStride = W * 3;
  let o = 0;
  for (let t = 0; t < T; t++) {
    const base = t * H * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = base + rows.lo[oy] * rowStride;
      const r1 = base + rows.hi[oy] * rowStride;
      const fy = rows.frac[oy];
      for (let ox = 0; ox < outW; ox++) {
        const x0 = cols.lo[ox] * 3;
        const x1 = cols.hi[ox] * 3;
        const fx = cols.frac[ox];
        for (let c = 0; c < 3; c++) {
          const a = src[r0 + x0 + c];
          const c0 = src[r1 + x0 + c];
          const top = a + (src[r0 + x1 + c] - a) * fx;
          const bottom = c0 + (src[r1 + x1 + c] - c0) * fx;
          out[o++] = (top + (bottom - top) * fy + 0.5) | 0;
        }
      }
    }
  }
  return { data: out, frames: T, height: outH, width: outW };
}
