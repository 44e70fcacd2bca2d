/**
 * The loader's spatial path in one pass: resize `[T, H, W, 3]` uint8 to `[scaleH, scaleW]` (bilinear, half-pixel
 * centres, no antialias), take the `size x size` window at `(cropY, cropX)`, mirror it when `flip`, normalise to
 * float32 `[T, size, size, 3]`. Only the pixels inside the window are interpolated: row and column tap tables are
 * built for the window alone (the column table already in flipped order), so the cost is `T * size^2 * 3` bilinear
 * samples whatever the source or resized size, and no resized image is allocated.
 *
 * Bit-identical to `normalize(flip?(crop(resizeBilinear(batch, scaleH, scaleW), cropY, cropX, size, size)))`:
 * same tap tables, same arithmetic in the same order (see `bilinear-axis.ts`), same normalisation table.
 *
 * Two loops: when the source already is `scaleH x scaleW`, a gather (crop + flip + table look-up: exact
 * pass-through, 3x faster); otherwise 4 taps per sample. A separable variant (each needed source row interpolated
 * horizontally once, then one vertical lerp per sample) was measured and dropped: no faster for the paper's
 * upscales (0.9-1.1x), 2x slower for downscales from 720p.
 */
import type { FrameBatch } from '../video/types';
import { bilinearAxis } from './bilinear-axis';
import { checkBatch, checkWindow, requirePositiveInt } from './check';
import { normalizeTable } from './normalize';
import type { CropParams, NormalizeConfig } from './types';

export type ResizeCropNormalizeParams = Omit<CropParams, 'shortSide'> & Partial<Pick<CropParams, 'shortSide'>> & NormalizeConfig;

export function resizeCropNormalize(batch: FrameBatch, p: ResizeCropNormalizeParams): Float32Array {
  const item = 'resizeCropNormalize';
  checkBatch(batch, item);
  const { scaleH, scaleW, cropY, cropX, size, flip } = p;
  requirePositiveInt(scaleH, item, 'resized height');
  requirePositiveInt(scaleW, item, 'resized width');
  checkWindow(cropY, cropX, size, size, scaleH, scaleW, item);
  const table = normalizeTable(p.mean, p.std);

  const { data: src, frames: T, height: H, width: W } = batch;
  const out = new Float32Array(T * size * size * 3);
  const rows = bilinearAxis(H, scaleH, cropY, size);
  const cols = bilinearAxis(W, scaleW, cropX, size);

  // Column tables per output value (pixel and channel), in output order: output column ox reads window column
  // k = flip ? size - 1 - ox : ox. Entries are byte offsets inside a source row.
  const n = size * 3;
  const x0 = new Int32Array(n);
  const x1 = new Int32Array(n);
  const fx = new Float64Array(n);
  for (let ox = 0; ox < size; ox++) {
    const k = flip ? size - 1 - ox : ox;
    for (let c = 0; c < 3; c++) {
      x0[ox * 3 + c] = cols.lo[k] * 3 + c;
      x1[ox * 3 + c] = cols.hi[k] * 3 + c;
      fx[ox * 3 + c] = cols.frac[k];
    }
  }

  if (scaleH === H && scaleW === W) gather(src, T, H, W, rows.lo, x0, table, out);
  else fourTap(src, T, H, W, rows, x0, x1, fx, table, out);
  return out;
}

type Rows = ReturnType<typeof bilinearAxis>;

/** Source at the resized size: taps are (d, frac 0), i.e. copy the window, through the table. */
function gather(src: Uint8Array, T: number, H: number, W: number, rowLo: Int32Array, x0: Int32Array, table: Float32Array, out: Float32Array): void {
  const rowStride = W * 3;
  const n = x0.length;
  let o = 0;
  for (let t = 0; t < T; t++) {
    for (let oy = 0; oy < rowLo.length; oy++) {
      const r = (t * H + rowLo[oy]) * rowStride;
      for (let i = 0; i < n; i += 3) {
        out[o++] = table[src[r + x0[i]] * 3];
        out[o++] = table[src[r + x0[i + 1]] * 3 + 1];
        out[o++] = table[src[r + x0[i + 2]] * 3 + 2];
      }
    }
  }
}

function fourTap(
  src: Uint8Array,
  T: number,
  H: number,
  W: number,
  rows: Rows,
  x0: Int32Array,
  x1: Int32Array,
  fx: Float64Array,
  table: Float32Array,
  out: Float32Array,
): void {
  const rowStride = W * 3;
  const n = x0.length;
  let o = 0;
  for (let t = 0; t < T; t++) {
    const base = t * H * rowStride;
    for (let oy = 0; oy < rows.lo.length; oy++) {
      const r0 = base + rows.lo[oy] * rowStride;
      const r1 = base + rows.hi[oy] * rowStride;
      const fy = rows.frac[oy];
      for (let i = 0; i < n; i += 3) {
        const xa = r0 + x0[i];
        const xb = r0 + x1[i];
        const xc = r1 + x0[i];
        const xd = r1 + x1[i];
        const f = fx[i];
        for (let c = 0; c < 3; c++) {
          const a = src[xa + c];
          const cc = src[xc + c];
          const top = a + (src[xb + c] - a) * f;
          const bottom = cc + (src[xd + c] - cc) * f;
          out[o++] = table[((top + (bottom - top) * fy + 0.5) | 0) * 3 + c];
        }
      }
    }
  }
}
