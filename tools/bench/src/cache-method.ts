/**
 * The cache build: `buildCache` over the distinct videos of the clip list (short side 128, 30 fps, JPEG quality 90,
 * the same worker count), timed on its own and reported as frames/s. The cache path itself is a LoaderRun on the
 * built folder (loader-method.ts).
 */
import * as fs from 'node:fs';
import type { ClipList } from './clip-list';
import type { ClipSet } from './datasets';
import { measure, type Measured } from './measure';
import { CACHE_SETTINGS, type BenchOptions } from './options';
import { buildCache } from '@pvnas/ingest';

export interface CacheBuildResult extends Measured {
  videos: number;
  frames: number;
  framesPerSec: number;
  /** The builder's own figure (its report). */
  reportFramesPerSec: number;
  diskBytes: number;
  failed: number;
}

export async function buildSetCache(set: ClipSet, list: ClipList, dir: string, o: BenchOptions): Promise<CacheBuildResult> {
  fs.rmSync(dir, { recursive: true, force: true });
  const { value: report, m } = await measure(() =>
    buildCache({ manifest: { classes: set.classes, records: list.videos, issues: [] }, out: dir, settings: CACHE_SETTINGS, workers: o.workers }),
  );
  if (report.failures.length) {
    throw new Error(
      `cache build for ${set.name} failed on ${report.failures.length} videos: ${report.failures.map((f) => `${f.item}: ${f.reason}`).join('; ')}`,
    );
  }
  return {
    ...m,
    videos: report.counts.written,
    frames: report.framesWritten,
    framesPerSec: report.framesWritten / m.sec,
    reportFramesPerSec: report.framesPerSec,
    diskBytes: report.diskBytes,
    failed: report.failures.length,
  };
}
