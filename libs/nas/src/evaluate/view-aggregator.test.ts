import { EvaluationError } from './errors';
import { ViewAggregator } from './view-aggregator';

const ln = Math.log;

/** Expects `row` to equal `want` to 12 decimals. */
function expectRow(row: ArrayLike<number>, want: number[]): void {
  expect(row.length).toBe(want.length);
  want.forEach((w, c) => expect(row[c]).toBeCloseTo(w, 12));
}

// Video A: three views whose softmaxes are [.5 .4 .1], [.1 .4 .5], [.45 .4 .15]. No view ranks class 1 first
// (a vote of the views picks class 0, 2 to 1), but the mean softmax is [.35 .4 .25]: class 1.
// The logits are logs of proportional numbers, with arbitrary offsets (softmax ignores a constant shift).
const A_VIEWS = [
  [ln(5), ln(4), ln(1)],
  [ln(1) + 3, ln(4) + 3, ln(5) + 3],
  [ln(9) - 2, ln(8) - 2, ln(3) - 2],
];
const A_MEAN = [0.35, 0.4, 0.25];
// Video B: softmaxes [.25 .25 .5], [.25 .25 .5], [.5 .25 .25]; mean [1/3, 1/4, 5/12].
const B_VIEWS = [
  [0, 0, ln(2)],
  [10, 10, 10 + ln(2)],
  [ln(2), 0, 0],
];
const B_MEAN = [1 / 3, 1 / 4, 5 / 12];

