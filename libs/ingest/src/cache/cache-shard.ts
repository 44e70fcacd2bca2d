/**
 * One machine's share of a cache build (`pvnas ingest <dataset> --shard i/n`): n machines each fill their own
 * cache folder with a disjoint part of the manifest, and the trainer reads the n folders as one (cache-index.ts).
 *
 * Assignment: a video belongs to shard `uint32_be(sha256(id)[0..4]) mod n`. It depends on the video's id alone,
 * not on the manifest's order or on which other videos it lists, so every machine computes the same split from
 * its own copy of the manifest, and a manifest that gains or loses lines moves no other video to another shard
 * (a resumed shard never has to give videos back). `i` is 0-based, like SLURM_PROCID and torch ranks.
 */
import { createHash } from 'node:crypto';
import { IngestError } from '../errors';

export interface CacheShard {
  /** 0-based: 0 <= index < count. */
  index: number;
  count: number;
}

/** Throws an IngestError naming `what` (e.g. `--shard 3/3`) and the valid range unless `shard` is a valid place. */
export function validateCacheShard(shard: CacheShard, what = `shard ${shard.index}/${shard.count}`): CacheShard {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1) throw new IngestError('bad-config', what, `the shard count n must be an integer >= 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    const range = count === 1 ? 'i must be 0' : `i must be in 0..${count - 1}`;
    throw new IngestError('bad-config', what, `shard index ${index} is out of range: with n = ${count}, ${range} (0-based, like SLURM_PROCID)`);
  }
  return { index, count };
}

/** `"i/n"` -> `{ index: i, count: n }`, validated (0-based). */
export function parseCacheShard(text: string): CacheShard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new IngestError('bad-config', `--shard ${text}`, 'expected i/n, like 0/4 (shard i of n, 0-based, like SLURM_PROCID)');
  return validateCacheShard({ index: Number(m[1]), count: Number(m[2]) }, `--shard ${text}`);
}

/** The shard (0..count-1) that video `id` belongs to with `count` shards. */
export function cacheShardOf(id: string, count: number): number {
  return createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % count;
}

/** The records of `shard`, in their manifest order; all of them when `shard` is undefined. */
export function shardRecords<T extends { id: string }>(records: readonly T[], shard: CacheShard | undefined): T[] {
  if (!shard) return [...records];
  const { index, count } = validateCacheShard(shard);
  return records.filter((r) => cacheShardOf(r.id, count) === index);
}

export function formatCacheShard(shard: CacheShard): string {
  return `${shard.index}/${shard.count}`;
}
