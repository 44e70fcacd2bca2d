import { IngestError } from '../errors';
import type { FrameBatch } from '../video/types';
import { resizeBilinear } from './resize';
import { resizedSize } from './size';
import { batchOf, randomBatch } from './test-frames';
import { createRng } from '@pvnas/base';

/** One-channel-per-value helper: a `[1, 1, W, 3]` row whose three channels are v, 2v mod 256, 255 - v. */
function rowBatch(values: number[]): FrameBatch {
  return batchOf([[values.map((v) => [v, (2 * v) % 256, 255 - v])]]);
}
function channel(b: FrameBatch, c: number): number[] {
  return Array.from(b.data.filter((_, i) => i % 3 === c));
}

/** Independent reference: the half-pixel bilinear formula written out per pixel, unrounded (float64). */
function naiveResize(b: FrameBatch, outH: number, outW: number): Float64Array {
  const out = new Float64Array(b.frames * outH * outW * 3);
  const at = (t: number, y: number, x: number, c: number) => b.data[((t * b.height + y) * b.width + x) * 3 + c];
  let o = 0;
  for (let t = 0; t < b.frames; t++) {
    for (let oy = 0; oy < outH; oy++) {
      const sy = Math.max(0, ((oy + 0.5) * b.height) / outH - 0.5);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, b.height - 1);
      for (let ox = 0; ox < outW; ox++) {
        const sx = Math.max(0, ((ox + 0.5) * b.width) / outW - 0.5);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, b.width - 1);
        for (let c = 0; c < 3; c++) {
          const top = at(t, y0, x0, c) + (at(t, y0, x1, c) - at(t, y0, x0, c)) * (sx - x0);
          const bot = at(t, y1, x0, c) + (at(t, y1, x1, c) - at(t, y1, x0, c)) * (sx - x0);
          out[o++] = top + (bot - top) * (sy - y0);
        }
      }
    }
  }
  return out;
}

describe('resizedSize (PySlowFast short-side rule)', () => {
  it('scales the short side and floors the long side', () => {
    expect(resizedSize(120, 160, 128)).toEqual([128, 170]); // 160 * 128 / 120 = 170.67
    expect(resizedSize(160, 120, 128)).toEqual([170, 128]); // portrait
    expect(resizedSize(256, 340, 256)).toEqual([256, 340]); // already there
    expect(resizedSize(720, 1280, 224)).toEqual([224, 398]); // 398.2
    expect(resizedSize(50, 50, 112)).toEqual([112, 112]); // square, upscale
  });
  it('is exact in integers where floor(w / h * S) in floats is one pixel short', () => {
    expect(Math.floor((183 / 168) * 112)).toBe(121); // the float formula
    expect(resizedSize(168, 183, 112)).toEqual([112, 122]); // 183 * 112 / 168 = 122 exactly
  });
  it('refuses non-positive or fractional sizes', () => {
    expect(() => resizedSize(0, 10, 5)).toThrow(IngestError);
    expect(() => resizedSize(10, 10, 5.5)).toThrow(/short side must be a positive integer/);
  });
});

describe('resizeBilinear (half-pixel centres, align_corners=False, no antialias)', () => {
  it('upsamples 2x2 -> 4x4 to the hand-computed values', () => {
    // Source (one channel): [[0, 100], [200, 40]]; axis taps for 2 -> 4 are
    // src = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (hi clamped to 1) -> weights of the 2nd pixel 0, .25, .75, 1.
    // Row 0: [0, 25, 75, 100]; row 3: [200, 160, 80, 40];
    // row 1 = .75 row0 + .25 row3 = [50, 58.75, 76.25, 85]; row 2 = .25 row0 + .75 row3 = [150, 126.25, 78.75, 55].
    const src = batchOf([
      [
        [
          [0, 0, 0],
          [100, 0, 0],
        ],
        [
          [200, 0, 0],
          [40, 0, 0],
        ],
      ],
    ]);
    const out = resizeBilinear(src, 4, 4);
    expect(out).toMatchObject({ frames: 1, height: 4, width: 4 });
    expect(channel(out, 0)).toEqual([0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40]);
    expect(channel(out, 1)).toEqual(new Array(16).fill(0));
  });

  it('keeps channels apart and treats frames independently', () => {
    const src = batchOf([
      [
        [
          [10, 20, 30],
          [50, 60, 70],
        ],
      ],
      [
        [
          [0, 0, 0],
          [0, 0, 200],
        ],
      ],
    ]);
    const out = resizeBilinear(src, 1, 4);
    // 2 -> 4 weights 0, .25, .75, 1 per channel.
    expect(Array.from(out.data)).toEqual([10, 20, 30, 20, 30, 40, 40, 50, 60, 50, 60, 70, 0, 0, 0, 0, 0, 50, 0, 0, 150, 0, 0, 200]);
  });

  it('downsamples without antialiasing (8 -> 2 reads pixels 1,2 and 5,6 only)', () => {
    const out = resizeBilinear(rowBatch([255, 10, 20, 255, 255, 30, 50, 255]), 1, 2);
    expect(channel(out, 0)).toEqual([15, 40]);
  });

  it('handles a non-integer ratio (3 -> 2: src 0.25 and 1.75)', () => {
    const out = resizeBilinear(rowBatch([0, 40, 200]), 1, 2);
    expect(channel(out, 0)).toEqual([10, 160]);
    expect(channel(out, 2)).toEqual([245, 95]); // 255 - v is linear too
  });

  it('rounds half up', () => {
    // 2 -> 4: second sample = .75 * 0 + .25 * 2 = 0.5 -> 1; third = 1.5 -> 2.
    expect(channel(resizeBilinear(rowBatch([0, 2]), 1, 4), 0)).toEqual([0, 1, 2, 2]);
  });

  it('passes a frame already at the target size through exactly, as a copy', () => {
    const src = randomBatch(createRng(1), 2, 5, 7);
    const out = resizeBilinear(src, 5, 7);
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
  });

  it('equals the per-pixel formula rounded to nearest on random frames, up and down, non-square', () => {
    // Within 0.5 of the exact value: a tie (x.5 exactly) may round either way through float error in the taps.
    const rng = createRng(7);
    let worst = 0;
    for (let k = 0; k < 25; k++) {
      const src = randomBatch(rng, rng.int(1, 2), rng.int(1, 17), rng.int(1, 17));
      const outH = rng.int(1, 30);
      const outW = rng.int(1, 30);
      const got = resizeBilinear(src, outH, outW).data;
      const want = naiveResize(src, outH, outW);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('refuses a batch whose data does not match its shape', () => {
    expect(() => resizeBilinear({ data: new Uint8Array(11), frames: 1, height: 2, width: 2 }, 4, 4)).toThrow(/needs 12/);
    expect(() => resizeBilinear(randomBatch(createRng(1), 1, 2, 2), 0, 4)).toThrow(IngestError);
  });
});
