/** Convenience wrappers: params + fused transform for one train view, or the three test views of a clip. */
import type { FrameBatch } from '../video/types';
import { checkBatch } from './check';
import { resizeCropNormalize } from './fused';
import { drawTrainParams, testCropParams, validateTrainConfig } from './params';
import type { CropParams, NormalizeConfig, TestTransformConfig, TrainTransformConfig, TransformedClip } from './types';
import { type Rng } from '@pvnas/base';

function apply(batch: FrameBatch, params: CropParams, norm: NormalizeConfig): TransformedClip {
  const data = resizeCropNormalize(batch, { ...params, mean: norm.mean, std: norm.std });
  return { data, frames: batch.frames, height: params.size, width: params.size, params };
}

/** One random train view `[T, crop, crop, 3]` float32; draws 4 values from `rng` (see `drawTrainParams`). */
export function trainTransform(batch: FrameBatch, rng: Rng, cfg: TrainTransformConfig): TransformedClip {
  validateTrainConfig(cfg);
  checkBatch(batch, 'trainTransform');
  return apply(batch, drawTrainParams(rng, batch, cfg), cfg);
}

/** The three test views (left/top, centre, right/bottom), each `[T, crop, crop, 3]` float32. */
export function testTransforms(batch: FrameBatch, cfg: TestTransformConfig): [TransformedClip, TransformedClip, TransformedClip] {
  checkBatch(batch, 'testTransforms');
  const [a, b, c] = testCropParams(batch, cfg.crop);
  return [apply(batch, a, cfg), apply(batch, b, cfg), apply(batch, c, cfg)];
}
