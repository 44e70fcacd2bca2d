/**
 * Pure helpers of decodeFrames: the output size, the seek point, the `select` expression that keeps only the wanted
 * frames (so only those are scaled and converted), and matching ffmpeg's output frames back to frame indices.
 */
import { resizedSize } from '../transforms/size';
import type { FrameSize } from './types';

/** Output `{width, height}` for a source of `width x height` (already rotated) and an optional FrameSize. */
export function outputSize(size: FrameSize | undefined, width: number, height: number): { width: number; height: number } {
  if (!size) return { width, height };
  if ('shortSide' in size) {
    const [h, w] = resizedSize(height, width, size.shortSide);
    return { width: w, height: h };
  }
  for (const v of [size.width, size.height]) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`frame size must be positive integers, got ${size.width}x${size.height}`);
  }
  return { width: size.width, height: size.height };
}

/** The filter chain after frame selection: bilinear scale and conversion to packed RGB (or BGR) in one swscale pass. */
export function scaleChain(width: number, height: number, pixFmt: 'rgb24' | 'bgr24' = 'rgb24'): string {
  return `scale=${width}:${height}:flags=bilinear,format=${pixFmt}`;
}

/** Runs of consecutive indices in a sorted, duplicate-free list: [[first, last], ...]. */
export function consecutiveRuns(sorted: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const i of sorted) {
    const last = runs[runs.length - 1];
    if (last && i === last[1] + 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

/**
 * Frame i owns the timestamps `[slotStart(i), slotStart(i+1))`: from just past the midpoint with frame i-1 up to the
 * midpoint with frame i+1, in integer ticks. `slotStart(i)` lies in `(pts[i-1], pts[i]]`, so it is pts[i] itself when
 * neighbouring frames are one tick apart (AVI: the time base is the frame duration). Frame 0 starts at -Infinity.
 */
export function slotStart(pts: number[], i: number): number {
  return i <= 0 ? -Infinity : Math.floor((pts[i - 1] + pts[i]) / 2) + 1;
}

/** Exclusive end of frame i's slot; Infinity for the last frame. */
export function slotEnd(pts: number[], i: number): number {
  return i >= pts.length - 1 ? Infinity : slotStart(pts, i + 1);
}

/**
 * `-ss` value (seconds from the container start) for a window starting at frame `first`: the start of its slot,
 * about half a frame before it. ffmpeg's accurate seek then drops frame first-1 and keeps frame `first` however the
 * seconds round to ticks. undefined for frame 0 (no seek at all).
 */
export function seekSeconds(pts: number[], timeBase: [number, number], formatStartTime: number, first: number): number | undefined {
  if (first <= 0) return undefined;
  return (slotStart(pts, first) * timeBase[0]) / timeBase[1] - formatStartTime;
}

/**
 * `select` expression keeping the frames whose timestamp (ticks, as stored in the file: ffmpeg runs with -copyts)
 * falls in a wanted frame's slot. Consecutive frames share one term.
 */
export function selectByPts(pts: number[], sorted: number[]): string {
  const terms = consecutiveRuns(sorted).map(([a, b]) => {
    const lo = slotStart(pts, a);
    const hi = slotEnd(pts, b);
    const parts: string[] = [];
    if (lo !== -Infinity) parts.push(`gte(pts,${lo})`);
    if (hi !== Infinity) parts.push(`lt(pts,${hi})`);
    return parts.length ? parts.join('*') : '1';
  });
  return `select='${terms.join('+')}'`;
}

/** `select` expression by decoded frame number (for files without usable timestamps; decoding from the start). */
export function selectByNumber(sorted: number[]): string {
  const terms = consecutiveRuns(sorted).map(([a, b]) => (a === b ? `eq(n,${a})` : `between(n,${a},${b})`));
  return `select='${terms.join('+')}'`;
}
