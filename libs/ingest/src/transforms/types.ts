/** Shared shapes of the spatial transforms. Frames in are RGB uint8 `[T, H, W, 3]` (`FrameBatch`). */

/** A normalised clip: one contiguous float32 buffer, layout `[T, H, W, 3]` (after a crop H = W = crop size). */
export interface FloatFrames {
  data: Float32Array;
  /** T */
  frames: number;
  height: number;
  width: number;
}

/** A mean or std: one value for all three channels, or one per channel (R, G, B). */
export type ChannelStat = number | readonly [number, number, number];

/** Normalisation `(x / 255 - mean) / std`; PySlowFast's defaults are mean 0.45, std 0.225 on every channel. */
export interface NormalizeConfig {
  mean?: ChannelStat;
  std?: ChannelStat;
}

export const DEFAULT_MEAN = 0.45;
export const DEFAULT_STD = 0.225;

/**
 * One spatial view of a clip: resize the `[H, W]` source to `[scaleH, scaleW]`, take the `size x size` window at
 * `(cropY, cropX)` of the resized image, mirror it left-right when `flip`.
 */
export interface CropParams {
  /** The short side the source was scaled to (`min(scaleH, scaleW)`). */
  shortSide: number;
  scaleH: number;
  scaleW: number;
  cropY: number;
  cropX: number;
  /** Crop side S; the view is `[T, S, S, 3]`. */
  size: number;
  flip: boolean;
}

/** Train-time spatial augmentation (PySlowFast): short side to a random integer in `jitter`, random crop, flip. */
export interface TrainTransformConfig extends NormalizeConfig {
  /** Inclusive range of the short side, e.g. `[128, 164]` (search), `[256, 320]` (retrain). */
  jitter: readonly [number, number];
  /** Crop side, e.g. 112 (search), 224 (retrain); must be <= jitter[0]. */
  crop: number;
  /** Probability of a horizontal flip: 0.5, or 0 for SSv2 (its labels say left/right). */
  flipP: number;
}

/** Test-time views: short side to `crop`, three `crop x crop` windows along the long side. */
export interface TestTransformConfig extends NormalizeConfig {
  crop: number;
}

/** A transformed view and the parameters that produced it (for logs and reproducibility checks). */
export interface TransformedClip extends FloatFrames {
  params: CropParams;
}
