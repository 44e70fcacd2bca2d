/**
 * The ablation's evidence from its run folders (ablation.json, typed), whatever has finished so far: per
 * search its verdict, supernet accuracy, the derived genotype's counts and the parameter-free share of its
 * alphas per epoch; per variant its genotype's counts and costs and its 30-view accuracies in order and on
 * shuffled frames; per group mean and spread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CELL_TYPES, defaultLayout, networkCost, readGenotype, type CellType, type Genotype } from '@pvnas/nas';
import type { AblationConfig } from '../config/schema';
import { trajectoryFromAlphasFiles } from '../plots/alpha-trajectory';
import { readMetrics, type EpochRecord } from '../run/metrics';
import { RunFolder } from '../run/run-folder';
import type { AblationDirs } from './job-config';
import { SCHEDULES, searchId, strategySearchId, variants, type Schedule, type Variant } from './plan';
import { cellCounts, meanSd, paramFreeShare, type CellCounts } from './variants';
import { readJsonFile } from '@pvnas/base/node';

export interface SearchResult {
  id: string;
  schedule: Schedule;
  seed: number;
  informative: boolean | null;
  lastLoss: number | null;
  valAcc: number | null;
  valAccShuffled: number | null;
  counts: Record<CellType, CellCounts> | null;
  /** Per epoch (0 = initial alphas): the mean parameter-free share of each cell category's softmaxed alphas. */
  paramFreeShare: Array<{ epoch: number } & Record<CellType, number>>;
}

export interface VariantResult extends Omit<Variant, 'genotype'> {
  genotype: string | null;
  counts: Record<CellType, CellCounts> | null;
  /** At the run's own size (channels, crop, stem) and as PV-NAS-L (C=64, 8x224x224, /4 stem, 400 classes). */
  params: number | null;
  gflops: number | null;
  paramsL: number | null;
  gflopsL: number | null;
  top1: number | null;
  top5: number | null;
  singleView: number | null;
  shuffledTop1: number | null;
  shuffledTop5: number | null;
}

export interface Stat {
  mean: number;
  sd: number;
  n: number;
}

export interface GroupResult {
  group: Variant['group'];
  label: string;
  top1: Stat;
  top5: Stat;
  shuffledTop1: Stat;
}

export interface AblationResults {
  format: 'pvnas-ablation/1';
  name: string;
  config: AblationConfig;
  budget: {
    searchEpochs: number;
    searchChannels: number;
    searchCrop: number;
    retrainEpochs: number;
    retrainChannels: number;
    retrainCrop: number;
    views: number;
    trainClips: number | null;
    valClips: number | null;
    classes: number | null;
  };
  searches: SearchResult[];
  variants: VariantResult[];
  groups: GroupResult[];
  schedules: Array<{ schedule: Schedule; paramFree: Record<CellType, Stat>; temporalConvs: Record<'temporal_normal' | 'temporal_reduce', Stat>; valAcc: Stat }>;
  /** The strategies table (config `strategies`), in its order. */
  strategies: StrategyResult[];
}

const evaluationSchema = z.object({
  multiView: z.object({ top1: z.object({ accuracy: z.number() }), top5: z.object({ accuracy: z.number() }) }),
  singleView: z.object({ top1: z.object({ accuracy: z.number() }) }).nullable(),
});

const done = (dir: string): boolean => fs.existsSync(path.join(dir, 'run.json')) && RunFolder.open(dir).meta.status === 'done';

function searchResult(dirs: AblationDirs, schedule: Schedule, seed: number): SearchResult {
  const id = searchId(schedule, seed);
  const dir = path.join(dirs.runs, id);
  const empty: SearchResult = { id, schedule, seed, informative: null, lastLoss: null, valAcc: null, valAccShuffled: null, counts: null, paramFreeShare: [] };
  if (!fs.existsSync(path.join(dir, 'run.json'))) return empty;
  const trajectory = trajectoryFromAlphasFiles(dir);
  const share = (trajectory?.snapshots ?? []).map((s) => ({
    epoch: s.x,
    ...(Object.fromEntries(CELL_TYPES.map((t) => [t, paramFreeShare(s.softmax[t], t)])) as Record<CellType, number>),
  }));
  if (!done(dir)) return { ...empty, paramFreeShare: share };
  const meta = RunFolder.open(dir).meta;
  const last = readMetrics(path.join(dir, 'metrics.jsonl'))
    .filter((r): r is EpochRecord => r.kind === 'epoch')
    .at(-1);
  return {
    ...empty,
    informative: meta.verdict?.informative ?? null,
    lastLoss: last?.loss ?? null,
    valAcc: last?.valAcc ?? null,
    valAccShuffled: last?.valAccShuffled ?? null,
    counts: cellCounts(readGenotype(path.join(dir, 'genotype.json'))),
    paramFreeShare: share,
  };
}

function evaluation(file: string): z.infer<typeof evaluationSchema> | null {
  return fs.existsSync(file) ? readJsonFile(file, evaluationSchema, 'evaluation') : null;
}

