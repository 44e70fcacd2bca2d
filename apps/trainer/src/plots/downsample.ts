/** Long runs have 10^5 steps: a plotted series keeps at most a few hundred points, each a bucket's mean. */

export interface Point {
  x: number;
  y: number;
}

/**
 * Consecutive buckets of ceil(n / maxPoints) points, each replaced by its mean x and the mean of its
 * finite y values (a bucket with none keeps a gap: y = NaN). Series short enough come back as they are.
 */
export function downsample(points: readonly Point[], maxPoints: number): Point[] {
  if (points.length <= maxPoints) return [...points];
  const size = Math.ceil(points.length / maxPoints);
  const out: Point[] = [];
  for (let start = 0; start < points.length; start += size) {
    const end = Math.min(points.length, start + size);
    let sumX = 0,
      sumY = 0,
      finite = 0;
    for (let i = start; i < end; i++) {
      sumX += points[i].x;
      if (Number.isFinite(points[i].y)) {
        sumY += points[i].y;
        finite++;
      }
    }
    out.push({ x: sumX / (end - start), y: finite === 0 ? NaN : sumY / finite });
  }
  return out;
}
