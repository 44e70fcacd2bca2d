/**
 * The cache build: `buildCache` over the distinct videos of the clip list (short side 128, 30 fps, JPEG quality 90,
 * the same worker count), timed on its own and reported as frames/s, next to its peer: a bare ffmpeg decode and
 * scale of the same videos to the same frames (fps=30, short side 128, bilinear) into the null muxer, as many at once
 * as the build has workers: the build's decode, with nothing written (no JPEG, no LMDB). The cache path itself is a
 * LoaderRun on the built folder (loader-method.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { ClipList } from './clip-list';
import type { ClipSet } from './datasets';
import { measure, type Measured } from './measure';
import { CACHE_SETTINGS, type BenchOptions } from './options';
import { buildCache, FFMPEG_PATH } from '@pvnas/ingest';

export interface CacheBuildResult extends Measured {
  videos: number;
  frames: number;
  framesPerSec: number;
  /** The builder's own figure (its report). */
  reportFramesPerSec: number;
  diskBytes: number;
  failed: number;
  /** The peer: frames/s of a bare ffmpeg decode + scale of the same videos to /dev/null, `workers` at once. */
  bareFramesPerSec: number;
  /** Seconds until the first video was written: the worker pool's start-up (module loading) and one video. */
  firstVideoSec: number;
}

/** Decodes and scales every video as the build does, writing nothing; resolves with the wall seconds. */
async function bareDecodeScale(files: string[], workers: number, shortSide: number, fps: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const one = (file: string) =>
    new Promise<void>((resolve, reject) => {
      const scale = `scale=w='if(gt(iw,ih),-1,${shortSide})':h='if(gt(iw,ih),${shortSide},-1)':flags=bilinear`;
      const args = [
        '-nostdin',
        '-nostats',
        '-loglevel',
        'error',
        '-threads',
        '1',
        '-i',
        file,
        '-map',
        '0:v:0',
        '-vf',
        `fps=${fps},${scale}`,
        '-f',
        'null',
        '-',
      ];
      const child = spawn(FFMPEG_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${err.slice(-300)}`))));
    });
  const lane = async () => {
    while (next < files.length) await one(files[next++]);
  };
  await Promise.all(Array.from({ length: workers }, lane));
  return (performance.now() - t0) / 1000;
}

export async function buildSetCache(set: ClipSet, list: ClipList, dir: string, o: BenchOptions): Promise<CacheBuildResult> {
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  let firstVideoSec = 0;
  const { value: report, m } = await measure(() =>
    buildCache({
      manifest: { classes: set.classes, records: list.videos, issues: [] },
      out: dir,
      settings: CACHE_SETTINGS,
      workers: o.workers,
      onProgress: (p) => {
        if (p.written > 0 && !firstVideoSec) firstVideoSec = (performance.now() - t0) / 1000;
      },
    }),
  );
  if (report.failures.length) {
    throw new Error(
      `cache build for ${set.name} failed on ${report.failures.length} videos: ${report.failures.map((f) => `${f.item}: ${f.reason}`).join('; ')}`,
    );
  }
  const bareSec = await bareDecodeScale(
    list.videos.map((v) => v.path),
    o.workers,
    CACHE_SETTINGS.shortSide,
    CACHE_SETTINGS.fps,
  );
  return {
    ...m,
    bareFramesPerSec: report.framesWritten / bareSec,
    firstVideoSec,
    videos: report.counts.written,
    frames: report.framesWritten,
    framesPerSec: report.framesWritten / m.sec,
    reportFramesPerSec: report.framesPerSec,
    diskBytes: report.diskBytes,
    failed: report.failures.length,
  };
}
