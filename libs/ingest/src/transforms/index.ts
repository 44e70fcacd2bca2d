/**
 * Spatial transforms (paper 4.2, PySlowFast conventions): RGB uint8 `[T, H, W, 3]` -> float32 `[T, S, S, 3]`.
 *
 * Train: short side to a random integer in the jitter range (bilinear, half-pixel centres, no antialias — the
 * `torch.nn.functional.interpolate(align_corners=False)` / OpenCV `INTER_LINEAR` convention), random `S x S`
 * crop, horizontal flip with probability `flipP` (0.5; 0 for SSv2), `(x / 255 - 0.45) / 0.225`.
 * Test: short side to S, three crops along the long side (left/top, centre, right/bottom).
 * Randomness is drawn by `drawTrainParams` from an explicit `Rng`; the transforms themselves are pure.
 *
 * Which implementation the product uses — decided by measurement (`resize.bench.ts`, 2026-11-21, node 20.20,
 * sharp 0.35.5 / libvips 8.18.7, 2-core machine shared with other jobs, load ~2; median ms per 8-frame clip, full
 * path resize + crop + flip + normalise; "sharp all" = 8 frames in parallel with Promise.all):
 *
 *   case                              fused   unfused JS       sharp seq         sharp all
 *   search  160x120  -> [128,164]/112  2.5    4.3 (1.7x)      10.7 (4.3x)       7.6 (3.1x wall, 4.8x cpu)
 *   retrain 340x256  -> [256,320]/224  9.9   20.1 (2.0x)      23.7 (2.4x)      14.2 (1.4x wall, 2.0x cpu)
 *   1280x720         -> [128,164]/112  2.1    6.1 (2.9x)      18.6 (8.8x)      13.4 (6.3x wall, 8.2x cpu)
 *   1280x720         -> [256,320]/224 10.7   28.7 (2.7x)      20.7 (1.9x)      20.1 (1.9x wall, 2.1x cpu)
 *
 * Decision: the fused JS path (`resizeCropNormalize`) everywhere; sharp is not used. It loses at every size
 * (1.4-8.8x slower in wall time, 2-8x in CPU time, which is what counts inside a busy worker pool): the fused path
 * interpolates only the `S x S` window, whereas sharp resizes the whole frame, then extracts, and pays a per-call
 * overhead per frame. Sharp also does not implement the convention: its 'linear' kernel is a widening triangle
 * filter when shrinking (antialiased) and its upsampling grid differs (on smooth frames mean 1-2, max 7 uint8 levels
 * from the reference; on sharp-edged frames up to 183). The unfused composition is kept as the tested reference.
 */
export { crop } from './crop';
export { flipHorizontal } from './flip';
export { resizeCropNormalize, type ResizeCropNormalizeParams } from './fused';
export { normalize, normalizeTable } from './normalize';
export { drawTrainParams, testCropParams, validateTrainConfig, type FrameDims } from './params';
export { testTransforms, trainTransform } from './pipeline';
export { resizeBilinear } from './resize';
export { resizedSize } from './size';
export {
  DEFAULT_MEAN,
  DEFAULT_STD,
  type ChannelStat,
  type CropParams,
  type FloatFrames,
  type NormalizeConfig,
  type TestTransformConfig,
  type TrainTransformConfig,
  type TransformedClip,
} from './types';
export { reorderClipFrames, reverseClipFrames, shuffleClipFrames } from './reorder-frames';
export { reversalPartners, withTimeReversal, type ClipBatchSource } from './time-reversal';
