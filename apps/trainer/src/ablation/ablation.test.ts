import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { randomGenotype, writeGenotype, type CellType } from '@pvnas/nas';
import { ablationConfigSchema } from '../config/schema';
import { ablationDirs, absoluteData } from './job-config';
import { planAblation, variants } from './plan';
import { accuracySvg, errorBarSvg, paramFreeOpsSvg, paramFreeShareSvg } from './plots';
import { findings, renderAblationMarkdown } from './report';
import { collectResults, type AblationResults, type SearchResult, type VariantResult } from './summary';
import { cellCounts, meanSd, paramFreeShare, spatialOnly, stopEarlyEpochs } from './variants';

const config = ablationConfigSchema.parse({});

describe('ablation variants', () => {
  it('takes stop-early snapshots at round(f x epochs), at least epoch 1', () => {
    expect(stopEarlyEpochs(9, [0.25, 0.5, 0.75])).toEqual([2, 5, 7]);
    expect(stopEarlyEpochs(2, [0.1, 0.5])).toEqual([1, 1]);
  });

  it('the 2D genotype puts the spatial cells in place of the temporal ones', () => {
    const g = randomGenotype(3);
    const d = spatialOnly(g);
    expect(d.cells.temporal_normal).toEqual(g.cells.spatial_normal);
    expect(d.cells.temporal_reduce).toEqual(g.cells.spatial_reduce);
    expect(d.cells.spatial_normal).toEqual(g.cells.spatial_normal);
    expect(cellCounts(d).temporal_normal.temporalConvs + cellCounts(d).temporal_reduce.temporalConvs).toBe(0);
    expect(cellCounts(g).temporal_normal.convs).toBeGreaterThanOrEqual(4);
  });

  it('counts parameter-free ops and temporal convolutions per cell', () => {
    const g = randomGenotype(1);
    const edges: Array<[string, number]> = [
      ['skip_connect', 0],
      ['max_pool_1x3x3', 1],
      ['avg_pool_1x3x3', 0],
      ['temporal_conv_3+1x1', 2],
      ['sep_conv_1x3x3', 0],
      ['temporal_conv_3+3x3', 3],
      ['dil_conv_1x3x3', 1],
      ['skip_connect', 4],
    ];
    const c = cellCounts({ ...g, cells: { ...g.cells, temporal_normal: { edges: edges as never, concat: [2, 3, 4, 5] } } }).temporal_normal;
    expect(c).toEqual({ paramFree: 4, convs: 4, temporalConvs: 2 });
  });

  it('the parameter-free share of softmaxed alphas leaves `none` out', () => {
    // spatial ops: none, skip, avg, max, sep, dil
    const rows = Array.from({ length: 14 }, () => [0.5, 0.1, 0.1, 0.05, 0.15, 0.1]);
    expect(paramFreeShare(rows, 'spatial_normal' as CellType)).toBeCloseTo(0.25 / 0.5, 10);
  });

  it('mean and sample standard deviation', () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    expect(meanSd([4])).toEqual({ mean: 4, sd: 0, n: 1 });
    expect(meanSd([]).n).toBe(0);
  });
});

