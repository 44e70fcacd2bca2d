/**
 * Classification metrics from per-video scores and labels.
 *
 * - Ranking and ties: classes are ranked by score, highest first; equal scores rank the lower class index first
 *   (as `argmax` in PyTorch and NumPy returns the first maximum, and as a stable descending sort would). So
 *   the top-1 prediction is the first maximum, and a video is top-k correct when fewer than k classes rank
 *   above its label: strictly higher scores, or equal scores at a lower index.
 * - top-k with k > number of classes: k is clamped to the class count (so top-5 over 3 classes is 100%);
 *   `effectiveK` says so.
 * - Per-class accuracy is top-1 recall of each true class, with the number of videos of the class; a class with
 *   no videos has `accuracy: null` (unknown), not 0. Mean class accuracy is the mean over the classes that
 *   have videos.
 * - Confusion matrix: `confusion[t][p]` counts videos of true class t whose top-1 prediction is p.
 * - Refused (error naming the row, and the video when `videos` is given): a label that is not an integer in
 *   [0, numClasses), a score row of the wrong length or with a NaN/infinite value, no rows at all.
 */
import { EvaluationError, videoLabel } from './errors';

export interface TopK {
  /** k as asked. */
  k: number;
  /** k used: min(k, numClasses). */
  effectiveK: number;
  correct: number;
  accuracy: number;
}

export interface ClassAccuracy {
  class: number;
  /** Videos whose true class this is. */
  videos: number;
  /** Of those, predicted top-1 correctly. */
  correct: number;
  /** correct / videos; null when the class has no videos. */
  accuracy: number | null;
}

export interface Metrics {
  videos: number;
  numClasses: number;
  top1: TopK;
  top5: TopK;
  /** One entry per k of `ks` (default [1, 5]). */
  topK: TopK[];
  perClass: ClassAccuracy[];
  /** Mean of per-class accuracy over the classes that have videos. */
  meanClassAccuracy: number;
  /** Classes with at least one video (the denominator of `meanClassAccuracy`). */
  classesWithVideos: number;
  /** `confusion[trueClass][predictedClass]`: video counts. */
  confusion: number[][];
  /** Top-1 prediction of each row. */
  predictions: Int32Array;
}

export interface MetricsOptions {
  numClasses: number;
  /** The k of `topK` (default [1, 5]). */
  ks?: readonly number[];
  /** Video index of each row, used to name videos in errors. */
  videos?: readonly number[];
  /** Video names (indexed by video index), used in errors. */
  names?: readonly string[];
}

/** Index of the first maximum of `row` (PyTorch's `argmax` rule). */
export function argmaxFirst(row: ArrayLike<number>): number {
  if (row.length === 0) throw new EvaluationError('argmax of an empty row');
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
}

/**
 * 0-based rank of class `label` in `row`: the number of classes with a higher score, or an equal score and a
 * lower index. The label is top-k correct iff `labelRank < k`.
 */
export function labelRank(row: ArrayLike<number>, label: number): number {
  const s = row[label];
  let rank = 0;
  for (let c = 0; c < row.length; c++) {
    const x = row[c];
    if (x > s || (x === s && c < label)) rank++;
  }
  return rank;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new EvaluationError(`top-k needs a positive integer k, got ${k}`);
}

export function computeMetrics(scores: readonly ArrayLike<number>[], labels: ArrayLike<number>, opts: MetricsOptions): Metrics {
  const C = opts.numClasses;
  if (!Number.isInteger(C) || C < 1) throw new EvaluationError(`numClasses must be a positive integer, got ${C}`);
  const N = scores.length;
  if (labels.length !== N) throw new EvaluationError(`${N} score rows but ${labels.length} labels`);
  if (opts.videos && opts.videos.length !== N) throw new EvaluationError(`${N} score rows but ${opts.videos.length} video indices`);
  if (N === 0) throw new EvaluationError('no videos to score');
  const ks = opts.ks ?? [1, 5];
  ks.forEach(checkK);
  const who = (i: number): string => (opts.videos ? `${videoLabel(opts.videos[i], opts.names)} (row ${i})` : `row ${i}`);

  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  const predictions = new Int32Array(N);
  const ranks = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const row = scores[i];
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= C) {
      throw new EvaluationError(`${who(i)}: label ${y} is not a class index in [0, ${C - 1}]`, opts.videos?.[i]);
    }
    if (row.length !== C) throw new EvaluationError(`${who(i)}: ${row.length} scores for ${C} classes`, opts.videos?.[i]);
    for (let c = 0; c < C; c++) {
      if (!Number.isFinite(row[c])) throw new EvaluationError(`${who(i)}: score of class ${c} is ${row[c]}`, opts.videos?.[i]);
    }
    const p = argmaxFirst(row);
    predictions[i] = p;
    ranks[i] = labelRank(row, y);
    confusion[y][p]++;
  }

  const topk = (k: number): TopK => {
    checkK(k);
    const effectiveK = Math.min(k, C);
    let correct = 0;
    for (let i = 0; i < N; i++) if (ranks[i] < effectiveK) correct++;
    return { k, effectiveK, correct, accuracy: correct / N };
  };

  const perClass: ClassAccuracy[] = confusion.map((row, c) => {
    const videos = row.reduce((a, b) => a + b, 0);
    const correct = row[c];
    return { class: c, videos, correct, accuracy: videos === 0 ? null : correct / videos };
  });
  const present = perClass.filter((pc) => pc.accuracy !== null);
  const meanClassAccuracy = present.reduce((a, pc) => a + pc.accuracy!, 0) / present.length;

  return {
    videos: N,
    numClasses: C,
    top1: topk(1),
    top5: topk(5),
    topK: ks.map(topk),
    perClass,
    meanClassAccuracy,
    classesWithVideos: present.length,
    confusion,
    predictions,
  };
}
