/** Argument checks shared by the transforms; all refusals are `IngestError('bad-config', ...)`. */
import { IngestError } from '../errors';
import type { FrameBatch } from '../video/types';

export function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

export function requirePositiveInt(n: number, item: string, what: string): void {
  if (!isPositiveInt(n)) throw new IngestError('bad-config', item, `${what} must be a positive integer, got ${n}`);
}

/** Checks that `batch.data` really is `[T, H, W, 3]` uint8 for the dimensions it claims. */
export function checkBatch(batch: FrameBatch, item: string): void {
  const { data, frames, height, width } = batch;
  requirePositiveInt(frames, item, 'frame count T');
  requirePositiveInt(height, item, 'frame height');
  requirePositiveInt(width, item, 'frame width');
  if (!(data instanceof Uint8Array)) {
    throw new IngestError('bad-config', item, 'frame data must be a Uint8Array (RGB uint8 [T, H, W, 3])');
  }
  const expected = frames * height * width * 3;
  if (data.length !== expected) {
    throw new IngestError('bad-config', item, `frame data has ${data.length} bytes, [T=${frames}, H=${height}, W=${width}, 3] needs ${expected}`);
  }
}

/** Checks that the `h x w` window at `(y, x)` lies inside an `height x width` image. */
export function checkWindow(y: number, x: number, h: number, w: number, height: number, width: number, item: string): void {
  requirePositiveInt(h, item, 'crop height');
  requirePositiveInt(w, item, 'crop width');
  if (!Number.isInteger(y) || !Number.isInteger(x) || y < 0 || x < 0 || y + h > height || x + w > width) {
    throw new IngestError('bad-config', item, `crop window ${h}x${w} at (y=${y}, x=${x}) does not fit in a ${height}x${width} image`);
  }
}
