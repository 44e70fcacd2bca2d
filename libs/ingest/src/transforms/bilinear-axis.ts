/**
 * One axis of bilinear resampling with half-pixel centres (align_corners=False): the convention of
 * `torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False)` and of OpenCV's
 * `INTER_LINEAR`. Output sample `d` of an axis resized from `inSize` to `outSize` reads the source at
 *
 *     src = (d + 0.5) * inSize / outSize - 0.5,   clamped below at 0,
 *     lo = floor(src),  hi = min(lo + 1, inSize - 1),  frac = src - lo,
 *
 * and is `v[lo] + (v[hi] - v[lo]) * frac`. There is no antialiasing: when shrinking by more than 2x, source
 * pixels between the two taps are skipped (as in PySlowFast, which calls `interpolate` on the frames).
 * Resizing an axis to its own size gives `src = d`, `frac = 0`: the identity, exactly.
 *
 * In two dimensions, with taps `a` (lo row, lo col), `b` (lo row, hi col), `c` (hi row, lo col), `d` (hi row,
 * hi col), every resize path of the module evaluates, in float64 and in this order,
 *
 *     top = a + (b - a) * fx;  bottom = c + (d - c) * fx;  value = (top + (bottom - top) * fy + 0.5) | 0
 *
 * (round half up; the value of a convex combination of uint8 lies in [0, 255]). The expression is written out
 * in each hot loop rather than called (a call per sample measured 2.5x slower under tsx); the fused == composed
 * tests check that the copies agree bit for bit.
 */

/** Tap tables for output samples `start .. start + count - 1` of one axis. */
export interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

export function bilinearAxis(inSize: number, outSize: number, start = 0, count = outSize - start): AxisTaps {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const frac = new Float64Array(count);
  const scale = inSize / outSize;
  const last = inSize - 1;
  for (let i = 0; i < count; i++) {
    let src = (start + i + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    let l = Math.floor(src);
    if (l > last) l = last; // cannot happen for outSize >= 1 (src < inSize - 0.5), kept as a guard
    lo[i] = l;
    hi[i] = l < last ? l + 1 : last;
    frac[i] = src - l;
  }
  return { lo, hi, frac };
}
