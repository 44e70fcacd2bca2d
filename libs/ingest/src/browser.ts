/**
 * `@pvnas/ingest/browser`: the part of the library that runs in a browser (no Node APIs), for the viewer: the
 * frame indices of the test clips and their spatial transform, the very functions the loader uses, so a page
 * samples and crops a video as `pvnas evaluate` does.
 */
export { sampleTestIndices, DEFAULT_TEMPORAL, type TemporalConfig } from './sampling/temporal';
export { testTransforms } from './transforms/pipeline';
export { DEFAULT_MEAN, DEFAULT_STD, type TransformedClip } from './transforms/types';
export type { FrameBatch } from './video/types';
