/**
 * Multi-view test scores (docs/architecture.md, "Defaults"): the score of a video is the mean, over its
 * views (default 30 = 10 temporal clips x 3 spatial crops), of the softmax of each view's logits.
 *
 * - Input is explicit: `addLogits*` takes raw network outputs and applies a numerically stable softmax per
 *   view; `addProbabilities*` takes rows that already are probabilities (checked: finite, >= 0, sum 1 within
 *   `probabilityTolerance`) and averages them as given.
 * - Views may arrive in any order and interleaved across videos (the loader batches the 3 crops of several
 *   (video, clip) items together, and a batch may span videos). Each view is identified by its index
 *   (`clip * 3 + crop`, see view-layout.ts); a view index outside `[0, views)`, or one that already arrived for
 *   that video (which would make more views than expected), is refused with an error naming the video.
 * - A batch is all-or-nothing: every row is checked before any is added, so a refused batch leaves the
 *   aggregator as it was.
 * - Missing views (a clip that failed to load, a run cut short): the decision is to score such a video over
 *   the views it has (the mean of those softmaxes, never a sum divided by the expected count) and to list it
 *   in `incomplete` with the view indices it lacks, so the report can say how many videos were scored on
 *   fewer views. A video expected (`numVideos`) but with no view at all cannot be scored: it is listed in
 *   `unseen` and left out of the scores (and so out of the metrics).
 * - Memory: a running float64 sum per video, plus a copy of one designated view (`singleView`, default the
 *   centre crop of the middle clip) for single-view accuracy; never all views (Kinetics-400's 20k validation
 *   videos x 30 views x 400 classes would be 2 GB).
 */
import { EvaluationError, videoLabel } from './errors';
import { softmaxInto, centreViewIndex, CROPS_PER_CLIP, DEFAULT_TEST_VIEWS } from '@pvnas/base';

export interface ViewAggregatorOptions {
  numClasses: number;
  /** Views every video should get (default 30: 10 clips x 3 crops). */
  views?: number;
  /**
   * Videos expected, indices `0..numVideos-1` (e.g. the loader's `records.length`). Videos that never get a
   * view are then listed as `unseen`. Without it only videos that got a view are known.
   */
  numVideos?: number;
  /**
   * The view whose softmax is kept for single-view metrics: default `centreViewIndex(views / 3)` (view 16 of
   * 30) when `views` is a multiple of 3, else none; `null` keeps none.
   */
  singleView?: number | null;
  /** Names of the videos (e.g. manifest ids), indexed like the videos; used in errors and in `incomplete`. */
  names?: readonly string[];
  /** How far from 1 a probability row may sum (default 1e-3: float32 softmax outputs). */
  probabilityTolerance?: number;
}

export interface IncompleteVideo {
  video: number;
  name?: string;
  /** Views it was scored over. */
  views: number;
  /** View indices that never arrived, ascending. */
  missing: number[];
}

/** Scores of some videos: row `i` of `scores` is the score of video `videos[i]`. */
export interface VideoScores {
  /** Video indices, ascending. */
  videos: number[];
  /** One row of `numClasses` probabilities per video. */
  scores: Float64Array[];
}

export interface AggregateResult extends VideoScores {
  numClasses: number;
  /** Views expected per video. */
  expectedViews: number;
  /** Views each scored video got (aligned with `videos`). */
  viewCounts: number[];
  /** Scored videos that got fewer than `expectedViews` views (scored over the views they have). */
  incomplete: IncompleteVideo[];
  /** Expected videos (`numVideos`) that got no view at all: not scored. */
  unseen: number[];
  /**
   * The designated single view's softmax, for the videos that got that view (videos lacking it are in
   * `singleView.missing`); null when no single view was designated.
   */
  singleView: (VideoScores & { view: number; missing: number[] }) | null;
}

interface VideoState {
  sum: Float64Array;
  seen: Uint8Array;
  count: number;
  single: Float64Array | null;
}

export type ViewKind = 'logits' | 'probabilities';

/**
 * An aggregator's state as flat arrays over `numVideos` videos (`toDense`): the sum of each video's view
 * probabilities, the views it got, and its single view's probabilities. Aggregators of processes that scored disjoint
 * videos add up element by element into the state of one that scored them all (data-parallel evaluation).
 */
export interface DenseViews {
  /** [numVideos * numClasses] */
  sum: Float64Array;
  /** [numVideos * views]: 1 where the view arrived */
  seen: Uint8Array;
  /** [numVideos * numClasses]: the single view's probabilities (zeros without it) */
  single: Float64Array;
  /** [numVideos]: 1 where the single view arrived */
  hasSingle: Uint8Array;
}

export class ViewAggregator {
  readonly numClasses: number;
  readonly expectedViews: number;
  readonly singleView: number | null;
  readonly numVideos: number | undefined;
  private readonly names: readonly string[] | undefined;
  private readonly tolerance: number;
  private readonly state = new Map<number, VideoState>();

