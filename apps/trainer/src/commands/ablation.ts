/**
 * `pvnas ablation` / `nx run trainer:ablation`: the paper's claims at sample scale (ablation/plan.ts lists the
 * runs). Resumable: the folder's name is a hash of the config, so the same command continues the same
 * ablation, redoing nothing finished; a different config is refused in an existing folder. Writes
 * ablation.json, ablation.md and SVG figures, also after a stop (rows not finished are marked).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ablationDirs,
  absoluteData,
  evaluateRunConfig,
  materialiseGenotype,
  retrainRunConfig,
  searchRunConfig,
  writeRunConfig,
  writeVariantGenotype,
  type AblationDirs,
} from '../ablation/job-config';
import { planAblation, type Job } from '../ablation/plan';
import { accuracySvg, paramFreeOpsSvg, paramFreeShareSvg } from '../ablation/plots';
import { renderAblationMarkdown } from '../ablation/report';
import { runJobs, type Launch } from '../ablation/runner';
import { collectResults, type AblationResults } from '../ablation/summary';
import { ConfigError, mergeConfig, readConfigFile } from '../config/load';
import { ablationConfigSchema, type AblationConfig, type EvaluateConfig, type RetrainConfig, type SearchConfig } from '../config/schema';
import { loadSplit } from '../data/datasets';
import { writeJsonFile } from '@pvnas/base/node';

export interface AblationFlags {
  config?: string;
  overrides: Record<string, unknown>;
  log: (line: string) => void;
  progressEverySec?: number;
}

/** Seconds a run takes at 2 jobs on 2 cores with the sample presets (measured), scaled by clips and epochs. */
const PRIOR = { searchEpoch: 58, retrainEpoch: 11, evaluation: 65, trainClips: 384, valClips: 128 } as const;

const CONFIG_FILE = 'ablation-config.json';

/** The keys that make an ablation (not where it is written or how many runs go at once). */
const identity = (c: AblationConfig) => ({ ...c, name: undefined, runsDir: undefined, jobs: undefined });

export function resolveAblationConfig(flags: Pick<AblationFlags, 'config' | 'overrides'>): AblationConfig {
  const fromFile = flags.config ? readConfigFile(path.resolve(flags.config)) : {};
  const r = ablationConfigSchema.safeParse(mergeConfig(fromFile, flags.overrides));
  if (!r.success)
    throw new ConfigError(
      `bad ablation config: ${r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
        .join('; ')}`,
    );
  const baseDir = flags.config ? path.dirname(path.resolve(flags.config)) : process.cwd();
  return r.data.data ? { ...r.data, data: absoluteData(r.data.data, baseDir) } : r.data;
}

export function ablationName(c: AblationConfig): string {
  return (
    c.name ??
    `ablation-${createHash('sha256')
      .update(JSON.stringify(identity(c)))
      .digest('hex')
      .slice(0, 8)}`
  );
}

/** Refuses to continue a folder that another config started; records the config on a first start. */
function claimFolder(dirs: AblationDirs, c: AblationConfig): void {
  const file = path.join(dirs.root, CONFIG_FILE);
  if (fs.existsSync(file)) {
    const before = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const now = JSON.parse(JSON.stringify(identity(c))) as Record<string, unknown>;
    const differs = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k]));
    if (differs.length > 0)
      throw new ConfigError(
        `ablation ${dirs.root} was started with another config (${differs.join(', ')} differ): run it with its own settings to continue, or give a new --name`,
      );
    return;
  }
  fs.mkdirSync(dirs.root, { recursive: true });
  writeJsonFile(file, identity(c));
}

/** The ablation's folder, concurrency and its runs' configs, resolved up front: a bad override stops here, before hours of runs. */
export function describeAblation(c: AblationConfig) {
  const name = ablationName(c);
  const dirs = ablationDirs(path.resolve(c.runsDir, name));
  const jobs = c.jobs ?? (os.availableParallelism() >= 2 ? 2 : 1);
  const workers = Math.max(1, Math.floor(os.availableParallelism() / jobs));
  const search = searchRunConfig(c, { id: 'probe', kind: 'search', after: [], schedule: 'step', seed: c.seeds[0]! }, dirs, workers) as SearchConfig;
  const retrain = retrainRunConfig(c, 'probe', 'genotype.json', dirs, workers) as RetrainConfig;
  const evaluate = evaluateRunConfig(c, 'probe', 'model', dirs, workers) as EvaluateConfig;
  return { name, dirs, jobs, workers, search, retrain, evaluate, plan: planAblation(c, search.epochs) };
}

