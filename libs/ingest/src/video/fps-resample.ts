/**
 * Which source frame fills each frame of a video resampled to a frame rate: ffmpeg's `fps` filter (4.1, `round=near`,
 * the default), as the frame cache has always run it through the bundled ffmpeg, worked out from the probe's
 * timestamps alone, so the in-process decoder fills a cache with the same frames.
 *
 *  - ffmpeg without -copyts shifts every timestamp by the container start, then the filter rounds each frame's time to
 *    the nearest output tick (1/fps, halves away from zero): q_i = round((pts_i - start) * fps).
 *  - Output ticks run from q_0 up to, not including, the end of the stream rounded the same way: the last frame's pts
 *    plus its duration (the gap to the frame before).
 *  - Tick n shows the last frame whose q_i <= n: a frame is repeated to fill a gap and dropped when a later one rounds
 *    to the same tick.
 * Checked against the bundled ffmpeg on every kind of test file and rate (fps-resample.test.ts).
 */

/** `round(a * b / c)`, halves away from zero, exact (libavutil's av_rescale_rnd with AV_ROUND_NEAR_INF). */
function rescale(a: bigint, b: bigint, c: bigint): bigint {
  if (a < 0n) return -rescale(-a, b, c);
  return (a * b + c / 2n) / c;
}

/** A frame rate as ffmpeg reads a number for one (av_d2q with denominators up to 1001000), as `[num, den]`. */
export function rateFraction(fps: number): [number, number] {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`a frame rate must be positive, got ${fps}`);
  if (Number.isInteger(fps)) return [fps, 1];
  // continued fraction of fps, the last convergent with a denominator <= 1001000
  let [h0, h1, k0, k1] = [1, Math.floor(fps), 0, 1];
  let x = fps - Math.floor(fps);
  while (x > 1e-12) {
    const a = Math.floor(1 / x);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (k2 > 1001000) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    x = 1 / x - a;
  }
  return [h1, k1];
}

/**
 * For each output frame at `fps`, the index of the source frame it shows. `framePts` are the probe's frame timestamps
 * (ascending, in `timeBase` ticks), `startSec` the container start time (the probe's `formatStartTime`).
 */
export function fpsResample(framePts: number[], timeBase: [number, number], startSec: number, fps: number): number[] {
  if (!framePts.length) return [];
  const [num, den] = rateFraction(fps);
  const tbNum = BigInt(timeBase[0]);
  const tbDen = BigInt(timeBase[1]);
  // the start, in microseconds as ffmpeg keeps it, then in stream ticks
  const start = rescale(BigInt(Math.round(startSec * 1e6)), tbDen, tbNum * 1000000n);
  const tick = (pts: bigint): bigint => rescale(pts - start, tbNum * BigInt(num), tbDen * BigInt(den));
  const pts = framePts.map((p) => BigInt(p));
  const q = pts.map(tick);
  const last = pts.length - 1;
  const duration = last > 0 ? pts[last] - pts[last - 1] : 0n;
  const end = tick(pts[last] + duration);
  const out: number[] = [];
  let k = 0;
  for (let n = q[0]; n < end; n++) {
    while (k < last && q[k + 1] <= n) k++;
    out.push(k);
  }
  return out;
}