function variantResult(dirs: AblationDirs, v: Variant, classes: number | null): VariantResult {
  const gFile = path.join(dirs.genotypes, `${v.variant}.json`);
  const g: Genotype | null = fs.existsSync(gFile) ? readGenotype(gFile) : null;
  const retrain = path.join(dirs.runs, `retrain-${v.variant}`);
  const evalDir = path.join(dirs.runs, `eval-${v.variant}`);
  let own: { params: number; gflops: number } | null = null;
  // (a run killed as it started may hold config.json without run.json)
  if (g && fs.existsSync(path.join(retrain, 'run.json'))) {
    const rc = RunFolder.open(retrain).config() as {
      channels: number;
      repeats: number;
      stemStride: number;
      temporalStride: number;
      clips: { frames: number; crop: number };
    };
    const cost = networkCost(g, {
      channels: rc.channels,
      classes: classes ?? 400,
      layout: defaultLayout(rc.repeats),
      stemStride: rc.stemStride,
      frames: rc.clips.frames,
      size: rc.clips.crop,
      temporalStride: rc.temporalStride,
    });
    own = { params: cost.params, gflops: cost.macs / 1e9 };
  }
  const L = g && networkCost(g, { channels: 64, classes: 400, layout: defaultLayout(1), stemStride: 4, frames: 8, size: 224 });
  const ordered = done(evalDir) ? evaluation(path.join(evalDir, 'evaluation-ordered.json')) : null;
  const shuffled = done(evalDir) ? evaluation(path.join(evalDir, 'evaluation-shuffledFrames.json')) : null;
  return {
    variant: v.variant,
    group: v.group,
    label: v.label,
    genotype: g ? gFile : null,
    counts: g && cellCounts(g),
    params: own?.params ?? null,
    gflops: own?.gflops ?? null,
    paramsL: L?.params ?? null,
    gflopsL: L ? L.macs / 1e9 : null,
    top1: ordered?.multiView.top1.accuracy ?? null,
    top5: ordered?.multiView.top5.accuracy ?? null,
    singleView: ordered?.singleView?.top1.accuracy ?? null,
    shuffledTop1: shuffled?.multiView.top1.accuracy ?? null,
    shuffledTop5: shuffled?.multiView.top5.accuracy ?? null,
  };
}

const stat = (xs: Array<number | null>): Stat => meanSd(xs.filter((x): x is number => x !== null));

const GROUP_LABELS: Record<Variant['group'], string> = {
  random: 'Random',
  searched: 'PV-NAS search (step)',
  early: 'Stopped early',
  '2d': '2D baseline',
  strategy: 'Search strategies (same wall-clock budget)',
};

/** One strategy of the strategies table: its search's time and memory, its genotype's retrained accuracy and cost. */
export interface StrategyResult {
  strategy: string;
  variant: string;
  top1: number | null;
  /** GFLOPs of the genotype as PV-NAS-L at 8x224x224. */
  gflopsL: number | null;
  searchSeconds: number | null;
  peakRssMiB: number | null;
}

function strategyResults(c: AblationConfig, dirs: AblationDirs, vs: VariantResult[]): StrategyResult[] {
  return c.strategies.map((strategy) => {
    const v = vs.find((x) => x.variant === `strategy-${strategy}`);
    const dir = path.join(dirs.runs, strategySearchId(strategy));
    const meta = done(dir) ? RunFolder.open(dir).meta : undefined;
    return {
      strategy,
      variant: `strategy-${strategy}`,
      top1: v?.top1 ?? null,
      gflopsL: v?.gflopsL ?? null,
      searchSeconds: meta?.searchSeconds ?? null,
      peakRssMiB: meta?.peakRssMiB ?? null,
    };
  });
}

export function collectResults(name: string, c: AblationConfig, dirs: AblationDirs, budget: AblationResults['budget']): AblationResults {
  const searches = c.seeds.flatMap((seed) => SCHEDULES.map((s) => searchResult(dirs, s, seed)));
  const vs = variants(c, budget.searchEpochs).map((v) => variantResult(dirs, v, budget.classes));
  const groups = (['random', 'searched', 'early', '2d', 'strategy'] as const)
    .filter((g) => vs.some((v) => v.group === g))
    .map((group) => {
      const of = vs.filter((v) => v.group === group);
      return {
        group,
        label: GROUP_LABELS[group],
        top1: stat(of.map((v) => v.top1)),
        top5: stat(of.map((v) => v.top5)),
        shuffledTop1: stat(of.map((v) => v.shuffledTop1)),
      };
    });
  const schedules = SCHEDULES.map((schedule) => {
    const of = searches.filter((s) => s.schedule === schedule && s.counts);
    return {
      schedule,
      paramFree: Object.fromEntries(CELL_TYPES.map((t) => [t, stat(of.map((s) => s.counts![t].paramFree))])) as Record<CellType, Stat>,
      temporalConvs: {
        temporal_normal: stat(of.map((s) => s.counts!.temporal_normal.temporalConvs)),
        temporal_reduce: stat(of.map((s) => s.counts!.temporal_reduce.temporalConvs)),
      },
      valAcc: stat(of.map((s) => s.valAcc)),
    };
  });
  return { format: 'pvnas-ablation/1', name, config: c, budget, searches, variants: vs, groups, schedules, strategies: strategyResults(c, dirs, vs) };
}