export async function runAblation(flags: AblationFlags): Promise<{ status: 'done' | 'stopped' | 'failed'; dir: string; results: AblationResults }> {
  const c = resolveAblationConfig(flags);
  const { name, dirs, jobs, workers, search, retrain, evaluate, plan } = describeAblation(c);
  claimFolder(dirs, c);
  // the data once, before runs start side by side (the sample set is generated and cached here)
  const train = await loadSplit(search.data, 'train', { workers: os.availableParallelism(), log: flags.log });
  const val = await loadSplit(evaluate.data, 'val', { workers: os.availableParallelism(), log: flags.log }).catch(() => undefined);
  const budget: AblationResults['budget'] = {
    searchEpochs: search.epochs,
    searchChannels: search.channels,
    searchCrop: search.clips.crop,
    retrainEpochs: retrain.epochs,
    retrainChannels: retrain.channels,
    retrainCrop: retrain.clips.crop,
    views: evaluate.clipsPerVideo * 3,
    trainClips: train.records.length,
    valClips: val?.records.length ?? null,
    classes: train.classes.length,
  };
  flags.log(
    `ablation ${dirs.root}: ${c.seeds.length} seeds x 2 schedules of search, ${plan.filter((j) => j.kind === 'retrain').length} retrainings, each evaluated with ${budget.views} views in order and shuffled`,
  );

  const prepare = (job: Job, state: 'resume' | 'fresh'): Launch => {
    const runDir = path.join(dirs.runs, job.id);
    if (job.kind === 'search')
      return {
        args:
          state === 'resume' ? ['search', '--resume', runDir] : ['search', '--config', writeRunConfig(dirs, job.id, searchRunConfig(c, job, dirs, workers))],
      };
    if (job.kind === 'retrain') {
      if (state === 'resume') return { args: ['retrain', '--dataset', c.dataset, '--resume', runDir] };
      const genotype = writeVariantGenotype(dirs, job.variant, materialiseGenotype(job.genotype, c, dirs));
      return { args: ['retrain', '--dataset', c.dataset, '--config', writeRunConfig(dirs, job.id, retrainRunConfig(c, job.id, genotype, dirs, workers))] };
    }
    return {
      args: [
        'evaluate',
        '--dataset',
        c.dataset,
        '--config',
        writeRunConfig(dirs, job.id, evaluateRunConfig(c, job.id, path.join(dirs.runs, job.retrain), dirs, workers)),
      ],
    };
  };
  const epochs = (job: Job): number => (job.kind === 'search' ? search.epochs : job.kind === 'retrain' ? retrain.epochs : 1);
  const prior = (job: Job): number => {
    const t = budget.trainClips! / PRIOR.trainClips;
    if (job.kind === 'search') return PRIOR.searchEpoch * t;
    if (job.kind === 'retrain') return PRIOR.retrainEpoch * t;
    return (PRIOR.evaluation * (budget.valClips ?? PRIOR.valClips) * budget.views) / (PRIOR.valClips * 30);
  };
  const outcome = await runJobs(plan, { jobs, dirs, prepare, epochs, prior, log: flags.log, progressEverySec: flags.progressEverySec });

  const results = collectResults(name, c, dirs, budget);
  writeJsonFile(path.join(dirs.root, 'ablation.json'), results);
  const plots = { 'accuracy.svg': accuracySvg(results), 'param-free-ops.svg': paramFreeOpsSvg(results), 'param-free-share.svg': paramFreeShareSvg(results) };
  for (const [file, svg] of Object.entries(plots)) fs.writeFileSync(path.join(dirs.root, file), svg);
  fs.writeFileSync(path.join(dirs.root, 'ablation.md'), renderAblationMarkdown(results, Object.keys(plots)));
  flags.log(`ablation ${outcome.status}: ${path.join(dirs.root, 'ablation.md')}`);
  if (outcome.status === 'stopped') flags.log(`continue with the same command (or --name ${name})`);
  if (outcome.failed.length > 0) flags.log(`failed runs: ${outcome.failed.map((f) => `${f.id} (log ${f.log})`).join(', ')}`);
  return { status: outcome.status, dir: dirs.root, results };
}
