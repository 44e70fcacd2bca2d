/**
 * The test loaders of `evaluate` and of the validation epochs (the loader's `numClips` windows x 3 crops per
 * video, or each video's single view), wired to the library's scoring (@pvnas/nas `scoreViews`,
 * `singleViewAccuracy`). The caller owns the loader (its worker pool), so one loader serves every validation
 * epoch, or both evaluation passes. `shuffle`: each clip's frames shuffled first, seeded by (seed, video, view).
 */
import { deriveSeed } from '@pvnas/base';
import { ClipLoader, DEFAULT_TEMPORAL, shuffleClipFrames } from '@pvnas/ingest';
import * as tf from '@tensorflow/tfjs-core';
import {
  allReduceSum,
  processGroup,
  scoreViews as scoreBatches,
  singleViewAccuracy as singleViewAccuracyOf,
  sumOverRanks,
  type DenseViews,
  type SingleViewScore,
  type ViewBatch,
  type ViewEvaluation,
} from '@pvnas/nas';
import type { DataConfig } from '../config/schema';
import { loadSplit, type SplitData } from '../data/datasets';

export type { SingleViewScore };

export interface TestViews {
  split: SplitData;
  numClips: number;
  crop: number;
  frames: number;
  window: number;
  batchSize: number;
  workers: number;
}

export function testLoader(o: TestViews & { singleView?: boolean }): ClipLoader {
  return new ClipLoader({
    records: o.split.records,
    cacheDir: o.split.cacheDir,
    batchSize: o.batchSize,
    seed: 0,
    workers: o.workers,
    temporal: { ...DEFAULT_TEMPORAL, numFrames: o.frames, windowFrames: o.window },
    test: { crop: o.crop, numClips: o.numClips, singleView: o.singleView },
  });
}

/** A loader of each video's single view (`testLoader` with `singleView`), for validation during training. */
export function singleViewLoader(o: Omit<TestViews, 'numClips'>): ClipLoader {
  return testLoader({ ...o, numClips: 2, singleView: true });
}

/** Data parallel: this rank's videos of a split (every `worldSize`-th from `rank`); the whole split alone. */
export function rankShare(split: SplitData): SplitData {
  const { rank, worldSize } = processGroup();
  return worldSize === 1 ? split : { ...split, records: split.records.filter((_, i) => i % worldSize === rank) };
}

/**
 * The loader of the validation epochs (each video's single view of the validation split; data parallel: this rank's
 * share of it), or undefined when the run does not validate (`validateEvery` 0, or no validation split named).
 */
export async function validationLoader(
  c: { validateEvery: number; data: DataConfig; clips: { crop: number; frames: number; window: number }; batchSize: number },
  o: { workers: number; log: (line: string) => void; baseDir?: string },
): Promise<ClipLoader | undefined> {
  if (!(c.validateEvery > 0 && (c.data.source === 'sample' || c.data.val))) return undefined;
  const split = await loadSplit(c.data, 'val', { workers: 1, log: o.log, baseDir: o.baseDir });
  return singleViewLoader({
    split: rankShare(split),
    crop: c.clips.crop,
    frames: c.clips.frames,
    window: c.clips.window,
    batchSize: c.batchSize,
    workers: o.workers,
  });
}

/** Each clip's frames in a seeded random order: a clip of video v, view w is shuffled by (seed, v, w). */
const shuffled =
  (seed: number) =>
  (b: ViewBatch): Float32Array =>
    shuffleClipFrames(
      b.data,
      b.shape,
      Array.from(b.videoIndex, (v, k) => (b.view ? deriveSeed(seed, v, b.view[k]) : deriveSeed(seed, v))),
    );

export interface ViewScoring {
  /** Data parallel: the whole split (this loader holds `rankShare` of it); the metrics are then of all its videos. */
  whole?: SplitData;
  numClasses: number;
  logits: (x: tf.Tensor5D) => tf.Tensor2D;
  shuffle?: { seed: number };
  onBatch?: (done: number, total: number) => void;
}

/** Every rank's dense view scores summed (each rank scored other videos): the state of one that scored them all. */
function denseOverRanks(d: DenseViews): DenseViews {
  const parts = [d.sum, d.seen, d.single, d.hasSingle].map((a) => tf.tensor1d(Float32Array.from(a)));
  const sums = allReduceSum(parts);
  const [sum, seen, single, hasSingle] = sums.map((t) => t.dataSync());
  tf.dispose([...parts, ...sums]);
  return { sum: Float64Array.from(sum), seen: Uint8Array.from(seen), single: Float64Array.from(single), hasSingle: Uint8Array.from(hasSingle) };
}

/** A rank's batches with their videos numbered as in the whole split (`rankShare` keeps every `worldSize`-th). */
async function* numberedInWhole(batches: AsyncIterable<ViewBatch>): AsyncIterable<ViewBatch> {
  const { rank, worldSize } = processGroup();
  for await (const b of batches) yield { ...b, videoIndex: Int32Array.from(b.videoIndex, (v) => v * worldSize + rank) };
}

export async function scoreViews(
  loader: ClipLoader,
  o: ViewScoring,
): Promise<ViewEvaluation & { failures: ClipLoader['failures']; clipsPerSec: number; singleViewScores: SingleViewScore[] }> {
  const total = loader.batchesPerEpoch();
  const parallel = o.whole !== undefined && processGroup().worldSize > 1;
  const r = await scoreBatches(parallel ? numberedInWhole(loader.epoch(0)) : loader.epoch(0), {
    videos: parallel ? o.whole!.records : loader.opts.records,
    numClasses: o.numClasses,
    numClips: loader.opts.test!.numClips!,
    logits: o.logits,
    input: o.shuffle && shuffled(o.shuffle.seed),
    onBatch: (done) => o.onBatch?.(done, total),
    merge: parallel ? denseOverRanks : undefined,
  });
  return { ...r, failures: loader.failures };
}

/**
 * Top-1 accuracy on the single view of every video (a `singleViewLoader`); `shuffle`: frames shuffled first. Data
 * parallel: each rank scores its share and the counts are summed, so every rank gets the whole split's accuracy.
 */
export async function singleViewAccuracy(
  loader: ClipLoader,
  logits: (x: tf.Tensor5D) => tf.Tensor2D,
  shuffle?: { seed: number },
): Promise<{ acc: number; clips: number }> {
  const mine = await singleViewAccuracyOf(loader.epoch(0), logits, shuffle && shuffled(shuffle.seed));
  const [right, clips] = sumOverRanks([Math.round(mine.acc * mine.clips), mine.clips]);
  return { acc: clips > 0 ? right / clips : 0, clips };
}
