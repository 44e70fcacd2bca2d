/**
 * Reads and writes the LMDB frame cache (layout and guarantees: ./schema.ts). Safe to open from several
 * worker threads and processes at once (LMDB: one writer, many readers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { checkLmdbFile } from './lmdb-file';
import { IngestError } from '../errors';
import type { FrameBatch } from '../video/types';
import { formatCacheShard, type CacheShard } from './cache-shard';
import { decodeJpeg } from './jpeg';
import { CACHE_FORMAT, CacheHeaderSchema, CachedVideoSchema, type CacheHeader, type CachedVideo } from './schema';

export interface CacheSettings {
  shortSide: number;
  fps: number;
  quality: number;
}

type FrameKey = [string, number];

/** The error code of creating a folder in `dir`'s nearest existing ancestor (EROFS, EACCES...), or undefined. */
function writeProbe(dir: string): string | undefined {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  const probe = path.join(at, `.pvnas-write-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

export class FrameCache {
  private constructor(
    readonly dir: string,
    private readonly root: RootDatabase,
    private readonly info: Database<unknown, string>,
    private readonly videoDb: Database<unknown, string>,
    private readonly frameDb: Database<Buffer, FrameKey>,
    readonly header: CacheHeader,
  ) {}

  /**
   * Opens an existing cache for reading. Throws an IngestError naming the folder when it is not a cache
   * of this format.
   */
  static openReader(dir: string): FrameCache {
    if (!fs.existsSync(path.join(dir, 'data.mdb'))) {
      throw new IngestError('missing-file', dir, 'no frame cache here (data.mdb not found)', 'build one with `nx run ingest:kinetics -- --out DIR`');
    }
    return FrameCache.openEnv(dir, true, undefined);
  }

  /**
   * Opens (creating if needed) a cache for writing with the given settings, holding the whole manifest or one
   * `shard` of it (recorded in the header). An existing cache built with other settings, or for another shard,
   * is refused rather than mixed.
   */
  static openWriter(dir: string, settings: CacheSettings, shard?: CacheShard): FrameCache {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      // a recursive mkdir on a read-only file system says ENOENT: ask the nearest existing folder what it is
      const code = writeProbe(dir) ?? (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EROFS'
          ? 'its file system is read-only'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'ENOSPC'
              ? 'the disk is full'
              : (code ?? String(err));
      throw new IngestError('cache', dir, `cannot create the cache folder: ${why}`, 'choose an --out on a writable disk');
    }
    return FrameCache.openEnv(dir, false, settings, shard);
  }

  private static openEnv(dir: string, readOnly: boolean, settings: CacheSettings | undefined, shard?: CacheShard): FrameCache {
    checkLmdbFile(dir); // LMDB would die with SIGBUS/SIGSEGV on a truncated or overwritten file
    let root: RootDatabase;
    try {
      root = open({ path: dir, maxDbs: 8, readOnly, compression: false });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      const readOnlyFs = /read-only file system|EROFS/i.test(message);
      throw new IngestError(
        'cache',
        dir,
        `LMDB cannot open the frame cache: ${message}`,
        readOnlyFs
          ? `LMDB writes its lock file (lock.mdb) next to data.mdb, ${readOnly ? 'even to read' : 'and ingest writes the cache'}: ${readOnly ? 'copy the cache to a writable disk' : 'choose an --out on a writable disk'}`
          : 'check the folder and its permissions',
      );
    }
    const info = root.openDB<unknown, string>({ name: 'info', encoding: 'msgpack' });
    const videoDb = root.openDB<unknown, string>({ name: 'videos', encoding: 'msgpack' });
    const frameDb = root.openDB<Buffer, FrameKey>({ name: 'frames', encoding: 'binary' });
    let raw = info.get('header');
    if (raw === undefined) {
      if (!settings) {
        root.close();
        throw new IngestError('cache', dir, 'frame cache has no header (it was never initialised)', 'rebuild it');
      }
      const header: CacheHeader = {
        format: CACHE_FORMAT,
        ...settings,
        createdAt: new Date().toISOString(),
        ...(shard && { shard: { index: shard.index, count: shard.count } }),
      };
      info.putSync('header', header);
      raw = header;
    }
    const parsed = CacheHeaderSchema.safeParse(raw);
    if (!parsed.success) {
      root.close();
      throw new IngestError('cache', dir, `frame cache header is not ${CACHE_FORMAT}: ${parsed.error.issues[0]?.message}`, 'rebuild the cache in a new folder');
    }
    const header = parsed.data;
    if (settings) {
      const diff = (Object.keys(settings) as Array<keyof CacheSettings>).filter((k) => settings[k] !== header[k]);
      if (diff.length > 0) {
        root.close();
        const was = diff.map((k) => `${k} ${header[k]}`).join(', ');
        const now = diff.map((k) => `${k} ${settings[k]}`).join(', ');
        throw new IngestError('cache', dir, `this cache was built with ${was}, not ${now}`, 'use another --out folder, or the same settings to resume');
      }
      const had = header.shard;
      if ((had?.index ?? -1) !== (shard?.index ?? -1) || (had?.count ?? -1) !== (shard?.count ?? -1)) {
        root.close();
        const what = (s: CacheShard | undefined): string => (s ? `shard ${formatCacheShard(s)}` : 'the whole manifest');
        throw new IngestError(
          'cache',
          dir,
          `this cache holds ${what(had)}, not ${what(shard)}`,
          `use another --out folder, or ${had ? `--shard ${formatCacheShard(had)}` : 'no --shard'} to resume`,
        );
      }
    }
    return new FrameCache(dir, root, info, videoDb, frameDb, header);
  }

  /**
   * True when the video is fully in the cache. Reads a fresh snapshot: lmdb-js reuses a read transaction
   * until its next turn, which would miss a video another handle (or process) committed just now.
   */
  has(id: string): boolean {
    this.root.resetReadTxn();
    return this.videoDb.doesExist(id);
  }

  /** The video's record, or undefined when it is not (fully) cached. */
  video(id: string): CachedVideo | undefined {
    const raw = this.videoDb.get(id);
    if (raw === undefined) return undefined;
    const parsed = CachedVideoSchema.safeParse(raw);
    if (!parsed.success) {
      throw new IngestError('cache', `${this.dir}#${id}`, `bad video record: ${parsed.error.issues[0]?.message}`, 'rebuild the cache');
    }
    return parsed.data;
  }

  /** Every cached video record, in key order. */
  *videos(): Generator<CachedVideo> {
    for (const { key } of this.videoDb.getRange()) {
      const v = this.video(key);
      if (v) yield v;
    }
  }

  /** The ids of every cached video, in key order (no record is read or validated). */
  *ids(): Generator<string> {
    this.root.resetReadTxn();
    for (const key of this.videoDb.getKeys()) yield key;
  }

  count(): number {
    return this.videoDb.getCount();
  }

  /** The JPEG bytes of the given frames (copies, safe to keep). Indices must be within the video. */
  readJpegs(id: string, indices: readonly number[]): Buffer[] {
    const meta = this.video(id);
    if (!meta) throw new IngestError('cache', `${this.dir}#${id}`, 'video is not in the frame cache', 'ingest it first');
    return indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= meta.frames) {
        throw new IngestError('cache', `${this.dir}#${id}`, `frame ${i} is out of range (video has ${meta.frames} frames)`);
      }
      const buf = this.frameDb.getBinary([id, i]);
      if (!buf) throw new IngestError('cache', `${this.dir}#${id}`, `frame ${i} is missing from the cache`, 'rebuild the cache');
      return buf;
    });
  }

  /** Decodes frames `indices` (any order, repeats allowed) to RGB `[T, H, W, 3]` at the cached size. */
  async readClip(id: string, indices: readonly number[]): Promise<FrameBatch> {
    const jpegs = this.readJpegs(id, indices);
    const frames = await Promise.all(jpegs.map((j) => decodeJpeg(j)));
    const { width, height } = frames[0];
    const frameBytes = width * height * 3;
    const data = new Uint8Array(frameBytes * frames.length);
    frames.forEach((f, t) => {
      if (f.width !== width || f.height !== height) {
        throw new IngestError('cache', `${this.dir}#${id}`, `frame ${indices[t]} is ${f.width}x${f.height}, others ${width}x${height}`);
      }
      data.set(f.data, t * frameBytes);
    });
    return { data, frames: frames.length, height, width };
  }

  /**
   * Stores a whole video: its record and all its JPEG frames, in one transaction. `jpegs` is one buffer
   * holding the frames back to back, `offsets` its frame boundaries (length frames + 1).
   */
  async putVideo(video: CachedVideo, jpegs: Uint8Array, offsets: readonly number[]): Promise<void> {
    CachedVideoSchema.parse(video);
    if (offsets.length !== video.frames + 1) {
      throw new IngestError('cache', `${this.dir}#${video.id}`, `got ${offsets.length - 1} frames for a record of ${video.frames}`);
    }
    // synchronous: a commit that fails (a full disk) throws here. lmdb-js's async transactions reject a promise per
    // write instead, which nothing awaits, and leave the transaction's own promise pending
    this.root.transactionSync(() => {
      // Replace any earlier copy completely (a re-ingest with --force).
      for (const { key } of this.frameDb.getRange({ start: [video.id, 0], end: [video.id, Number.MAX_SAFE_INTEGER] })) {
        this.frameDb.remove(key);
      }
      for (let i = 0; i < video.frames; i++) {
        this.frameDb.put([video.id, i], Buffer.from(jpegs.buffer, jpegs.byteOffset + offsets[i], offsets[i + 1] - offsets[i]));
      }
      this.videoDb.put(video.id, video);
    });
  }

  /** Bytes used on disk by the environment. */
  diskBytes(): number {
    return fs.statSync(path.join(this.dir, 'data.mdb')).size;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
