/**
 * 30-view and single-view metrics of an aggregation, with labels indexed by video (the loader's records).
 *
 * - Multi-view: the mean-softmax scores of every video that got at least one view (incomplete videos included,
 *   scored over the views they have; `unseen` videos are not scored and so not counted).
 * - Single-view: the softmax of the designated view alone (default the centre crop of the middle clip, view 16
 *   of 30: see view-layout.ts), over the videos that got that view; the others are listed in
 *   `singleViewMissing`. null when no view was designated or no video got it.
 */
import { EvaluationError } from './errors';
import { computeMetrics, type Metrics } from './metrics';
import type { AggregateResult, IncompleteVideo } from './view-aggregator';

export interface ViewEvaluation {
  /** Views expected per video. */
  views: number;
  multiView: Metrics;
  /** View index used for single-view metrics, or null. */
  singleViewIndex: number | null;
  singleView: Metrics | null;
  /** Videos scored over fewer views than expected. */
  incomplete: IncompleteVideo[];
  /** Expected videos with no view: not scored. */
  unseen: number[];
  /** Scored videos that lack the single view: left out of the single-view metrics. */
  singleViewMissing: number[];
}

export interface ViewEvaluationOptions {
  /** The k of each `topK` (default [1, 5]). */
  ks?: readonly number[];
  /** Video names, indexed by video, for errors. */
  names?: readonly string[];
}

function labelsOf(videos: readonly number[], labels: ArrayLike<number>): number[] {
  return videos.map((v) => {
    if (v >= labels.length) throw new EvaluationError(`video ${v} has no label (${labels.length} labels given)`, v);
    return labels[v];
  });
}

/** Metrics of the single designated view; null when none was designated or no video got it. */
export function singleViewMetrics(result: AggregateResult, labels: ArrayLike<number>, opts: ViewEvaluationOptions = {}): Metrics | null {
  const sv = result.singleView;
  if (!sv || sv.videos.length === 0) return null;
  return computeMetrics(sv.scores, labelsOf(sv.videos, labels), { numClasses: result.numClasses, ks: opts.ks, videos: sv.videos, names: opts.names });
}

/** Multi-view and single-view metrics; `labels[v]` is the true class of video `v`. */
export function evaluateViews(result: AggregateResult, labels: ArrayLike<number>, opts: ViewEvaluationOptions = {}): ViewEvaluation {
  const multiView = computeMetrics(result.scores, labelsOf(result.videos, labels), {
    numClasses: result.numClasses,
    ks: opts.ks,
    videos: result.videos,
    names: opts.names,
  });
  return {
    views: result.expectedViews,
    multiView,
    singleViewIndex: result.singleView?.view ?? null,
    singleView: singleViewMetrics(result, labels, opts),
    incomplete: result.incomplete,
    unseen: result.unseen,
    singleViewMissing: result.singleView?.missing ?? [],
  };
}
