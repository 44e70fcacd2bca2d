import { IngestError } from '../errors';
import { drawTrainParams, testCropParams, validateTrainConfig } from './params';
import type { TrainTransformConfig } from './types';
import { createRng } from '@pvnas/base';

const SEARCH: TrainTransformConfig = { jitter: [128, 164], crop: 112, flipP: 0.5 };

describe('drawTrainParams', () => {
  it('stays within the ranges, reaches both ends of the jitter and keeps the aspect rule', () => {
    const seen = new Set<number>();
    let flips = 0;
    for (let seed = 0; seed < 400; seed++) {
      const p = drawTrainParams(createRng(seed), { height: 120, width: 160 }, { jitter: [128, 131], crop: 112, flipP: 0.5 });
      seen.add(p.shortSide);
      expect(p.scaleH).toBe(p.shortSide);
      expect(p.scaleW).toBe(Math.floor((160 * p.shortSide) / 120));
      expect(p.cropY).toBeGreaterThanOrEqual(0);
      expect(p.cropX).toBeGreaterThanOrEqual(0);
      expect(p.cropY + 112).toBeLessThanOrEqual(p.scaleH);
      expect(p.cropX + 112).toBeLessThanOrEqual(p.scaleW);
      expect(p.size).toBe(112);
      flips += p.flip ? 1 : 0;
    }
    expect([...seen].sort()).toEqual([128, 129, 130, 131]);
    expect(flips).toBeGreaterThan(160);
    expect(flips).toBeLessThan(240);
  });

  it('uses the full crop range on a portrait frame', () => {
    const ys = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      const p = drawTrainParams(createRng(seed), { height: 340, width: 256 }, { jitter: [256, 256], crop: 224, flipP: 0 });
      expect([p.scaleH, p.scaleW]).toEqual([340, 256]);
      expect(p.flip).toBe(false);
      ys.add(p.cropY);
    }
    expect(Math.min(...ys)).toBe(0);
    expect(Math.max(...ys)).toBe(340 - 224);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const dims = { height: 256, width: 340 };
    const cfg = { jitter: [256, 320] as const, crop: 224, flipP: 0.5 };
    const a = [1, 2, 3].map(() => drawTrainParams(createRng(42), dims, cfg));
    expect(a[1]).toEqual(a[0]);
    expect(a[2]).toEqual(a[0]);
    const rng = createRng(42);
    const seq = [drawTrainParams(rng, dims, cfg), drawTrainParams(rng, dims, cfg), drawTrainParams(rng, dims, cfg)];
    expect(seq[0]).toEqual(a[0]);
    const distinct = new Set(seq.map((p) => JSON.stringify(p)));
    expect(distinct.size).toBe(3);
  });

  it('always flips at p = 1', () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(drawTrainParams(createRng(seed), { height: 120, width: 160 }, { ...SEARCH, flipP: 1 }).flip).toBe(true);
    }
  });
});

describe('testCropParams', () => {
  it('takes left, centre and right crops on a landscape frame', () => {
    // 120x160 -> short side 112 -> 112x149; long-axis offsets 0, ceil(37 / 2) = 19, 37.
    const views = testCropParams({ height: 120, width: 160 }, 112);
    expect(views.map((v) => [v.scaleH, v.scaleW, v.cropY, v.cropX, v.size, v.flip])).toEqual([
      [112, 149, 0, 0, 112, false],
      [112, 149, 0, 19, 112, false],
      [112, 149, 0, 37, 112, false],
    ]);
  });
  it('takes top, centre and bottom crops on a portrait frame', () => {
    // 340x256 -> short side 224 -> 297x224 (340 * 224 / 256 = 297.5); offsets 0, ceil(73 / 2) = 37, 73.
    const views = testCropParams({ height: 340, width: 256 }, 224);
    expect(views.map((v) => [v.scaleH, v.scaleW, v.cropY, v.cropX])).toEqual([
      [297, 224, 0, 0],
      [297, 224, 37, 0],
      [297, 224, 73, 0],
    ]);
  });
  it('gives three identical full views on a square frame', () => {
    const views = testCropParams({ height: 50, width: 50 }, 112);
    for (const v of views) expect([v.scaleH, v.scaleW, v.cropY, v.cropX]).toEqual([112, 112, 0, 0]);
  });
  it('refuses a bad crop', () => {
    expect(() => testCropParams({ height: 50, width: 50 }, 0)).toThrow(IngestError);
  });
});

describe('validateTrainConfig', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['min > max', { jitter: [164, 128], crop: 112, flipP: 0.5 }, /jitter: min 164 is greater than max 128/],
    ['crop > min', { jitter: [128, 164], crop: 160, flipP: 0.5 }, /crop: crop 160 is larger than the smallest short side 128/],
    ['fractional jitter', { jitter: [128.5, 164], crop: 112, flipP: 0.5 }, /jitter: must be two positive integers/],
    ['one-element jitter', { jitter: [128], crop: 112, flipP: 0.5 }, /jitter: must be two positive integers/],
    ['zero crop', { jitter: [128, 164], crop: 0, flipP: 0.5 }, /crop: must be a positive integer/],
    ['flipP > 1', { jitter: [128, 164], crop: 112, flipP: 1.5 }, /flipP: must be a probability/],
    ['flipP NaN', { jitter: [128, 164], crop: 112, flipP: Number.NaN }, /flipP/],
  ];
  it.each(bad)('refuses %s with a bad-config error naming the field', (_name, cfg, message) => {
    let err: unknown;
    try {
      validateTrainConfig(cfg as TrainTransformConfig);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).kind).toBe('bad-config');
    expect((err as IngestError).message).toMatch(message);
  });
  it('accepts the paper configs and crop == jitter min', () => {
    for (const cfg of [SEARCH, { jitter: [256, 320] as const, crop: 224, flipP: 0 }, { jitter: [112, 112] as const, crop: 112, flipP: 0 }]) {
      expect(validateTrainConfig(cfg)).toBe(cfg);
    }
  });
  it('is applied by drawTrainParams', () => {
    expect(() => drawTrainParams(createRng(1), { height: 120, width: 160 }, { jitter: [128, 164], crop: 129, flipP: 0 })).toThrow(IngestError);
  });
});
