/**
 * Scoring a model on test views, the loop `evaluate` and every validation epoch run: each batch of views
 * (a test loader's, or any source of the same shape) through the model, the mean softmax per video
 * (ViewAggregator), then multi-view and single-view metrics. `singleViewAccuracy` is the cheap per-epoch check:
 * top-1 on each video's single view (the centre crop of the middle window, the 30-view evaluation's single
 * view, at a thirtieth of the cost). The data comes in as plain batches: libs/nas never imports the loader.
 */
import * as tf from '@tensorflow/tfjs-core';
import { centreViewIndex, CROPS_PER_CLIP } from '@pvnas/base';
import { countCorrect } from '../train/loss';
import { ViewAggregator, type DenseViews } from './view-aggregator';
import { evaluateViews, type ViewEvaluation } from './view-metrics';

/** A batch of test views: float32 clips `[B, T, S, S, 3]`, each with its video (an index into `videos`) and view. */
export interface ViewBatch {
  data: Float32Array;
  shape: [number, number, number, number, number];
  labels: Int32Array;
  videoIndex: Int32Array;
  /** `clip * 3 + crop` (see @pvnas/base's view layout). */
  view?: Int32Array;
}

export interface ViewScoring {
  /** The videos the batches index: their ids (for reports) and labels. */
  videos: ReadonlyArray<{ id: string; label: number }>;
  numClasses: number;
  /** Temporal clips per video (the views are `numClips * 3`). */
  numClips: number;
  logits: (x: tf.Tensor5D) => tf.Tensor2D;
  /** The clips fed to the model instead of `b.data` (e.g. frames shuffled), when given. */
  input?: (b: ViewBatch) => Float32Array;
  onBatch?: (done: number) => void;
  /**
   * Data parallel: each process scores its own videos, then `merge` returns the sum of every process's dense state
   * (an all-reduce), so each gets the metrics of all the videos.
   */
  merge?: (mine: DenseViews) => DenseViews;
}

/** A video's probabilities on the single view alone (what the viewer page computes in a browser). */
export interface SingleViewScore {
  id: string;
  label: number;
  probabilities: number[];
}

export async function scoreViews(
  batches: AsyncIterable<ViewBatch>,
  o: ViewScoring,
): Promise<ViewEvaluation & { clipsPerSec: number; singleViewScores: SingleViewScore[] }> {
  const names = o.videos.map((v) => v.id);
  const options = { numClasses: o.numClasses, views: o.numClips * CROPS_PER_CLIP, numVideos: o.videos.length, singleView: centreViewIndex(o.numClips), names };
  let agg = new ViewAggregator(options);
  let done = 0;
  let clips = 0;
  const t0 = performance.now();
  for await (const b of batches) {
    if (!b.view) throw new Error('scoreViews needs test batches (each view numbered: a test loader)');
    const data = o.input ? o.input(b) : b.data;
    const logits = tf.tidy(() => o.logits(tf.tensor5d(data, b.shape)).dataSync());
    agg.addLogitsBatch(b.videoIndex, b.view, logits);
    clips += b.shape[0];
    o.onBatch?.(++done);
  }
  if (o.merge) {
    const all = new ViewAggregator(options);
    all.addDense(o.merge(agg.toDense()));
    agg = all;
  }
  const result = agg.result();
  const ev = evaluateViews(
    result,
    o.videos.map((v) => v.label),
    { names },
  );
  const single = result.singleView;
  const singleViewScores = single
    ? single.videos.map((v, k) => ({ id: names[v]!, label: o.videos[v]!.label, probabilities: Array.from(single.scores[k]!) }))
    : [];
  return { ...ev, clipsPerSec: (clips * 1000) / (performance.now() - t0), singleViewScores };
}

/** Top-1 accuracy over batches of single views and the clips it counted (0 when none came). */
export async function singleViewAccuracy(
  batches: AsyncIterable<ViewBatch>,
  logits: (x: tf.Tensor5D) => tf.Tensor2D,
  input?: (b: ViewBatch) => Float32Array,
): Promise<{ acc: number; clips: number }> {
  let right = 0;
  let clips = 0;
  for await (const b of batches) {
    const data = input ? input(b) : b.data;
    right += tf.tidy(() => countCorrect(logits(tf.tensor5d(data, b.shape)), tf.tensor1d(b.labels, 'int32')));
    clips += b.shape[0];
  }
  return { acc: clips > 0 ? right / clips : 0, clips };
}
