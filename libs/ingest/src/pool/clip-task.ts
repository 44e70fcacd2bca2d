/**
 * One clip, as a pool worker makes it: temporal indices, frames (decoded from the video, or read from the
 * frame cache), spatial views, normalised float32. Everything random comes from the task's own seed, so a
 * clip is the same on any worker and with any worker count.
 */
import { FrameCache } from '../cache/frame-cache';
import { IngestError } from '../errors';
import { sampleTestIndices, sampleTrainIndices, type TemporalConfig } from '../sampling/temporal';
import { resizeCropNormalize } from '../transforms/fused';
import { drawTrainParams, testCropParams } from '../transforms/params';
import type { CropParams, TestTransformConfig, TrainTransformConfig } from '../transforms/types';
import { decodeFrames } from '../video/decode';
import { probeVideo } from '../video/probe';
import type { FrameBatch } from '../video/types';
import { CENTRE_CROP, createRng, CROPS_PER_CLIP } from '@pvnas/base';

export type ClipSource = { type: 'video'; path: string } | { type: 'cache'; dir: string; id: string };

interface ClipTaskBase {
  kind: 'clip';
  /** What errors name: the video path, or `cacheDir#id`. */
  item: string;
  source: ClipSource;
  temporal: TemporalConfig;
  minFrames: number;
}

/** Train: one random window and one random view, all drawn from `seed`. */
export interface TrainClipTask extends ClipTaskBase {
  mode: 'train';
  seed: number;
  spatial: TrainTransformConfig;
}

/** Test: temporal window `clip` of `numClips`, and the three spatial crops of it (or only the centre one). */
export interface TestClipTask extends ClipTaskBase {
  mode: 'test';
  clip: number;
  numClips: number;
  spatial: TestTransformConfig;
  /** Only the centre crop (index 1): the single view of a video. */
  centreOnly?: boolean;
}

export type ClipTask = TrainClipTask | TestClipTask;

export interface ClipResult {
  /** One float32 `[T, S, S, 3]` view per entry (train: 1, test: 3, or 1 with `centreOnly`). */
  views: Float32Array[];
  /** Test: the crop index (0..2) of each view. */
  crops?: number[];
  frames: number;
  size: number;
  /** The source frame indices sampled (at the source's own rate: the video's, or the cache's). */
  indices: number[];
  params: CropParams[];
}

interface SourceInfo {
  frames: number;
  fps: number;
}

// Per-worker memo: probing costs an ffmpeg run, a cache handle an LMDB open.
const probed = new Map<string, SourceInfo>();
const caches = new Map<string, FrameCache>();

function cacheAt(dir: string): FrameCache {
  let c = caches.get(dir);
  if (!c) {
    c = FrameCache.openReader(dir);
    caches.set(dir, c);
  }
  return c;
}

async function sourceInfo(task: ClipTask): Promise<SourceInfo> {
  const src = task.source;
  if (src.type === 'cache') {
    const v = cacheAt(src.dir).video(src.id);
    if (!v) throw new IngestError('cache', task.item, 'video is not in the frame cache', 'ingest it, or leave it out of the manifest');
    return { frames: v.frames, fps: v.fps };
  }
  let info = probed.get(src.path);
  if (!info) {
    const p = await probeVideo(src.path, { minFrames: task.minFrames });
    info = { frames: p.frames, fps: p.fps };
    if (probed.size > 50_000) probed.clear();
    probed.set(src.path, info);
  }
  return info;
}

async function readFrames(task: ClipTask, indices: number[]): Promise<FrameBatch> {
  const src = task.source;
  if (src.type === 'cache') return cacheAt(src.dir).readClip(src.id, indices);
  return decodeFrames(src.path, indices);
}

export async function loadClip(task: ClipTask): Promise<ClipResult> {
  const info = await sourceInfo(task);
  if (task.mode === 'train') {
    // Draw order: window start (1 draw), then the view (4 draws); fixed, so seeds map to clips exactly.
    const rng = createRng(task.seed);
    const indices = sampleTrainIndices(info.frames, info.fps, rng, task.temporal);
    const frames = await readFrames(task, indices);
    const params = drawTrainParams(rng, frames, task.spatial);
    const view = resizeCropNormalize(frames, { ...params, mean: task.spatial.mean, std: task.spatial.std });
    return { views: [view], frames: indices.length, size: params.size, indices, params: [params] };
  }
  const indices = sampleTestIndices(info.frames, info.fps, task.numClips, task.temporal)[task.clip];
  const frames = await readFrames(task, indices);
  const crops = task.centreOnly ? [CENTRE_CROP] : Array.from({ length: CROPS_PER_CLIP }, (_, k) => k);
  const params = crops.map((c) => testCropParams(frames, task.spatial.crop)[c]!);
  const views = params.map((p) => resizeCropNormalize(frames, { ...p, mean: task.spatial.mean, std: task.spatial.std }));
  return { views, crops, frames: indices.length, size: task.spatial.crop, indices, params };
}
