/**
 * Temporal sampling (paper 4.2, PySlowFast conventions), as pure functions of the video length.
 *
 * A clip is a window of `windowFrames` frames at `targetFps` (default 64 at 30 fps, i.e. 64/30 s of video),
 * mapped to the source rate: the window spans `windowFrames / targetFps * sourceFps` source frames. Inside it,
 * `numFrames` indices (default 8) are `linspace(start, start + span - 1, numFrames)`, clamped to
 * `[0, videoFrames - 1]` and truncated toward zero. A video shorter than the window has `start = 0` and its
 * indices past the end clamp to the last frame (the last frame repeats).
 *
 * Train: `start` is uniform in `[0, max(videoFrames - span, 0)]` (a float, as PySlowFast draws it).
 * Test: `numClips` (default 10) windows at `start_i = delta * i / numClips`, i = 0..numClips-1, with
 * `delta = max(videoFrames - span, 0)` — PySlowFast's spacing, kept so 30-view figures are comparable with
 * numbers reported by PySlowFast-based papers (the last window ends `delta / numClips` frames before the end).
 */
import { IngestError } from '../errors';
import { DEFAULT_TEST_CLIPS, type Rng } from '@pvnas/base';

export interface TemporalConfig {
  /** Frames sampled per clip (paper: 8). */
  numFrames: number;
  /** Window length in frames at `targetFps` (paper: 64). */
  windowFrames: number;
  /** Rate the window length is expressed in (paper: 30). */
  targetFps: number;
}

export const DEFAULT_TEMPORAL: TemporalConfig = { numFrames: 8, windowFrames: 64, targetFps: 30 };

function checkVideo(videoFrames: number, sourceFps: number): void {
  if (!Number.isInteger(videoFrames) || videoFrames < 1) {
    throw new IngestError('bad-config', 'temporal sampling', `video frame count must be a positive integer, got ${videoFrames}`);
  }
  if (!(sourceFps > 0) || !Number.isFinite(sourceFps)) {
    throw new IngestError('bad-config', 'temporal sampling', `source fps must be a positive number, got ${sourceFps}`);
  }
}

export function validateTemporalConfig(cfg: TemporalConfig): TemporalConfig {
  const { numFrames, windowFrames, targetFps } = cfg;
  if (!Number.isInteger(numFrames) || numFrames < 1) {
    throw new IngestError('bad-config', 'numFrames', `must be a positive integer, got ${numFrames}`);
  }
  if (!(windowFrames >= 1)) throw new IngestError('bad-config', 'windowFrames', `must be >= 1, got ${windowFrames}`);
  if (!(targetFps > 0)) throw new IngestError('bad-config', 'targetFps', `must be > 0, got ${targetFps}`);
  return cfg;
}

/** Window length in source frames: `windowFrames / targetFps * sourceFps`. */
export function windowSpan(sourceFps: number, cfg: TemporalConfig = DEFAULT_TEMPORAL): number {
  return (cfg.windowFrames / cfg.targetFps) * sourceFps;
}

/** The `numFrames` indices of the window starting at `start` (a float), clamped and truncated. */
export function clipIndices(start: number, span: number, videoFrames: number, numFrames: number): number[] {
  const end = start + span - 1;
  const last = videoFrames - 1;
  const out: number[] = [];
  for (let i = 0; i < numFrames; i++) {
    const t = numFrames === 1 ? start : start + ((end - start) * i) / (numFrames - 1);
    out.push(Math.trunc(Math.min(Math.max(t, 0), last)));
  }
  return out;
}

/** How far a window can start: `max(videoFrames - span, 0)`. */
export function maxStart(videoFrames: number, sourceFps: number, cfg: TemporalConfig = DEFAULT_TEMPORAL): number {
  return Math.max(videoFrames - windowSpan(sourceFps, cfg), 0);
}

/** One training clip: a random window (one draw from `rng`), `numFrames` indices. */
export function sampleTrainIndices(videoFrames: number, sourceFps: number, rng: Rng, cfg: TemporalConfig = DEFAULT_TEMPORAL): number[] {
  checkVideo(videoFrames, sourceFps);
  const start = rng.next() * maxStart(videoFrames, sourceFps, cfg);
  return clipIndices(start, windowSpan(sourceFps, cfg), videoFrames, cfg.numFrames);
}

/** The `numClips` test windows, evenly spaced (PySlowFast spacing, see the module comment). */
export function sampleTestIndices(
  videoFrames: number,
  sourceFps: number,
  numClips: number = DEFAULT_TEST_CLIPS,
  cfg: TemporalConfig = DEFAULT_TEMPORAL,
): number[][] {
  checkVideo(videoFrames, sourceFps);
  if (!Number.isInteger(numClips) || numClips < 1) {
    throw new IngestError('bad-config', 'numClips', `must be a positive integer, got ${numClips}`);
  }
  const delta = maxStart(videoFrames, sourceFps, cfg);
  const span = windowSpan(sourceFps, cfg);
  return Array.from({ length: numClips }, (_, i) => clipIndices((delta * i) / numClips, span, videoFrames, cfg.numFrames));
}
