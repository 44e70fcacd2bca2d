/**
 * Random and fixed parameters of the spatial views. Transforms never draw randomness; these functions do, from
 * an explicit `Rng`, in a fixed order, so a seed gives the same views on any worker.
 *
 * Train (PySlowFast): short side `s` uniform integer in `[jitter[0], jitter[1]]`, size by `resizedSize`, crop
 * origin uniform integer in `[0, scaleH - crop] x [0, scaleW - crop]`, flip with probability `flipP`.
 * Draw order: shortSide, cropY, cropX, flip (flip is drawn even when flipP is 0, so the number of draws per
 * clip is always 4).
 *
 * Test: short side to `crop`, three crops along the long side: left/top (offset 0), centre
 * (offset `ceil((long - crop) / 2)`), right/bottom (offset `long - crop`); the short axis is fully covered.
 * A square frame counts as landscape (crops along x, all three equal once resized to crop x crop).
 */
import { IngestError } from '../errors';
import { isPositiveInt, requirePositiveInt } from './check';
import { resizedSize } from './size';
import type { CropParams, TrainTransformConfig } from './types';
import { type Rng } from '@pvnas/base';

export interface FrameDims {
  height: number;
  width: number;
}

const JITTER_HINT = 'e.g. jitter [128, 164] with crop 112 (search), [256, 320] with 224 (retrain)';

/** Checks a train config; returns it unchanged. Errors name the offending field. */
export function validateTrainConfig<C extends TrainTransformConfig>(cfg: C): C {
  const { jitter, crop, flipP } = cfg;
  if (!Array.isArray(jitter) || jitter.length !== 2 || !isPositiveInt(jitter[0]) || !isPositiveInt(jitter[1])) {
    throw new IngestError('bad-config', 'jitter', `must be two positive integers [min, max], got ${JSON.stringify(jitter)}`, JITTER_HINT);
  }
  if (jitter[0] > jitter[1]) {
    throw new IngestError('bad-config', 'jitter', `min ${jitter[0]} is greater than max ${jitter[1]}`, JITTER_HINT);
  }
  if (!isPositiveInt(crop)) {
    throw new IngestError('bad-config', 'crop', `must be a positive integer, got ${crop}`, JITTER_HINT);
  }
  if (crop > jitter[0]) {
    throw new IngestError(
      'bad-config',
      'crop',
      `crop ${crop} is larger than the smallest short side ${jitter[0]} of jitter [${jitter[0]}, ${jitter[1]}]`,
      JITTER_HINT,
    );
  }
  if (typeof flipP !== 'number' || !(flipP >= 0 && flipP <= 1)) {
    throw new IngestError('bad-config', 'flipP', `must be a probability in [0, 1], got ${flipP}`, '0.5, or 0 for SSv2');
  }
  return cfg;
}

function checkDims(dims: FrameDims, item: string): void {
  requirePositiveInt(dims.height, item, 'frame height');
  requirePositiveInt(dims.width, item, 'frame width');
}

/** Draws one train view for frames of `dims`: 4 draws from `rng` (shortSide, cropY, cropX, flip). */
export function drawTrainParams(rng: Rng, dims: FrameDims, cfg: Pick<TrainTransformConfig, 'jitter' | 'crop' | 'flipP'>): CropParams {
  validateTrainConfig(cfg);
  checkDims(dims, 'drawTrainParams');
  const shortSide = rng.int(cfg.jitter[0], cfg.jitter[1]);
  const [scaleH, scaleW] = resizedSize(dims.height, dims.width, shortSide);
  const cropY = rng.int(0, scaleH - cfg.crop);
  const cropX = rng.int(0, scaleW - cfg.crop);
  const flip = rng.bernoulli(cfg.flipP);
  return { shortSide, scaleH, scaleW, cropY, cropX, size: cfg.crop, flip };
}

/** The three test views (left/top, centre, right/bottom) for frames of `dims`. */
export function testCropParams(dims: FrameDims, crop: number): [CropParams, CropParams, CropParams] {
  checkDims(dims, 'testCropParams');
  if (!isPositiveInt(crop)) throw new IngestError('bad-config', 'crop', `must be a positive integer, got ${crop}`, 'e.g. 112 or 224');
  const [scaleH, scaleW] = resizedSize(dims.height, dims.width, crop);
  const portrait = scaleH > scaleW;
  const long = portrait ? scaleH : scaleW;
  const offsets = [0, Math.ceil((long - crop) / 2), long - crop];
  const views = offsets.map((off): CropParams => ({
    shortSide: crop,
    scaleH,
    scaleW,
    cropY: portrait ? off : 0,
    cropX: portrait ? 0 : off,
    size: crop,
    flip: false,
  }));
  return [views[0], views[1], views[2]];
}