describe('ablation plan', () => {
  it('has a step and a cosine search per seed, every variant retrained after what it needs and evaluated', () => {
    const jobs = planAblation(config, 9);
    expect(jobs.filter((j) => j.kind === 'search').map((j) => j.id)).toEqual([
      'search-step-s1',
      'search-cosine-s1',
      'search-step-s2',
      'search-cosine-s2',
      'search-step-s3',
      'search-cosine-s3',
    ]);
    expect(variants(config, 9).map((v) => v.variant)).toEqual([
      'random-r1',
      'random-r2',
      'random-r3',
      'random-r4',
      'random-r5',
      'searched-s1',
      'searched-s2',
      'searched-s3',
      'early-e2',
      'early-e5',
      'early-e7',
      '2d',
    ]);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    expect(byId.get('retrain-random-r1')!.after).toEqual([]);
    expect(byId.get('retrain-searched-s2')!.after).toEqual(['search-step-s2']);
    expect(byId.get('retrain-early-e5')).toMatchObject({ after: ['search-step-s1'], genotype: { from: 'search', search: 'search-step-s1', epoch: 5 } });
    expect(byId.get('retrain-2d')).toMatchObject({ genotype: { from: 'spatial-only', search: 'search-step-s1' } });
    expect(byId.get('eval-2d')!.after).toEqual(['retrain-2d']);
    // dependencies come first in the list
    jobs.forEach((j, k) => j.after.forEach((d) => expect(jobs.findIndex((x) => x.id === d)).toBeLessThan(k)));
    expect(jobs).toHaveLength(6 + 2 * 12);
  });

  it('compares the strategies asked for: one search each under the same minutes, its genotype retrained and evaluated; a table row each', () => {
    const c = { ...config, strategies: ['sampling', 'training-free'] as Array<'sampling' | 'training-free'>, strategyMinutes: 2 };
    const jobs = planAblation(c, 9);
    expect(jobs.filter((j) => j.kind === 'search' && j.strategy).map((j) => [j.id, j.kind === 'search' && j.strategy, j.kind === 'search' && j.seed])).toEqual([
      ['search-strategy-sampling', 'sampling', 1],
      ['search-strategy-training-free', 'training-free', 1],
    ]);
    expect(jobs.find((j) => j.id === 'retrain-strategy-sampling')).toMatchObject({
      after: ['search-strategy-sampling'],
      genotype: { from: 'search', search: 'search-strategy-sampling' },
    });
    expect(jobs).toHaveLength(6 + 2 + 2 * 14);
    const md = renderAblationMarkdown(
      {
        ...fakeResults(),
        config: c,
        strategies: [
          { strategy: 'sampling', variant: 'strategy-sampling', top1: 0.5, gflopsL: 21.5, searchSeconds: 125, peakRssMiB: 900 },
          { strategy: 'training-free', variant: 'strategy-training-free', top1: null, gflopsL: null, searchSeconds: null, peakRssMiB: null },
        ],
      },
      [],
    );
    expect(md).toContain('## 6. Search strategies (2 min of search each)');
    expect(md).toContain('| sampling | 50.0 | 21.50 | 2.1 | 900 |');
    expect(md).toContain('| training-free |  |  |  |  |');
  });

  it('a stop-early snapshot at the last epoch is the searched genotype itself, not a second run', () => {
    expect(variants({ ...config, stopEarly: [0.99] }, 4).filter((v) => v.group === 'early')).toEqual([]);
  });

  it('resolves the data paths of a config against its folder', () => {
    const d = absoluteData({ source: 'manifest', train: { format: 'kinetics', csv: 'a/train.csv', root: 'a' }, cache: 'c' } as never, '/base');
    expect(d).toMatchObject({ train: { csv: path.join('/base', 'a/train.csv'), root: '/base/a', format: 'kinetics' }, cache: '/base/c' });
  });
});

function fakeResults(): AblationResults {
  const counts = (free: number) =>
    Object.fromEntries(
      ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'].map((t) => [
        t,
        { paramFree: free, convs: 8 - free, temporalConvs: t.startsWith('temporal') ? 8 - free : 0 },
      ]),
    ) as SearchResult['counts'];
  const search = (schedule: 'step' | 'cosine', seed: number, free: number): SearchResult => ({
    id: `search-${schedule}-s${seed}`,
    schedule,
    seed,
    informative: true,
    lastLoss: 0.4,
    valAcc: 0.8,
    valAccShuffled: 0.3,
    counts: counts(free),
    paramFreeShare: [0, 1, 2].map((epoch) => ({ epoch, spatial_normal: 0.4 + 0.1 * epoch, spatial_reduce: 0.4, temporal_normal: 0.3, temporal_reduce: 0.3 })),
  });
  const variant = (v: string, group: VariantResult['group'], top1: number, shuffled: number): VariantResult => ({
    variant: v,
    group,
    label: v,
    genotype: `${v}.json`,
    counts: counts(2),
    params: 1e5,
    gflops: 0.01,
    paramsL: 2e7,
    gflopsL: 22,
    top1,
    top5: 1,
    singleView: top1,
    shuffledTop1: shuffled,
    shuffledTop5: 0.9,
  });
  const stat = (xs: number[]) => meanSd(xs);
  return {
    format: 'pvnas-ablation/1',
    name: 'fake',
    config,
    budget: {
      searchEpochs: 9,
      searchChannels: 8,
      searchCrop: 32,
      retrainEpochs: 12,
      retrainChannels: 8,
      retrainCrop: 32,
      views: 30,
      trainClips: 384,
      valClips: 128,
      classes: 8,
    },
    searches: [search('step', 1, 2), search('cosine', 1, 5)],
    variants: [
      variant('random-r1', 'random', 0.6, 0.3),
      variant('random-r2', 'random', 0.7, 0.3),
      variant('searched-s1', 'searched', 0.9, 0.25),
      variant('early-e2', 'early', 0.5, 0.3),
      variant('2d', '2d', 0.12, 0.12),
    ],
    groups: [
      { group: 'random', label: 'Random', top1: stat([0.6, 0.7]), top5: stat([1, 1]), shuffledTop1: stat([0.3, 0.3]) },
      { group: 'searched', label: 'PV-NAS search (step)', top1: stat([0.9]), top5: stat([1]), shuffledTop1: stat([0.25]) },
      { group: 'early', label: 'Stopped early', top1: stat([0.5]), top5: stat([1]), shuffledTop1: stat([0.3]) },
      { group: '2d', label: '2D baseline', top1: stat([0.12]), top5: stat([1]), shuffledTop1: stat([0.12]) },
    ],
    schedules: [
      {
        schedule: 'step',
        paramFree: { spatial_normal: stat([2]), spatial_reduce: stat([2]), temporal_normal: stat([2]), temporal_reduce: stat([2]) },
        temporalConvs: { temporal_normal: stat([6]), temporal_reduce: stat([6]) },
        valAcc: stat([0.8]),
      },
      {
        schedule: 'cosine',
        paramFree: { spatial_normal: stat([5]), spatial_reduce: stat([5]), temporal_normal: stat([5]), temporal_reduce: stat([5]) },
        temporalConvs: { temporal_normal: stat([3]), temporal_reduce: stat([3]) },
        valAcc: stat([0.8]),
      },
    ],
    strategies: [],
  };
}

