import { IngestError } from '../errors';
import type { FrameBatch } from '../video/types';
import { crop } from './crop';
import { flipHorizontal } from './flip';
import { resizeCropNormalize, type ResizeCropNormalizeParams } from './fused';
import { normalize } from './normalize';
import { resizeBilinear } from './resize';
import { batchOf, randomBatch } from './test-frames';
import { createRng } from '@pvnas/base';

function composed(b: FrameBatch, p: ResizeCropNormalizeParams): Float32Array {
  const cropped = crop(resizeBilinear(b, p.scaleH, p.scaleW), p.cropY, p.cropX, p.size, p.size);
  return normalize(p.flip ? flipHorizontal(cropped) : cropped, p.mean, p.std);
}

describe('resizeCropNormalize (fused)', () => {
  it('equals resize -> crop -> flip -> normalize bit for bit on random frames and params', () => {
    const rng = createRng(2024);
    let flips = 0;
    let ups = 0;
    let downs = 0;
    for (let k = 0; k < 60; k++) {
      const T = rng.int(1, 3);
      const H = rng.int(2, 24);
      const W = rng.int(2, 24);
      const src = randomBatch(rng, T, H, W);
      // Cycle through upscales, downscales and anything (mixed, one axis unchanged, aspect changes).
      const mode = k % 3;
      const scaleH = mode === 0 ? rng.int(H + 1, H + 20) : mode === 1 ? rng.int(1, H - 1) : rng.int(1, 40);
      const scaleW = mode === 0 ? rng.int(W + 1, W + 20) : mode === 1 ? rng.int(1, W - 1) : rng.int(1, 40);
      const size = rng.int(1, Math.min(scaleH, scaleW));
      const p: ResizeCropNormalizeParams = {
        scaleH,
        scaleW,
        size,
        cropY: rng.int(0, scaleH - size),
        cropX: rng.int(0, scaleW - size),
        flip: rng.bernoulli(0.5),
        ...(k % 5 === 0 ? { mean: [0.4, 0.5, 0.6] as const, std: 0.3 } : {}),
      };
      flips += p.flip ? 1 : 0;
      ups += scaleH > H && scaleW > W ? 1 : 0;
      downs += scaleH < H && scaleW < W ? 1 : 0;
      const fused = resizeCropNormalize(src, p);
      expect(fused.length).toBe(T * size * size * 3);
      expect(fused).toEqual(composed(src, p));
    }
    // The cases really cover flips, upscales and downscales.
    expect(flips).toBeGreaterThan(10);
    expect(ups).toBeGreaterThanOrEqual(20);
    expect(downs).toBeGreaterThanOrEqual(20);
  });

  it('gives the hand-computed values for a flipped centre crop of a 2x2 -> 4x4 upscale', () => {
    // Channel 0 of the 4x4 upscale of [[0, 100], [200, 40]] is (see resize.test.ts)
    // [0 25 75 100 / 50 59 76 85 / 150 126 79 55 / 200 160 80 40]; the centre 2x2 is [59 76 / 126 79], flipped [76 59 / 79 126].
    const src = batchOf([
      [
        [
          [0, 0, 255],
          [100, 0, 255],
        ],
        [
          [200, 0, 255],
          [40, 0, 255],
        ],
      ],
    ]);
    const out = resizeCropNormalize(src, { scaleH: 4, scaleW: 4, cropY: 1, cropX: 1, size: 2, flip: true });
    const n = (v: number) => Math.fround((v / 255 - 0.45) / 0.225);
    expect(Array.from(out)).toEqual([76, 0, 255, 59, 0, 255, 79, 0, 255, 126, 0, 255].map(n));
  });

  it('passes frames already at the resized size through exactly (crop + normalise only)', () => {
    const src = randomBatch(createRng(3), 2, 9, 12);
    const p = { scaleH: 9, scaleW: 12, cropY: 1, cropX: 3, size: 8, flip: false };
    expect(resizeCropNormalize(src, p)).toEqual(normalize(crop(src, 1, 3, 8, 8)));
    expect(resizeCropNormalize(src, { ...p, flip: true })).toEqual(normalize(flipHorizontal(crop(src, 1, 3, 8, 8))));
  });

  it('refuses a window outside the resized image and bad sizes', () => {
    const src = randomBatch(createRng(4), 1, 8, 8);
    expect(() => resizeCropNormalize(src, { scaleH: 10, scaleW: 10, cropY: 3, cropX: 0, size: 8, flip: false })).toThrow(/does not fit in a 10x10 image/);
    expect(() => resizeCropNormalize(src, { scaleH: 0, scaleW: 10, cropY: 0, cropX: 0, size: 1, flip: false })).toThrow(IngestError);
    expect(() => resizeCropNormalize(src, { scaleH: 8, scaleW: 8, cropY: 0, cropX: 0, size: 4, flip: false, std: 0 })).toThrow(IngestError);
  });
});
