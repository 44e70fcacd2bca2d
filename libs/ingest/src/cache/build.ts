/**
 * Fills a frame cache from a manifest: every video decoded once (pool workers), its frames JPEG-encoded and
 * written with its record in one LMDB transaction (this thread: LMDB has one writer). Resumable: videos
 * already in the cache are skipped, so a killed run continues where it stopped. Bad videos are listed in the
 * report and the run goes on.
 */
import path from 'node:path';
import fs from 'node:fs';
import { IngestError, toFailedItem, type FailedItem } from '../errors';
import type { Manifest, ManifestIssue } from '../manifest/types';
import { createWorkerPool } from '../pool/worker-pool';
import { checkHwaccel } from '../video/native-decode';
import { shardRecords, validateCacheShard, type CacheShard } from './cache-shard';
import type { IngestVideoTask, TaskResult } from '../pool/worker';
import { FrameCache, type CacheSettings } from './frame-cache';
import type { IngestVideoResult } from './ingest-video';
import { writeJsonFile } from '@pvnas/base/node';

export interface BuildOptions {
  manifest: Manifest;
  /** The cache folder (an LMDB environment). */
  out: string;
  settings: CacheSettings;
  /**
   * Build only this shard of the manifest (`--shard i/n`: the videos whose id hashes to i mod n, cache-shard.ts),
   * so n machines can each fill their own folder; the shard is recorded in the cache's header.
   */
  shard?: CacheShard;
  workers: number;
  /** Videos with fewer frames are refused as too short. */
  minFrames?: number;
  /**
   * Decode on this hardware device ('cuda': NVDEC through the in-process decoder). Checked before anything is
   * written; files the in-process decoder cannot take are decoded on the CPU by ffmpeg. The frames are the same.
   */
  hwaccel?: string;
  /**
   * Stop scheduling new videos when this signal aborts (Ctrl-C); videos in flight are still written when they finish.
   * One that fails after the stop, or whose ffmpeg a signal stopped, stays pending (not reported as bad): the same
   * Ctrl-C reaches ffmpeg. A run that leaves videos pending is `interrupted`.
   */
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildProgress {
  /** Videos this run covers: the manifest's, or its shard's. */
  total: number;
  /** Videos in the cache that this run did not have to decode. */
  skipped: number;
  written: number;
  failed: number;
  framesWritten: number;
  elapsedSec: number;
  /** The video just finished, or just failed. */
  last?: string;
}

export interface BuildReport {
  format: 'pvnas-ingest-report/1';
  out: string;
  settings: CacheSettings;
  /** Set for a sharded build: shard `index` of `count` (0-based), covering `videos` of the manifest's `manifestVideos`. */
  shard?: CacheShard & { videos: number; manifestVideos: number };
  workers: number;
  /** The hardware device decoding ran on (BuildOptions.hwaccel), absent for the CPU. */
  hwaccel?: string;
  startedAt: string;
  finishedAt: string;
  elapsedSec: number;
  /** True when a stop signal, or a cache that cannot be written (`error`), ended the run early; run again to continue. */
  interrupted: boolean;
  /** Why writing the cache failed (a full disk...): the run stopped; the videos committed before are kept. */
  error?: string;
  /** `manifest`: the videos this run covers (the whole manifest, or the shard's part of it). */
  counts: { manifest: number; skippedCached: number; written: number; failed: number; inCache: number; pending: number };
  framesWritten: number;
  /** JPEG bytes written by this run, and the cache's size on disk. */
  bytesWritten: number;
  diskBytes: number;
  framesPerSec: number;
  failures: FailedItem[];
  manifestIssues: ManifestIssue[];
}

export const REPORT_FILE = 'ingest-report.json';

export async function buildCache(opts: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const shard = opts.shard && validateCacheShard(opts.shard);
  if (opts.hwaccel) checkHwaccel(opts.hwaccel);
  const records = shardRecords(opts.manifest.records, shard);
  const cache = FrameCache.openWriter(opts.out, opts.settings, shard);
  const pool = createWorkerPool(opts.workers);
  const todo = records.filter((r) => !cache.has(r.id));
  const progress: BuildProgress = {
    total: records.length,
    skipped: records.length - todo.length,
    written: 0,
    failed: 0,
    framesWritten: 0,
    elapsedSec: 0,
  };
  const failures: FailedItem[] = [];
  let bytesWritten = 0;
  const report = (last?: string): void => {
    progress.elapsedSec = (Date.now() - started) / 1000;
    progress.last = last;
    opts.onProgress?.({ ...progress });
  };
  report();

  // A bounded number of videos in flight (each holds its JPEGs until written): `lanes` loops pulling
  // the next video in manifest order until none is left or the stop signal fires.
  let next = 0;
  const fail = (failure: FailedItem): void => {
    // After a stop a failure is not the video's fault: Ctrl-C in a terminal signals the whole process group, so the
    // ffmpeg of a video in flight dies too (and its failure may come back just before the stop signal does). The
    // video stays pending (not cached, not listed) and the next run does it.
    if (opts.signal?.aborted || failure.kind === 'interrupted') return;
    failures.push(failure);
    progress.failed++;
  };
  // the cache cannot be written (a full disk, an I/O error): not the video's fault; the build stops
  let fatal: IngestError | undefined;
  const processOne = async (record: (typeof todo)[number]): Promise<void> => {
    const task: IngestVideoTask = { kind: 'ingest-video', record, settings: opts.settings, minFrames: opts.minFrames ?? 8, hwaccel: opts.hwaccel };
    try {
      const res = (await pool.run(task)) as TaskResult<IngestVideoResult>;
      if (fatal) return;
      if (res.ok) {
        const { video, jpegs, offsets } = res.value;
        try {
          await cache.putVideo(video, jpegs, offsets);
        } catch (err) {
          fatal ??= storageError(opts.out, err);
          return;
        }
        progress.written++;
        progress.framesWritten += video.frames;
        bytesWritten += video.bytes;
      } else {
        fail(res.failure);
      }
    } catch (err) {
      fail(toFailedItem(record.path, err));
    }
    report(record.id);
  };
  const lane = async (): Promise<void> => {
    while (next < todo.length && !opts.signal?.aborted && !fatal) await processOne(todo[next++]);
  };
  try {
    await Promise.all(Array.from({ length: opts.workers * 2 }, lane));
  } finally {
    await pool.destroy();
  }
  const pending = todo.length - progress.written - progress.failed;
  const interrupted = pending > 0;

  const elapsedSec = (Date.now() - started) / 1000;
  const result: BuildReport = {
    format: 'pvnas-ingest-report/1',
    out: path.resolve(opts.out),
    settings: opts.settings,
    ...(shard && { shard: { ...shard, videos: records.length, manifestVideos: opts.manifest.records.length } }),
    workers: opts.workers,
    ...(opts.hwaccel ? { hwaccel: opts.hwaccel } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
    elapsedSec,
    interrupted,
    ...(fatal && { error: fatal.message }),
    counts: {
      manifest: records.length,
      skippedCached: progress.skipped,
      written: progress.written,
      failed: progress.failed,
      inCache: cache.count(),
      pending,
    },
    framesWritten: progress.framesWritten,
    bytesWritten,
    diskBytes: fs.existsSync(path.join(opts.out, 'data.mdb')) ? fs.statSync(path.join(opts.out, 'data.mdb')).size : 0,
    framesPerSec: elapsedSec > 0 ? progress.framesWritten / elapsedSec : 0,
    failures,
    manifestIssues: opts.manifest.issues,
  };
  try {
    await cache.close();
  } catch (err) {
    fatal ??= storageError(opts.out, err);
  }
  try {
    writeJsonFile(path.join(opts.out, REPORT_FILE), result);
  } catch (err) {
    if (!fatal) throw err;
    // on a full disk the report cannot be written either: the error says what it would have
    throw new IngestError(
      fatal.kind,
      fatal.item,
      `${fatal.reason}; ${REPORT_FILE} could not be written either (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): this run wrote ${progress.written} videos, ${progress.failed} failed, ${pending} pending`,
      fatal.hint,
    );
  }
  if (fatal) throw fatal;
  return result;
}

/** The error of a cache write that failed: a full disk said in those words (LMDB reports it as an I/O error). */
export function storageError(out: string, err: unknown): IngestError {
  // lmdb-js rejects a second promise with the cause ("Commit failed (see commitError)"): handled here, or its
  // rejection would end the process with a raw stack trace
  (err as { commitError?: Promise<unknown> }).commitError?.catch(() => {});
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
  const code = (err as NodeJS.ErrnoException).code;
  let free: number | undefined;
  try {
    const s = fs.statfsSync(out);
    free = s.bavail * s.bsize;
  } catch {
    // unknown
  }
  const keep = 'the videos committed so far are kept and the same command continues after them';
  if (code === 'ENOSPC' || /no space|ENOSPC/i.test(message) || (free !== undefined && free < 16 * 2 ** 20))
    return new IngestError(
      'cache',
      out,
      `the disk is full: no space left to write the frame cache (${free === undefined ? 'free space unknown' : `${(free / 2 ** 20).toFixed(1)} MB free`} on its file system; LMDB said: ${message})`,
      `free some space or choose an --out on a disk with room; ${keep}`,
    );
  return new IngestError('cache', out, `the frame cache cannot be written: ${message}`, `fix the cause; ${keep}`);
}