describe('ablation report', () => {
  it('states each claim from the numbers, including one that does not reproduce', () => {
    const r = fakeResults();
    const text = findings(r).join('\n');
    expect(text).toMatch(/per seed: step 8 \(8\.0\), cosine 20 \(20\.0\) of 32: the cosine schedule derives more parameter-free ops: the claim reproduces/);
    expect(text).toMatch(
      /Searched 90\.0% against random 65\.0 ± 7\.1% top-1 \(30 views; random median 70\.0%, best 70\.0%\): 25\.0 points higher\. The claim reproduces\./,
    );
    expect(text).toMatch(/stopped at|e2 50\.0%/);
    expect(text).toMatch(/2D network 0\.0/);
    const worse = { ...r, groups: r.groups.map((g) => (g.group === 'searched' ? { ...g, top1: meanSd([0.66]) } : g)) };
    expect(findings(worse).join('\n')).toMatch(/within the spread of random genotypes: the claim reproduces in direction only/);
    // a network that did not learn says nothing about time: left out of the drops
    const failed = { ...r, variants: r.variants.map((v) => (v.variant === 'random-r1' ? { ...v, top1: 0.15, shuffledTop1: 0.14 } : v)) };
    expect(findings(failed).join('\n')).toMatch(/ops that learned 20\.0-65\.0 points of top-1 \(left out, below twice chance in order: random-r1\)/);
    const md = renderAblationMarkdown(r, ['accuracy.svg']);
    expect(md).toMatch(/Budget: search 9 epochs at C=8 on 32-px crops; retraining 12 epochs at C=8 on 32-px crops; evaluation 30 views/);
    expect(md).toMatch(/\| \*\*Random\*\* \| 2 \| 65\.0 ± 7\.1 \| 100\.0 ± 0\.0 \| 30\.0 ± 0\.0 \|/);
    expect(md).toMatch(/\| 2d \| 0\.100 \| 0\.010 \| 20\.00 \| 22\.0 \| 12\.0 \| 100\.0 \| 12\.0 \| 12\.0 \| 0\.0 \|/);
  });

  it('draws valid SVG with a mark per measured value and its spread', () => {
    const r = fakeResults();
    for (const svg of [accuracySvg(r), paramFreeOpsSvg(r), paramFreeShareSvg(r)]) expect(XMLValidator.validate(svg)).toBe(true);
    const acc = accuracySvg(r);
    expect(acc.match(/class="bar"/g)).toHaveLength(2 * (4 + 5));
    expect(acc).toMatch(/data-category="Random \(n=2\)" data-mean="65" data-sd="7.07"/);
    const none = errorBarSvg({ title: 't', yLabel: 'y', categories: ['a'], series: [{ name: 's', color: '#000', values: [null] }], yDomain: [0, 1] });
    expect(none).not.toMatch(/class="bar"/);
  });
});

describe('ablation results of an unfinished ablation', () => {
  it('reads what exists: a run killed as it started (config.json, no run.json) is a row without numbers', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-ablation-'));
    try {
      const dirs = ablationDirs(root);
      const c = ablationConfigSchema.parse({ seeds: [1], randomGenotypes: 1 });
      fs.mkdirSync(path.join(dirs.runs, 'retrain-random-r1'), { recursive: true });
      fs.writeFileSync(path.join(dirs.runs, 'retrain-random-r1', 'config.json'), '{}');
      fs.mkdirSync(dirs.genotypes, { recursive: true });
      writeGenotype(path.join(dirs.genotypes, 'random-r1.json'), randomGenotype(1));
      const budget = {
        searchEpochs: 9,
        searchChannels: 8,
        searchCrop: 32,
        retrainEpochs: 12,
        retrainChannels: 8,
        retrainCrop: 32,
        views: 30,
        trainClips: 384,
        valClips: 128,
        classes: 8,
      };
      const r = collectResults('partial', c, dirs, budget);
      expect(r.searches.map((x) => x.counts)).toEqual([null, null]);
      expect(r.variants[0]).toMatchObject({ variant: 'random-r1', params: null, top1: null, paramsL: expect.any(Number) });
      expect(renderAblationMarkdown(r, [])).toMatch(/\| step \| 1 \| – \| – \| not finished \|/);
      for (const svg of [accuracySvg(r), paramFreeOpsSvg(r), paramFreeShareSvg(r)]) expect(XMLValidator.validate(svg)).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
