/**
 * Several frame caches read as one: the shards of one dataset built on several machines (`--shard i/n`), or any
 * list of caches built with the same settings. Opening one lists the ids of every cache once; a video is read from
 * the first cache in the list that holds it (a video in two caches is the same id decoded with the same settings,
 * so either copy will do; how many there are is reported). Caches built with different settings are refused.
 */
import path from 'node:path';
import { IngestError } from '../errors';
import { formatCacheShard } from './cache-shard';
import { FrameCache, type CacheSettings } from './frame-cache';
import type { CacheHeader } from './schema';

const SETTINGS: ReadonlyArray<keyof CacheSettings> = ['shortSide', 'fps', 'quality'];

export class CacheIndex {
  private constructor(
    /** The caches, in the order given (the first holding a video serves it). */
    readonly dirs: readonly string[],
    /** Each cache's header, as `dirs`. */
    readonly headers: readonly CacheHeader[],
    private readonly where: ReadonlyMap<string, number>,
    /** Videos held by more than one cache (each read from the first). */
    readonly overlaps: number,
  ) {}

  /**
   * Opens every cache of `dirs` (read-only), checks that they were built with the same settings (short side, fps,
   * JPEG quality) and lists their ids. Throws an IngestError naming the path(s) when a folder is not a cache, is
   * listed twice, or was built with other settings than the first.
   */
  static async open(dirs: readonly string[]): Promise<CacheIndex> {
    if (dirs.length === 0) throw new IngestError('bad-config', 'caches', 'the list of frame caches is empty', 'give at least one cache folder');
    const seen = new Map<string, string>();
    for (const dir of dirs) {
      const key = path.resolve(dir);
      const before = seen.get(key);
      if (before !== undefined) throw new IngestError('bad-config', dir, `this frame cache is listed twice (also as ${before})`, 'list each cache once');
      seen.set(key, dir);
    }
    const headers: CacheHeader[] = [];
    const where = new Map<string, number>();
    let overlaps = 0;
    for (const [k, dir] of dirs.entries()) {
      const cache = FrameCache.openReader(dir);
      try {
        const h = cache.header;
        if (k > 0) {
          const first = headers[0];
          const diff = SETTINGS.filter((s) => h[s] !== first[s]);
          if (diff.length > 0) {
            const was = (x: CacheHeader): string => diff.map((s) => `${s} ${x[s]}`).join(', ');
            throw new IngestError(
              'cache',
              dir,
              `frame cache built with ${was(h)}, but ${dirs[0]} with ${was(first)}`,
              'caches read as one must share --short-side, --fps and --quality: rebuild one of them with the settings of the other',
            );
          }
        }
        headers.push(h);
        for (const id of cache.ids()) {
          if (where.has(id)) overlaps++;
          else where.set(id, k);
        }
      } finally {
        await cache.close();
      }
    }
    return new CacheIndex([...dirs], headers, where, overlaps);
  }

  /** The settings every cache shares (the first's header). */
  get header(): CacheHeader {
    return this.headers[0];
  }

  /** The cache that serves video `id` (the first in the list holding it), or undefined when none does. */
  dirOf(id: string): string | undefined {
    const k = this.where.get(id);
    return k === undefined ? undefined : this.dirs[k];
  }

  /** Distinct videos over all the caches. */
  get size(): number {
    return this.where.size;
  }

  /**
   * A warning when the caches look like an incomplete or mixed set of shards (shard headers with different counts,
   * a shard missing, or a whole-manifest cache next to shards); undefined when they do not.
   */
  shardWarning(): string | undefined {
    const shards = this.headers.map((h) => h.shard);
    if (shards.every((s) => s === undefined)) return undefined;
    const named = this.dirs.map((d, k) => `${d} (${shards[k] ? `shard ${formatCacheShard(shards[k])}` : 'whole manifest'})`).join(', ');
    if (shards.some((s) => s === undefined) || new Set(shards.map((s) => s!.count)).size > 1) return `the caches are not shards of one split: ${named}`;
    const count = shards[0]!.count;
    const have = new Set(shards.map((s) => s!.index));
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
    return missing.length > 0
      ? `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} not listed (got ${named}): their videos are in no cache`
      : undefined;
  }
}
