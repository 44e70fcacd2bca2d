/**
 * How the test views of a video are numbered, for the clip loader that makes them (libs/ingest) and the
 * evaluation that scores them (libs/nas), one definition for both:
 *
 * - `clip` is the temporal window, 0..numClips-1 (default 10), in time order: window i starts at
 *   `delta * i / numClips` (PySlowFast's spacing, libs/ingest/src/sampling/temporal.ts).
 * - `crop` is the index into `testCropParams` (libs/ingest/src/transforms/params.ts): 0 = left (landscape) or
 *   top (portrait), 1 = centre, 2 = right or bottom.
 * - `view = clip * 3 + crop`: the 30 default views are clip 0 crops 0,1,2 (views 0,1,2), clip 1 (views 3,4,5),
 *   ..., clip 9 (27,28,29).
 */

export const CROPS_PER_CLIP = 3;
export const DEFAULT_TEST_CLIPS = 10;
/** 10 temporal clips x 3 spatial crops (docs/architecture.md, "Defaults"). */
export const DEFAULT_TEST_VIEWS = DEFAULT_TEST_CLIPS * CROPS_PER_CLIP;
export const CENTRE_CROP = 1;
export const CROP_NAMES = ['left/top', 'centre', 'right/bottom'] as const;

function requireClips(numClips: number): void {
  if (!Number.isInteger(numClips) || numClips < 1) throw new RangeError(`numClips must be a positive integer, got ${numClips}`);
}

/** The view index of `crop` (0..2) of temporal `clip` (0..numClips-1). */
export function viewIndex(clip: number, crop: number, numClips: number = DEFAULT_TEST_CLIPS): number {
  requireClips(numClips);
  if (!Number.isInteger(clip) || clip < 0 || clip >= numClips) {
    throw new RangeError(`clip must be an integer in [0, ${numClips - 1}], got ${clip}`);
  }
  if (!Number.isInteger(crop) || crop < 0 || crop >= CROPS_PER_CLIP) {
    throw new RangeError(`crop must be 0, 1 or 2 (left/top, centre, right/bottom), got ${crop}`);
  }
  return clip * CROPS_PER_CLIP + crop;
}

/** The temporal clip and spatial crop of view index `view`. */
export function clipAndCrop(view: number): { clip: number; crop: number } {
  if (!Number.isInteger(view) || view < 0) throw new RangeError(`view must be a non-negative integer, got ${view}`);
  return { clip: Math.floor(view / CROPS_PER_CLIP), crop: view % CROPS_PER_CLIP };
}

/** The temporal clip of the single view: the middle one, `floor(numClips / 2)` (clip 5 of 10). */
export function centreClip(numClips: number = DEFAULT_TEST_CLIPS): number {
  requireClips(numClips);
  return Math.floor(numClips / 2);
}

/**
 * The single view of a video: the centre crop of the middle temporal clip. With PySlowFast's spacing that clip
 * starts at `delta * floor(n/2) / n`; for the default 10 clips that is `delta / 2`, the window centred in the
 * video. Default: clip 5, crop 1, view 16.
 */
export function centreViewIndex(numClips: number = DEFAULT_TEST_CLIPS): number {
  return viewIndex(centreClip(numClips), CENTRE_CROP, numClips);
}