  constructor(opts: ViewAggregatorOptions) {
    const { numClasses } = opts;
    const views = opts.views ?? DEFAULT_TEST_VIEWS;
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new EvaluationError(`numClasses must be a positive integer, got ${numClasses}`);
    }
    if (!Number.isInteger(views) || views < 1) throw new EvaluationError(`views must be a positive integer, got ${views}`);
    if (opts.numVideos !== undefined && (!Number.isInteger(opts.numVideos) || opts.numVideos < 0)) {
      throw new EvaluationError(`numVideos must be a non-negative integer, got ${opts.numVideos}`);
    }
    const single = opts.singleView === undefined ? (views % CROPS_PER_CLIP === 0 ? centreViewIndex(views / CROPS_PER_CLIP) : null) : opts.singleView;
    if (single !== null && (!Number.isInteger(single) || single < 0 || single >= views)) {
      throw new EvaluationError(`singleView must be a view index in [0, ${views - 1}], got ${single}`);
    }
    const tol = opts.probabilityTolerance ?? 1e-3;
    if (!(tol >= 0)) throw new EvaluationError(`probabilityTolerance must be >= 0, got ${tol}`);
    this.numClasses = numClasses;
    this.expectedViews = views;
    this.singleView = single;
    this.numVideos = opts.numVideos;
    this.names = opts.names;
    this.tolerance = tol;
  }

  /** One view's logits (`numClasses` values from `offset`). */
  addLogits(video: number, view: number, logits: ArrayLike<number>, offset = 0): void {
    this.addBatch('logits', [video], [view], logits, offset, false);
  }

  /** One view's probabilities (`numClasses` values from `offset`). */
  addProbabilities(video: number, view: number, probabilities: ArrayLike<number>, offset = 0): void {
    this.addBatch('probabilities', [video], [view], probabilities, offset, false);
  }

  /**
   * A batch of views, e.g. straight from a test `ClipBatch` and the network's `[B, numClasses]` output:
   * row `b` of `logits` (row-major) is view `view[b]` of video `videoIndex[b]`.
   */
  addLogitsBatch(videoIndex: ArrayLike<number>, view: ArrayLike<number>, logits: ArrayLike<number>): void {
    this.addBatch('logits', videoIndex, view, logits, 0, true);
  }

  /** As `addLogitsBatch`, for rows that already are probabilities. */
  addProbabilitiesBatch(videoIndex: ArrayLike<number>, view: ArrayLike<number>, probabilities: ArrayLike<number>): void {
    this.addBatch('probabilities', videoIndex, view, probabilities, 0, true);
  }

  /** Views received so far for `video`. */
  viewsOf(video: number): number {
    return this.state.get(video)?.count ?? 0;
  }

  /** Videos that got at least one view so far. */
  get videoCount(): number {
    return this.state.size;
  }

  private addBatch(
    kind: ViewKind,
    videoIndex: ArrayLike<number>,
    view: ArrayLike<number>,
    data: ArrayLike<number>,
    offset: number,
    exactLength: boolean,
  ): void {
    const C = this.numClasses;
    const B = videoIndex.length;
    if (view.length !== B) {
      throw new EvaluationError(`batch has ${B} video indices but ${view.length} view indices`);
    }
    if (!Number.isInteger(offset) || offset < 0 || (exactLength ? data.length !== B * C : data.length < offset + B * C)) {
      throw new EvaluationError(
        `${B} view(s) x ${C} classes need ${exactLength ? 'exactly ' : ''}${B * C} ${kind}${offset ? ` from offset ${offset}` : ''}, got an array of ${data.length}`,
      );
    }
    // 1. check every row, so that a refused batch adds nothing
    const inBatch = new Set<number>();
    const probs = new Float64Array(B * C);
    for (let b = 0; b < B; b++) {
      const v = videoIndex[b];
      const w = view[b];
      if (!Number.isInteger(v) || v < 0 || (this.numVideos !== undefined && v >= this.numVideos)) {
        const range = this.numVideos === undefined ? 'a non-negative integer' : `in [0, ${this.numVideos - 1}]`;
        throw new EvaluationError(`video index ${v} (batch row ${b}) must be ${range}`, Number.isInteger(v) ? v : undefined);
      }
      const who = videoLabel(v, this.names);
      if (!Number.isInteger(w) || w < 0 || w >= this.expectedViews) {
        throw new EvaluationError(`${who}: view index ${w} is outside [0, ${this.expectedViews - 1}] (${this.expectedViews} views expected per video)`, v);
      }
      const seen = this.state.get(v);
      const key = v * this.expectedViews + w;
      if (seen?.seen[w] || inBatch.has(key)) {
        const E = this.expectedViews;
        const already = (seen?.count ?? 0) + [...inBatch].filter((k) => Math.floor(k / E) === v).length;
        throw new EvaluationError(
          already >= E ? `${who}: more views than the ${E} expected (view ${w} arrived again after all ${E})` : `${who}: view ${w} arrived twice`,
          v,
        );
      }
      inBatch.add(key);
      const at = offset + b * C;
      try {
        if (kind === 'logits') softmaxInto(data, at, C, probs, b * C);
        else this.checkProbabilities(data, at, probs, b * C);
      } catch (e) {
        throw new EvaluationError(`${who}, view ${w}: ${(e as Error).message}`, v);
      }
    }
    // 2. add them
    for (let b = 0; b < B; b++) {
      const v = videoIndex[b];
      const w = view[b];
      let s = this.state.get(v);
      if (!s) {
        s = { sum: new Float64Array(C), seen: new Uint8Array(this.expectedViews), count: 0, single: null };
        this.state.set(v, s);
      }
      const row = probs.subarray(b * C, (b + 1) * C);
      for (let c = 0; c < C; c++) s.sum[c] += row[c];
      s.seen[w] = 1;
      s.count++;
      if (w === this.singleView) s.single = Float64Array.from(row);
    }
  }

  private checkProbabilities(data: ArrayLike<number>, at: number, out: Float64Array, outAt: number): void {
    let sum = 0;
    for (let c = 0; c < this.numClasses; c++) {
      const p = data[at + c];
      if (!Number.isFinite(p) || p < 0) throw new EvaluationError(`probability of class ${c} is ${p}`);
      out[outAt + c] = p;
      sum += p;
    }
    if (Math.abs(sum - 1) > this.tolerance) {
      throw new EvaluationError(`probabilities sum to ${sum}, not 1 (were logits passed to addProbabilities?)`);
    }
  }

  /** The state as flat arrays (see DenseViews); needs `numVideos`. */
  toDense(): DenseViews {
    const V = this.numVideos;
    if (V === undefined) throw new EvaluationError('toDense needs numVideos');
    const [C, E] = [this.numClasses, this.expectedViews];
    const d: DenseViews = { sum: new Float64Array(V * C), seen: new Uint8Array(V * E), single: new Float64Array(V * C), hasSingle: new Uint8Array(V) };
    for (const [v, s] of this.state) {
      d.sum.set(s.sum, v * C);
      d.seen.set(s.seen, v * E);
      if (s.single) {
        d.single.set(s.single, v * C);
        d.hasSingle[v] = 1;
      }
    }
    return d;
  }

  /** Takes the videos of a dense state (e.g. the sum of every rank's `toDense`); they must be new to this aggregator. */
  addDense(d: DenseViews): void {
    const [C, E] = [this.numClasses, this.expectedViews];
    const V = d.hasSingle.length;
    if (d.sum.length !== V * C || d.single.length !== V * C || d.seen.length !== V * E)
      throw new EvaluationError(`dense views of ${V} videos need ${V * C} sums and ${V * E} seen flags, got ${d.sum.length} and ${d.seen.length}`);
    for (let v = 0; v < V; v++) {
      const seen = d.seen.subarray(v * E, (v + 1) * E);
      let count = 0;
      for (let w = 0; w < E; w++) {
        if (seen[w] > 1) throw new EvaluationError(`${videoLabel(v, this.names)}: view ${w} arrived ${seen[w]} times (from more than one process?)`, v);
        count += seen[w];
      }
      if (count === 0) continue;
      if (this.state.has(v)) throw new EvaluationError(`${videoLabel(v, this.names)}: already has views; dense views must bring new videos`, v);
      this.state.set(v, {
        sum: Float64Array.from(d.sum.subarray(v * C, (v + 1) * C)),
        seen: Uint8Array.from(seen),
        count,
        single: d.hasSingle[v] ? Float64Array.from(d.single.subarray(v * C, (v + 1) * C)) : null,
      });
    }
  }

  /** The scores so far (the aggregator can go on receiving views afterwards). */
  result(): AggregateResult {
    const C = this.numClasses;
    const videos = [...this.state.keys()].sort((a, b) => a - b);
    const scores: Float64Array[] = [];
    const viewCounts: number[] = [];
    const incomplete: IncompleteVideo[] = [];
    const singleVideos: number[] = [];
    const singleScores: Float64Array[] = [];
    const singleMissing: number[] = [];
    for (const v of videos) {
      const s = this.state.get(v)!;
      const mean = new Float64Array(C);
      for (let c = 0; c < C; c++) mean[c] = s.sum[c] / s.count;
      scores.push(mean);
      viewCounts.push(s.count);
      if (s.count < this.expectedViews) {
        const missing: number[] = [];
        for (let w = 0; w < this.expectedViews; w++) if (!s.seen[w]) missing.push(w);
        const name = this.names?.[v];
        incomplete.push({ video: v, ...(name === undefined ? {} : { name }), views: s.count, missing });
      }
      if (this.singleView !== null) {
        if (s.single) {
          singleVideos.push(v);
          singleScores.push(Float64Array.from(s.single));
        } else singleMissing.push(v);
      }
    }
    const unseen: number[] = [];
    if (this.numVideos !== undefined) for (let v = 0; v < this.numVideos; v++) if (!this.state.has(v)) unseen.push(v);
    return {
      numClasses: C,
      expectedViews: this.expectedViews,
      videos,
      scores,
      viewCounts,
      incomplete,
      unseen,
      singleView: this.singleView === null ? null : { view: this.singleView, videos: singleVideos, scores: singleScores, missing: singleMissing },
    };
  }
}
