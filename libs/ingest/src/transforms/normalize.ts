/**
 * Normalisation of RGB uint8 frames to float32: `(x / 255 - mean) / std` per channel, computed in float64 and
 * rounded once to float32. With 256 possible inputs per channel it is a table look-up; the fused path uses the
 * same table, so both give identical floats.
 */
import { IngestError } from '../errors';
import type { FrameBatch } from '../video/types';
import { checkBatch } from './check';
import { DEFAULT_MEAN, DEFAULT_STD, type ChannelStat } from './types';

function perChannel(stat: ChannelStat, what: string): [number, number, number] {
  const v: readonly number[] = typeof stat === 'number' ? [stat, stat, stat] : stat;
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new IngestError('bad-config', what, `must be a finite number or three (R, G, B), got ${JSON.stringify(stat)}`);
  }
  return [v[0], v[1], v[2]];
}

/** Look-up table `[256, 3]`: entry `v * 3 + c` is the normalised value of uint8 `v` on channel `c`. */
export function normalizeTable(mean: ChannelStat = DEFAULT_MEAN, std: ChannelStat = DEFAULT_STD): Float32Array {
  const m = perChannel(mean, 'normalize mean');
  const s = perChannel(std, 'normalize std');
  if (!s.every((x) => x > 0)) {
    throw new IngestError('bad-config', 'normalize std', `must be > 0, got ${JSON.stringify(std)}`, 'e.g. 0.225');
  }
  const table = new Float32Array(256 * 3);
  for (let v = 0; v < 256; v++) {
    for (let c = 0; c < 3; c++) table[v * 3 + c] = (v / 255 - m[c]) / s[c];
  }
  return table;
}

/** `[T, H, W, 3]` uint8 -> `[T, H, W, 3]` float32, `(x / 255 - mean) / std`. */
export function normalize(batch: FrameBatch, mean: ChannelStat = DEFAULT_MEAN, std: ChannelStat = DEFAULT_STD): Float32Array {
  checkBatch(batch, 'normalize');
  const table = normalizeTable(mean, std);
  const src = batch.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    out[i] = table[src[i] * 3];
    out[i + 1] = table[src[i + 1] * 3 + 1];
    out[i + 2] = table[src[i + 2] * 3 + 2];
  }
  return out;
}
