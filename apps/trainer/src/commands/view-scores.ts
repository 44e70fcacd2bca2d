/**
 * Scoring a model on test views: the loader's `numClips` windows x 3 crops per video, the mean softmax per
 * video (ViewAggregator), multi-view and single-view metrics, as `evaluate` does (10 x 3 = 30 views); and the
 * per-epoch validation of search and retraining on the single view alone (the centre crop of the middle
 * window, the same view as the 30-view evaluation's single view, at a thirtieth of the cost). The caller owns
 * the loader (its worker pool), so one loader serves every validation epoch, or both evaluation passes.
 */
import { ClipLoader, DEFAULT_TEMPORAL, shuffleClipFrames } from '@pvnas/ingest';
import { countCorrect, evaluateViews, ViewAggregator, type ViewEvaluation } from '@pvnas/nas';
import * as tf from '@tensorflow/tfjs-core';
import type { SplitData } from '../data/datasets';
import { centreViewIndex } from '@pvnas/base';
import { deriveSeed } from '@pvnas/base';

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

export interface ViewScoring {
  numClasses: number;
  logits: (x: tf.Tensor5D) => tf.Tensor2D;
  /** Shuffle each clip's frames (seeded by seed, video and view). */
  shuffle?: { seed: number };
  onBatch?: (done: number, total: number) => void;
}

/** A video's probabilities on the single view alone (what the viewer page computes in a browser). */
export interface SingleViewScore {
  id: string;
  label: number;
  probabilities: number[];
}

export async function scoreViews(loader: ClipLoader, o: ViewScoring): Promise<ViewEvaluation & { failures: ClipLoader['failures']; clipsPerSec: number; singleViewScores: SingleViewScore[] }> {
  const records = loader.opts.records;
  const numClips = loader.opts.test!.numClips!;
  const views = numClips * 3;
  const names = records.map((r) => r.id);
  const agg = new ViewAggregator({ numClasses: o.numClasses, views, numVideos: records.length, singleView: centreViewIndex(numClips), names });
  const total = loader.batchesPerEpoch();
  let done = 0;
  let clips = 0;
  const t0 = performance.now();
  for await (const b of loader.epoch(0)) {
    const data = o.shuffle ? shuffleClipFrames(b.data, b.shape, Array.from(b.videoIndex, (v, k) => deriveSeed(o.shuffle!.seed, v, b.view![k]))) : b.data;
    const logits = tf.tidy(() => o.logits(tf.tensor5d(data, b.shape)).dataSync());
    agg.addLogitsBatch(b.videoIndex, b.view!, logits);
    clips += b.shape[0];
    o.onBatch?.(++done, total);
  }
  const result = agg.result();
  const ev = evaluateViews(result, records.map((r) => r.label), { names });
  const single = result.singleView;
  const singleViewScores = single ? single.videos.map((v, k) => ({ id: names[v]!, label: records[v]!.label, probabilities: Array.from(single.scores[k]!) })) : [];
  return { ...ev, failures: loader.failures, clipsPerSec: (clips * 1000) / (performance.now() - t0), singleViewScores };
}

/** A loader of each video's single view (`testLoader` with `singleView`), for validation during training. */
export function singleViewLoader(o: Omit<TestViews, 'numClips'>): ClipLoader {
  return testLoader({ ...o, numClips: 2, singleView: true });
}

/**
 * Top-1 accuracy on the single view of every video (a `singleViewLoader`) and the clips it counted (0 when none
 * loaded). `shuffle`: each clip's frames shuffled first (seeded by seed and video).
 */
export async function singleViewAccuracy(loader: ClipLoader, logits: (x: tf.Tensor5D) => tf.Tensor2D, shuffle?: { seed: number }): Promise<{ acc: number; clips: number }> {
  let right = 0;
  let clips = 0;
  for await (const b of loader.epoch(0)) {
    const data = shuffle ? shuffleClipFrames(b.data, b.shape, Array.from(b.videoIndex, (v) => deriveSeed(shuffle.seed, v))) : b.data;
    right += tf.tidy(() => countCorrect(logits(tf.tensor5d(data, b.shape)), tf.tensor1d(b.labels, 'int32')));
    clips += b.shape[0];
  }
  return { acc: clips > 0 ? right / clips : 0, clips };
}
