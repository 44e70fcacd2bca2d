import { downsample } from './downsample';

describe('downsample', () => {
  it('keeps a short series as it is', () => {
    const points = [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
    ];
    expect(downsample(points, 2)).toEqual(points);
  });

  it('averages consecutive buckets of ceil(n / max) points; non-finite y are left out of a mean, an all-NaN bucket stays a gap', () => {
    const ys = [1, 2, 3, NaN, NaN, NaN, Infinity, NaN, 5, 7];
    const out = downsample(
      ys.map((y, x) => ({ x, y })),
      3,
    );
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ x: 1.5, y: 2 });
    expect(out[1].x).toBe(5.5);
    expect(out[1].y).toBeNaN();
    expect(out[2]).toEqual({ x: 8.5, y: 6 });
  });
});
