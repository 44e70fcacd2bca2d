import { IngestError } from '../errors';
import { clipIndices, sampleTestIndices, sampleTrainIndices, windowSpan } from './temporal';
import { createRng, type Rng } from '@pvnas/base';

/** An Rng whose next() returns fixed values, to pin the random start exactly. */
function fixedRng(...values: number[]): Rng {
  let i = 0;
  const next = (): number => values[i++ % values.length];
  return { next, int: (a, b) => a + Math.floor(next() * (b - a + 1)), bernoulli: (p) => next() < p };
}

describe('temporal sampling', () => {
  it('maps the 64-frame 30 fps window to the source rate', () => {
    expect(windowSpan(30)).toBe(64);
    expect(windowSpan(15)).toBe(32);
    expect(windowSpan(25)).toBeCloseTo(53.3333333, 6);
  });

  it('takes linspace(start, start + span - 1, 8), truncated', () => {
    expect(clipIndices(0, 64, 300, 8)).toEqual([0, 9, 18, 27, 36, 45, 54, 63]);
    expect(clipIndices(23.6, 64, 300, 8)).toEqual([23, 32, 41, 50, 59, 68, 77, 86]);
    // 25 fps: span 53.33, step 52.33 / 7 = 7.476
    expect(clipIndices(0, windowSpan(25), 100, 8)).toEqual([0, 7, 14, 22, 29, 37, 44, 52]);
  });

  it('draws the train start uniformly in [0, frames - span]', () => {
    expect(sampleTrainIndices(300, 30, fixedRng(0))).toEqual([0, 9, 18, 27, 36, 45, 54, 63]);
    expect(sampleTrainIndices(300, 30, fixedRng(0.5))).toEqual([118, 127, 136, 145, 154, 163, 172, 181]);
    // next() < 1, so the window never passes the end: start <= 236, last index <= 299
    expect(sampleTrainIndices(300, 30, fixedRng(0.999999999))).toEqual([235, 244, 253, 262, 271, 280, 289, 298]);
  });

  it('is reproducible for a seed and varies across seeds', () => {
    const a = sampleTrainIndices(500, 30, createRng(7));
    expect(sampleTrainIndices(500, 30, createRng(7))).toEqual(a);
    const starts = new Set(Array.from({ length: 20 }, (_, s) => sampleTrainIndices(500, 30, createRng(s))[0]));
    expect(starts.size).toBeGreaterThan(10);
  });

  it('places 10 test windows at delta * i / 10 (PySlowFast spacing)', () => {
    const clips = sampleTestIndices(300, 30);
    expect(clips).toHaveLength(10);
    expect(clips[0]).toEqual([0, 9, 18, 27, 36, 45, 54, 63]);
    expect(clips[1]).toEqual([23, 32, 41, 50, 59, 68, 77, 86]);
    expect(clips[9][0]).toBe(212); // 236 * 9 / 10 = 212.4
    expect(clips[9][7]).toBe(275);
    for (const c of clips) for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThanOrEqual(c[i - 1]);
  });

  it('repeats the last frame of a video shorter than the window', () => {
    expect(sampleTrainIndices(20, 30, fixedRng(0.7))).toEqual([0, 9, 18, 19, 19, 19, 19, 19]);
    const test = sampleTestIndices(20, 30, 3);
    expect(test).toEqual([
      [0, 9, 18, 19, 19, 19, 19, 19],
      [0, 9, 18, 19, 19, 19, 19, 19],
      [0, 9, 18, 19, 19, 19, 19, 19],
    ]);
    expect(sampleTrainIndices(1, 30, fixedRng(0.3))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('exactly fills a video of window length', () => {
    expect(sampleTestIndices(64, 30, 10).every((c) => c[0] === 0 && c[7] === 63)).toBe(true);
  });

  it('rejects impossible inputs with a named error', () => {
    expect(() => sampleTrainIndices(0, 30, createRng(1))).toThrow(IngestError);
    expect(() => sampleTrainIndices(10, 0, createRng(1))).toThrow(/fps/);
    expect(() => sampleTestIndices(10, 30, 0)).toThrow(/numClips/);
  });
});
