import { computeMetrics } from './metrics';
import { escapeCell, formatPercent, renderEvaluationMarkdown } from './report';
import type { ViewEvaluation } from './view-metrics';

// 3 classes; 30-view: 4 videos, 3 right (75%); single view: 3 videos, 2 right.
const multiView = computeMetrics(
  [
    [0.7, 0.2, 0.1],
    [0.2, 0.3, 0.5],
    [0.1, 0.3, 0.6],
    [0.5, 0.2, 0.3],
  ],
  [0, 2, 2, 1],
  { numClasses: 3 },
);
const singleView = computeMetrics(
  [
    [0.1, 0.1, 0.8],
    [0.1, 0.1, 0.8],
    [0.1, 0.1, 0.8],
  ],
  [0, 2, 2],
  { numClasses: 3 },
);
const EV: ViewEvaluation = {
  views: 30,
  multiView,
  singleViewIndex: 16,
  singleView,
  incomplete: [{ video: 3, views: 29, missing: [16] }],
  unseen: [4],
  singleViewMissing: [3],
};
const NAMES = ['walk|ing', 'run', 'jump'];

describe('renderEvaluationMarkdown', () => {
  it('renders headline figures, notes, the per-class table and the confusion matrix', () => {
    const md = renderEvaluationMarkdown(EV, { classNames: NAMES, videoNames: ['a', 'b', 'c', 'd', 'e'] });
    expect(md).toBe(
      [
        '## Evaluation',
        '',
        '| views | videos | top-1 | top-5 | mean class accuracy |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| 30-view (10 clips x 3 crops) | 4 | 75.00% | 100.00% | 66.67% |',
        '| single view (view 16: clip 5, centre crop) | 3 | 66.67% | 100.00% | 50.00% |',
        '',
        '- top-5 is top-3: there are only 3 classes.',
        '- 1 video got fewer than 30 views and was scored over the views it has: video 3 ("d"): 29 of 30 views.',
        '- 1 video got no view and is not scored: video 4 ("e").',
        '- 1 video lacks view 16 and is left out of the single-view figures: video 3 ("d").',
        '',
        '### Per class',
        '',
        '| # | class | videos | 30-view top-1 | single-view top-1 |',
        '| ---: | --- | ---: | ---: | ---: |',
        '| 0 | walk\\|ing | 1 | 100.00% (1/1) | 0.00% (0/1) |',
        '| 1 | run | 1 | 0.00% (0/1) | no videos |',
        '| 2 | jump | 2 | 100.00% (2/2) | 100.00% (2/2) |',
        '',
        '### Confusion matrix (30-view; rows: true class, columns: predicted top-1)',
        '',
        '| true \\ predicted | walk\\|ing | run | jump |',
        '| --- | ---: | ---: | ---: |',
        '| walk\\|ing | 1 | 0 | 0 |',
        '| run | 1 | 0 | 0 |',
        '| jump | 0 | 0 | 2 |',
        '',
      ].join('\n'),
    );
  });

  it('lists the most frequent confusions instead of a table too large to read', () => {
    const md = renderEvaluationMarkdown(EV, { classNames: NAMES, maxConfusionClasses: 2, title: '### Eval' });
    expect(md).toContain('#### Per class');
    expect(md).not.toContain('Confusion matrix');
    expect(md).toContain(
      [
        '#### Most frequent confusions (30-view)',
        '',
        '3 classes are too many for a readable confusion table (over 2); the full matrix is in the metrics.',
        '',
        '| true class | predicted | videos | share of the true class |',
        '| --- | --- | ---: | ---: |',
        '| run | walk\\|ing | 1 | 100.00% |',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the single-view row and column and the notes when there is nothing to say', () => {
    const md = renderEvaluationMarkdown(
      { views: 30, multiView, singleViewIndex: null, singleView: null, incomplete: [], unseen: [], singleViewMissing: [] },
      { classNames: NAMES },
    );
    expect(md).not.toContain('single');
    expect(md).not.toContain('scored');
    expect(md).toContain('| # | class | videos | 30-view top-1 |\n| ---: | --- | ---: | ---: |\n| 0 | walk\\|ing | 1 | 100.00% (1/1) |\n');
  });

  it('says when classes had no videos and cuts long lists', () => {
    const m = computeMetrics([[1, 0, 0]], [0], { numClasses: 3 });
    const md = renderEvaluationMarkdown(
      { views: 3, multiView: m, singleViewIndex: null, singleView: null, incomplete: [], unseen: [5, 6, 7], singleViewMissing: [] },
      { classNames: ['x', 'y', 'z'], maxListed: 2 },
    );
    expect(md).toContain('| 3-view (1 clip x 3 crops) | 1 | 100.00% | 100.00% | 100.00% |');
    expect(md).toContain('- 2 classes of 3 had no videos; mean class accuracy is over the other 1.');
    expect(md).toContain('- 3 videos got no view and are not scored: video 5, video 6, ... and 1 more.');
    expect(md).toContain('| 1 | y | 0 | no videos |');
  });

  it('refuses class names that do not match the classes', () => {
    expect(() => renderEvaluationMarkdown(EV, { classNames: ['a', 'b'] })).toThrow('2 class names for 3 classes');
  });

  it('escapes table cells and formats percentages', () => {
    expect(escapeCell('a|b\nc')).toBe('a\\|b c');
    expect(formatPercent(0.123456)).toBe('12.35%');
    expect(formatPercent(1)).toBe('100.00%');
  });
});
