import { reverseClipFrames, shuffleClipFrames } from './reorder-frames';

describe('shuffleClipFrames', () => {
  // 2 clips of 8 frames of 1x1x2 values; frame t of clip b holds (100 b + t, -(100 b + t))
  const shape = [2, 8, 1, 1, 2] as const;
  const data = Float32Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (100 * Math.floor(i / 16) + Math.floor((i % 16) / 2)));
  const framesOf = (x: Float32Array, b: number) => Array.from({ length: 8 }, (_, t) => x[(b * 8 + t) * 2]);

  it('permutes whole frames within each clip, seeded per clip', () => {
    const out = shuffleClipFrames(data, shape, [1, 2]);
    for (const b of [0, 1]) {
      const order = framesOf(out, b);
      expect([...order].sort((x, y) => x - y)).toEqual(framesOf(data, b)); // same frames, each once
      expect(order).not.toEqual(framesOf(data, b)); // in another order
      for (let t = 0; t < 8; t++) expect(out[(b * 8 + t) * 2 + 1]).toBe(-out[(b * 8 + t) * 2]); // frames stay whole
    }
    expect(shuffleClipFrames(data, shape, [1, 2])).toEqual(out);
    // the same seed gives clip 1 the order clip 0 had, whatever its position in the batch
    const swapped = shuffleClipFrames(data, shape, [2, 1]);
    expect(framesOf(swapped, 1).map((v) => v - 100)).toEqual(framesOf(out, 0));
  });

  it('reverses the clips flagged, leaves the others as they are', () => {
    const out = reverseClipFrames(data, shape, [true, false]);
    expect(framesOf(out, 0)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(framesOf(out, 1)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(out[1]).toBe(-7);
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => shuffleClipFrames(data, [2, 8, 1, 1, 3], [1, 2])).toThrow(/needs 48/);
    expect(() => shuffleClipFrames(data, shape, [1])).toThrow(/1 seeds for 2 clips/);
  });
});
