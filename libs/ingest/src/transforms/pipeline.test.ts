import { crop } from './crop';
import { resizeCropNormalize } from './fused';
import { normalize } from './normalize';
import { drawTrainParams } from './params';
import { testTransforms, trainTransform } from './pipeline';
import { resizeBilinear } from './resize';
import { randomBatch } from './test-frames';
import type { TrainTransformConfig } from './types';
import { createRng } from '@pvnas/base';

const SEARCH: TrainTransformConfig = { jitter: [128, 164], crop: 112, flipP: 0.5 };

describe('trainTransform', () => {
  const src = randomBatch(createRng(5), 2, 60, 80);

  it('gives a [T, crop, crop, 3] float32 view equal to params + fused path', () => {
    const clip = trainTransform(src, createRng(9), SEARCH);
    expect(clip).toMatchObject({ frames: 2, height: 112, width: 112 });
    expect(clip.data.length).toBe(2 * 112 * 112 * 3);
    const params = drawTrainParams(createRng(9), src, SEARCH);
    expect(clip.params).toEqual(params);
    expect(clip.data).toEqual(resizeCropNormalize(src, params));
  });

  it('is reproducible for a seed', () => {
    expect(trainTransform(src, createRng(11), SEARCH).data).toEqual(trainTransform(src, createRng(11), SEARCH).data);
    expect(trainTransform(src, createRng(11), SEARCH).data).not.toEqual(trainTransform(src, createRng(12), SEARCH).data);
  });

  it('passes custom normalisation through', () => {
    const a = trainTransform(src, createRng(1), { ...SEARCH, mean: 0, std: 1 });
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.data)).toBeLessThanOrEqual(1);
  });
});

describe('testTransforms', () => {
  it('gives left, centre and right views of the short-side-resized clip', () => {
    const src = randomBatch(createRng(6), 2, 30, 50); // -> 24x40 at crop 24; offsets 0, 8, 16
    const views = testTransforms(src, { crop: 24 });
    const resized = resizeBilinear(src, 24, 40);
    expect(views.map((v) => v.params.cropX)).toEqual([0, 8, 16]);
    views.forEach((v) => {
      expect(v).toMatchObject({ frames: 2, height: 24, width: 24 });
      expect(v.data).toEqual(normalize(crop(resized, 0, v.params.cropX, 24, 24)));
    });
  });

  it('on frames already at the crop short side is an exact crop + normalise', () => {
    const src = randomBatch(createRng(8), 1, 20, 16); // portrait, short side 16 = crop
    const [top, centre, bottom] = testTransforms(src, { crop: 16 });
    expect(top.data).toEqual(normalize(crop(src, 0, 0, 16, 16)));
    expect(centre.data).toEqual(normalize(crop(src, 2, 0, 16, 16)));
    expect(bottom.data).toEqual(normalize(crop(src, 4, 0, 16, 16)));
  });
});
