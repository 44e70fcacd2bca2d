import { ViewAggregator } from './view-aggregator';
import { evaluateViews } from './view-metrics';

describe('evaluateViews: 30-view and single-view metrics', () => {
  // Video 0 (label 0): view 16 says [.2 .8], the 29 others [.9 .1]: 30-view mean [26.3/30, 3.7/30] picks
  // class 0 (right), the single view picks class 1 (wrong). Video 1 (label 1): every view [.3 .7], right both ways.
  function aggregate(opts: { dropView16Of1?: boolean } = {}): ViewAggregator {
    const agg = new ViewAggregator({ numClasses: 2, numVideos: 3 });
    for (let w = 0; w < 30; w++) {
      agg.addProbabilities(0, w, w === 16 ? [0.2, 0.8] : [0.9, 0.1]);
      if (!(opts.dropView16Of1 && w === 16)) agg.addProbabilities(1, w, [0.3, 0.7]);
    }
    return agg;
  }

  it('computes both from one aggregation, with labels indexed by video', () => {
    const ev = evaluateViews(aggregate().result(), [0, 1, 1]);
    expect(ev.views).toBe(30);
    expect(ev.multiView.videos).toBe(2);
    expect(ev.multiView.top1.accuracy).toBe(1);
    expect(Array.from(ev.multiView.predictions)).toEqual([0, 1]);
    expect(ev.singleViewIndex).toBe(16);
    expect(ev.singleView!.videos).toBe(2);
    expect(ev.singleView!.top1.accuracy).toBe(0.5);
    expect(Array.from(ev.singleView!.predictions)).toEqual([1, 1]);
    expect(ev.singleView!.confusion).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(ev.unseen).toEqual([2]); // video 2 got no view: not scored, not counted
    expect(ev.incomplete).toEqual([]);
    expect(ev.singleViewMissing).toEqual([]);
  });

  it('leaves a video without the single view out of the single-view figures only', () => {
    const ev = evaluateViews(aggregate({ dropView16Of1: true }).result(), [0, 1, 1]);
    expect(ev.multiView.videos).toBe(2);
    expect(ev.multiView.top1.accuracy).toBe(1);
    expect(ev.singleView!.videos).toBe(1);
    expect(ev.singleView!.top1.accuracy).toBe(0);
    expect(ev.singleViewMissing).toEqual([1]);
    expect(ev.incomplete).toEqual([{ video: 1, views: 29, missing: [16] }]);
  });

  it('has no single-view metrics when no view was designated', () => {
    const agg = new ViewAggregator({ numClasses: 2, views: 2, singleView: null });
    agg.addProbabilities(0, 0, [1, 0]);
    agg.addProbabilities(0, 1, [1, 0]);
    const ev = evaluateViews(agg.result(), [0]);
    expect(ev.singleView).toBeNull();
    expect(ev.singleViewIndex).toBeNull();
  });

  it('refuses a video without a label', () => {
    expect(() => evaluateViews(aggregate().result(), [0])).toThrow('video 1 has no label (1 labels given)');
  });
});
