/**
 * The LMDB frame cache's on-disk records, as zod schemas (the cache is a file format that crosses runs and
 * machines, so every record read back is validated).
 *
 * Layout of one cache (an LMDB environment, a folder with data.mdb + lock.mdb):
 * - db `info`,   key `header`            -> CacheHeader (written once when the cache is created)
 * - db `videos`, key `<id>`              -> CachedVideo (written in the same transaction as the frames)
 * - db `frames`, key `[<id>, <index>]`   -> one JPEG (binary), index 0..frames-1 at the cache's frame rate
 * A video's record and all its frames are committed in one LMDB transaction: a reader sees all of a video or
 * nothing of it, and a killed writer leaves no trace of the video it was writing.
 */
import { z } from 'zod';

export const CACHE_FORMAT = 'pvnas-frame-cache/1';

export const CacheHeaderSchema = z.object({
  format: z.literal(CACHE_FORMAT),
  /** Frames are stored with this short side (long side floor(long * s / short)). */
  shortSide: z.number().int().positive(),
  /** Frames are resampled to this rate; 0 keeps each video's native rate. */
  fps: z.number().nonnegative(),
  /** JPEG quality 1..100. */
  quality: z.number().int().min(1).max(100),
  createdAt: z.string(),
  /**
   * Set when the cache holds one shard of a manifest (`--shard i/n`, cache-shard.ts): the videos whose id hashes to
   * `index` mod `count`. Absent: the whole manifest (and every cache written before shards existed).
   */
  shard: z
    .object({ index: z.number().int().nonnegative(), count: z.number().int().positive() })
    .refine((s) => s.index < s.count, { message: 'shard index must be below its count' })
    .optional(),
});
export type CacheHeader = z.infer<typeof CacheHeaderSchema>;

export const CachedVideoSchema = z.object({
  id: z.string().min(1),
  /** Frames stored (at `fps`). */
  frames: z.number().int().positive(),
  fps: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  label: z.number().int().nonnegative(),
  labelName: z.string(),
  /** The source file as ingested. */
  source: z.object({
    path: z.string(),
    frames: z.number().int().nonnegative(),
    fps: z.number().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    codec: z.string(),
  }),
  /** Total JPEG bytes of the frames. */
  bytes: z.number().int().nonnegative(),
});
export type CachedVideo = z.infer<typeof CachedVideoSchema>;
