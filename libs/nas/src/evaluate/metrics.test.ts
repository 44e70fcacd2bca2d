import { EvaluationError } from './errors';
import { argmaxFirst, computeMetrics, labelRank } from './metrics';

// 4 classes, class 3 has no videos. Ranks of the label (ties: lower index first) and top-1 predictions:
//   v0 label 0  [.7 .2 .1 0]    pred 0, rank 0
//   v1 label 2  [.2 .5 .3 0]    pred 1, rank 1
//   v2 label 2  [.1 .3 .6 0]    pred 2, rank 0
//   v3 label 1  [.5 .2 .3 0]    pred 0, rank 2
//   v4 label 0  [.3 .3 .4 0]    pred 2, rank 1 (class 1 ties with class 0 but has the higher index)
const SCORES = [
  [0.7, 0.2, 0.1, 0],
  [0.2, 0.5, 0.3, 0],
  [0.1, 0.3, 0.6, 0],
  [0.5, 0.2, 0.3, 0],
  [0.3, 0.3, 0.4, 0],
];
const LABELS = [0, 2, 2, 1, 0];

describe('computeMetrics', () => {
  const m = computeMetrics(SCORES, LABELS, { numClasses: 4, ks: [1, 2, 3, 5] });

  it('counts top-1 and top-k, with k clamped to the class count', () => {
    expect(m.videos).toBe(5);
    expect(Array.from(m.predictions)).toEqual([0, 1, 2, 0, 2]);
    expect(m.top1).toEqual({ k: 1, effectiveK: 1, correct: 2, accuracy: 0.4 });
    expect(m.topK).toEqual([
      { k: 1, effectiveK: 1, correct: 2, accuracy: 0.4 },
      { k: 2, effectiveK: 2, correct: 4, accuracy: 0.8 },
      { k: 3, effectiveK: 3, correct: 5, accuracy: 1 },
      { k: 5, effectiveK: 4, correct: 5, accuracy: 1 },
    ]);
    expect(m.top5).toEqual({ k: 5, effectiveK: 4, correct: 5, accuracy: 1 });
  });

  it('builds the confusion matrix with rows = true class, columns = predicted top-1', () => {
    expect(m.confusion).toEqual([
      [1, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('reports per-class accuracy with counts, a class without videos as null, and the mean over the others', () => {
    expect(m.perClass).toEqual([
      { class: 0, videos: 2, correct: 1, accuracy: 0.5 },
      { class: 1, videos: 1, correct: 0, accuracy: 0 },
      { class: 2, videos: 2, correct: 1, accuracy: 0.5 },
      { class: 3, videos: 0, correct: 0, accuracy: null },
    ]);
    expect(m.classesWithVideos).toBe(3);
    expect(m.meanClassAccuracy).toBeCloseTo(1 / 3, 15); // (0.5 + 0 + 0.5) / 3, not / 4
  });

  it('defaults to ks [1, 5]', () => {
    const d = computeMetrics(SCORES, LABELS, { numClasses: 4 });
    expect(d.topK.map((t) => t.k)).toEqual([1, 5]);
  });
});

describe('ties', () => {
  it('argmax takes the first maximum', () => {
    expect(argmaxFirst([1, 3, 3, 2])).toBe(1);
    expect(argmaxFirst([0.25, 0.25, 0.25, 0.25])).toBe(0);
    expect(argmaxFirst([-2, -1])).toBe(1);
  });

  it('ranks equal scores by class index: the lower index wins', () => {
    expect(labelRank([0.5, 0.5, 0], 0)).toBe(0);
    expect(labelRank([0.5, 0.5, 0], 1)).toBe(1);
    expect(labelRank([0.25, 0.25, 0.25, 0.25], 3)).toBe(3);
    expect(labelRank([0.1, 0.4, 0.4, 0.1], 3)).toBe(3);
    expect(labelRank([0.1, 0.4, 0.4, 0.1], 0)).toBe(2);
  });

  it('a tie at the top goes to the lower class for top-1, and the boundary of top-k to the lower class', () => {
    const tied = [
      [0.5, 0.5, 0],
      [0.5, 0.5, 0],
      [0.2, 0.2, 0.2],
    ];
    const t = computeMetrics(tied, [0, 1, 2], { numClasses: 3, ks: [1, 2] });
    expect(Array.from(t.predictions)).toEqual([0, 0, 0]);
    expect(t.top1.correct).toBe(1); // only the video labelled 0
    expect(t.topK[1].correct).toBe(2); // label 2 of [.2 .2 .2] ranks third
    expect(t.confusion).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('top-5 among 6 classes with a 5-way tie at the boundary keeps the lower indices', () => {
    // label 5 ties with classes 1..4 behind class 0: rank 5, outside the top 5; label 1 is inside
    const row = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1];
    const t = computeMetrics([row, row], [5, 1], { numClasses: 6 });
    expect(t.top5.effectiveK).toBe(5);
    expect(t.top5.correct).toBe(1);
  });
});

describe('top-5 with fewer than 5 classes', () => {
  it('is 100%: every label is within the top min(5, classes)', () => {
    const t = computeMetrics(
      [
        [0.9, 0.1],
        [0.8, 0.2],
      ],
      [1, 1],
      { numClasses: 2 },
    );
    expect(t.top1.accuracy).toBe(0);
    expect(t.top5).toEqual({ k: 5, effectiveK: 2, correct: 2, accuracy: 1 });
  });
});

describe('bad input', () => {
  it('refuses labels out of range, naming the video when given', () => {
    expect(() => computeMetrics([[1, 0]], [2], { numClasses: 2 })).toThrow('row 0: label 2 is not a class index in [0, 1]');
    expect(() => computeMetrics([[1, 0]], [-1], { numClasses: 2 })).toThrow(/label -1/);
    expect(() => computeMetrics([[1, 0]], [0.5], { numClasses: 2 })).toThrow(/label 0.5/);
    const names = Array.from({ length: 10 }, (_, v) => (v === 9 ? 'abc' : `v${v}`));
    let err: unknown;
    try {
      computeMetrics(
        [
          [1, 0],
          [0, 1],
        ],
        [0, 7],
        { numClasses: 2, videos: [3, 9], names },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvaluationError);
    expect((err as EvaluationError).video).toBe(9);
    expect((err as Error).message).toBe('video 9 ("abc") (row 1): label 7 is not a class index in [0, 1]');
  });

  it('refuses rows of the wrong length, non-finite scores, no videos and bad k', () => {
    expect(() => computeMetrics([[1, 0, 0]], [0], { numClasses: 2 })).toThrow('row 0: 3 scores for 2 classes');
    expect(() => computeMetrics([[NaN, 0]], [0], { numClasses: 2 })).toThrow('row 0: score of class 0 is NaN');
    expect(() => computeMetrics([], [], { numClasses: 2 })).toThrow('no videos to score');
    expect(() => computeMetrics([[1, 0]], [0, 1], { numClasses: 2 })).toThrow('1 score rows but 2 labels');
    expect(() => computeMetrics([[1, 0]], [0], { numClasses: 2, ks: [0] })).toThrow(/positive integer k, got 0/);
  });
});