describe('ViewAggregator', () => {
  it("scores a video by the mean of its views' softmax, which can pick a class no single view picks", () => {
    const agg = new ViewAggregator({ numClasses: 3, views: 3, singleView: null });
    A_VIEWS.forEach((logits, view) => agg.addLogits(7, view, logits));
    const r = agg.result();
    expect(r.videos).toEqual([7]);
    expectRow(r.scores[0], A_MEAN);
    expect(r.scores[0][1]).toBeGreaterThan(r.scores[0][0]);
    expect(r.viewCounts).toEqual([3]);
    expect(r.incomplete).toEqual([]);
    expect(r.unseen).toEqual([]);
    expect(r.singleView).toBeNull();
  });

  it('copes with views arriving out of order and interleaved across videos, in batches', () => {
    const agg = new ViewAggregator({ numClasses: 3, views: 3, numVideos: 2 });
    // (video, view) rows in a scrambled order, split into batches of 2, 3 and 1
    const order: Array<[number, number]> = [
      [1, 2],
      [0, 1],
      [0, 2],
      [1, 0],
      [0, 0],
      [1, 1],
    ];
    const logitsOf = ([v, w]: [number, number]): number[] => (v === 0 ? A_VIEWS : B_VIEWS)[w];
    for (const [from, to] of [
      [0, 2],
      [2, 5],
      [5, 6],
    ]) {
      const rows = order.slice(from, to);
      agg.addLogitsBatch(
        Int32Array.from(rows, (r) => r[0]),
        Int32Array.from(rows, (r) => r[1]),
        Float32Array.from(rows.flatMap(logitsOf)),
      );
    }
    const r = agg.result();
    expect(r.videos).toEqual([0, 1]);
    // float32 logits: softmax of rounded logits, so 6 decimals
    A_MEAN.forEach((w, c) => expect(r.scores[0][c]).toBeCloseTo(w, 6));
    B_MEAN.forEach((w, c) => expect(r.scores[1][c]).toBeCloseTo(w, 6));
    expect(r.viewCounts).toEqual([3, 3]);
    expect(r.incomplete).toEqual([]);
    expect(r.unseen).toEqual([]);
  });

  it('reads one view at an offset of a bigger array', () => {
    const agg = new ViewAggregator({ numClasses: 3, views: 1, singleView: null });
    agg.addLogits(0, 0, [99, 99, 0, 0, ln(2), 99], 2);
    expectRow(agg.result().scores[0], [0.25, 0.25, 0.5]);
  });

  it('refuses a view over the expected count, naming the video', () => {
    const agg = new ViewAggregator({ numClasses: 3, views: 3, names: ['a', 'b', 'c', 'd', 'clip_xyz'] });
    A_VIEWS.forEach((logits, view) => agg.addLogits(4, view, logits));
    let err: unknown;
    try {
      agg.addLogits(4, 1, [0, 0, 0]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvaluationError);
    expect((err as EvaluationError).video).toBe(4);
    expect((err as Error).message).toBe('video 4 ("clip_xyz"): more views than the 3 expected (view 1 arrived again after all 3)');
    expect(() => agg.addLogits(4, 3, [0, 0, 0])).toThrow('video 4 ("clip_xyz"): view index 3 is outside [0, 2] (3 views expected per video)');
    expect(agg.viewsOf(4)).toBe(3);
    expectRow(agg.result().scores[0], A_MEAN); // the refused views changed nothing
  });

  it('refuses a view that arrives twice, also within one batch', () => {
    const agg = new ViewAggregator({ numClasses: 2, views: 30 });
    agg.addLogits(2, 5, [0, 0]);
    expect(() => agg.addLogits(2, 5, [0, 0])).toThrow('video 2: view 5 arrived twice');
    expect(() => agg.addLogitsBatch([3, 3], [8, 8], [0, 0, 1, 1])).toThrow('video 3: view 8 arrived twice');
    expect(agg.viewsOf(3)).toBe(0);
  });

  it('adds nothing from a batch with a bad row', () => {
    const agg = new ViewAggregator({ numClasses: 2, views: 3, numVideos: 2 });
    expect(() => agg.addLogitsBatch([0, 1], [0, 0], [0, 0, NaN, 0])).toThrow('video 1, view 0: logit of class 0 is NaN');
    expect(() => agg.addLogitsBatch([0, 2], [0, 0], [0, 0, 0, 0])).toThrow('video index 2 (batch row 1) must be in [0, 1]');
    expect(() => agg.addLogitsBatch([0, 1], [0, 0], [0, 0, 0])).toThrow(/need exactly 4 logits, got an array of 3/);
    expect(() => agg.addLogitsBatch([0, 1], [0], [0, 0, 0, 0])).toThrow(/2 video indices but 1 view indices/);
    expect(agg.viewsOf(0)).toBe(0);
    expect(agg.videoCount).toBe(0);
  });

  it('scores a video with a missing view over the views it has and lists it; lists unseen videos', () => {
    const agg = new ViewAggregator({ numClasses: 2, numVideos: 3, names: ['v0', 'v1', 'v2'] });
    expect(agg.expectedViews).toBe(30);
    for (let w = 0; w < 30; w++) {
      if (w !== 16) agg.addProbabilities(0, w, [1, 0]); // video 0 lacks view 16 (a clip that failed)
      agg.addProbabilities(1, w, w < 10 ? [0.7, 0.3] : [0.1, 0.9]);
    }
    const r = agg.result();
    expect(r.videos).toEqual([0, 1]);
    expect(Array.from(r.scores[0])).toEqual([1, 0]); // mean over 29 views, not a sum over 30 (29/30)
    expectRow(r.scores[1], [(10 * 0.7 + 20 * 0.1) / 30, (10 * 0.3 + 20 * 0.9) / 30]);
    expect(r.viewCounts).toEqual([29, 30]);
    expect(r.incomplete).toEqual([{ video: 0, name: 'v0', views: 29, missing: [16] }]);
    expect(r.unseen).toEqual([2]);
    // the single view (16 by default) is missing for video 0
    expect(r.singleView!.view).toBe(16);
    expect(r.singleView!.videos).toEqual([1]);
    expect(r.singleView!.missing).toEqual([0]);
  });

  it('keeps the softmax of the single view (default: view 16, the centre crop of clip 5)', () => {
    const agg = new ViewAggregator({ numClasses: 3 });
    for (let w = 29; w >= 0; w--) agg.addLogits(0, w, w === 16 ? [0, ln(3), 0] : [ln(3), 0, 0]);
    const r = agg.result();
    expect(r.singleView!.view).toBe(16);
    expect(r.singleView!.videos).toEqual([0]);
    expectRow(r.singleView!.scores[0], [0.2, 0.6, 0.2]);
    expectRow(r.scores[0], [(29 * 0.6 + 0.2) / 30, (29 * 0.2 + 0.6) / 30, 0.2]);
    expect(r.singleView!.missing).toEqual([]);
  });

  it('honours another single view, and none when views are not clips x 3 crops', () => {
    expect(new ViewAggregator({ numClasses: 2, views: 3 }).singleView).toBe(1);
    expect(new ViewAggregator({ numClasses: 2, views: 30, singleView: 4 }).singleView).toBe(4);
    expect(new ViewAggregator({ numClasses: 2, views: 5 }).singleView).toBeNull();
    expect(() => new ViewAggregator({ numClasses: 2, views: 3, singleView: 3 })).toThrow(/singleView must be a view index in \[0, 2\]/);
  });

  it('takes probabilities as given and refuses rows that are not probabilities', () => {
    const agg = new ViewAggregator({ numClasses: 3, views: 2 });
    agg.addProbabilitiesBatch([0, 0], [1, 0], [0.2, 0.3, 0.5, 0.6, 0.4, 0]);
    expectRow(agg.result().scores[0], [0.4, 0.35, 0.25]);
    expect(() => agg.addProbabilities(1, 0, [2, 1, 0])).toThrow('video 1, view 0: probabilities sum to 3, not 1 (were logits passed to addProbabilities?)');
    expect(() => agg.addProbabilities(1, 0, [1.5, -0.5, 0])).toThrow('video 1, view 0: probability of class 1 is -0.5');
    expect(agg.viewsOf(1)).toBe(0);
  });

  it('refuses bad settings', () => {
    expect(() => new ViewAggregator({ numClasses: 0 })).toThrow(/numClasses/);
    expect(() => new ViewAggregator({ numClasses: 3, views: 0 })).toThrow(/views/);
    expect(() => new ViewAggregator({ numClasses: 3, numVideos: -1 })).toThrow(/numVideos/);
  });
});

describe('ViewAggregator dense states (data-parallel evaluation)', () => {
  const opts = { numClasses: 3, views: 6, numVideos: 4 };
  const logits = (v: number, w: number) => [Math.sin(v + w), Math.cos(3 * v - w), 0.1 * w];
  const feed = (agg: ViewAggregator, videos: number[], views: number[]) => {
    for (const v of videos) for (const w of views) agg.addLogits(v, w, logits(v, w));
  };
  const add = (a: Float64Array | Uint8Array, b: Float64Array | Uint8Array) => a.map((x, i) => x + b[i]);

  it('the element-wise sum of two processes` dense states, taken in, equals one aggregator fed every view', () => {
    const [r0, r1, one] = [new ViewAggregator(opts), new ViewAggregator(opts), new ViewAggregator(opts)];
    feed(r0, [0, 2], [0, 1, 2, 3, 4, 5]);
    feed(r1, [1], [0, 1, 2, 3, 4, 5]);
    feed(r1, [3], [0, 2, 4]); // incomplete
    feed(
      one,
      [0, 1, 2, 3].filter((v) => v !== 3),
      [0, 1, 2, 3, 4, 5],
    );
    feed(one, [3], [0, 2, 4]);
    const [a, b] = [r0.toDense(), r1.toDense()];
    const merged = new ViewAggregator(opts);
    merged.addDense({
      sum: add(a.sum, b.sum) as Float64Array,
      seen: add(a.seen, b.seen) as Uint8Array,
      single: add(a.single, b.single) as Float64Array,
      hasSingle: add(a.hasSingle, b.hasSingle) as Uint8Array,
    });
    const [m, o] = [merged.result(), one.result()];
    expect(m.videos).toEqual([0, 1, 2, 3]);
    expect(m.viewCounts).toEqual([6, 6, 6, 3]);
    expect(m.incomplete).toEqual(o.incomplete);
    expect(m.singleView).toEqual(o.singleView);
    m.scores.forEach((row, i) => row.forEach((x, c) => expect(x).toBeCloseTo(o.scores[i][c], 12)));
  });

  it('refuses a view that came from two processes, and videos it already has', () => {
    const [r0, r1] = [new ViewAggregator(opts), new ViewAggregator(opts)];
    feed(r0, [1], [0]);
    feed(r1, [1], [0]);
    const [a, b] = [r0.toDense(), r1.toDense()];
    const twice = { ...a, seen: add(a.seen, b.seen) as Uint8Array };
    expect(() => new ViewAggregator(opts).addDense(twice)).toThrow(/video 1: view 0 arrived 2 times/);
    expect(() => r0.addDense(b)).toThrow(/video 1: already has views/);
  });
});
