/**
 * What each ablation run is given: a complete config file (the command's preset <- the ablation's overrides
 * <- the run's own keys, resolved and validated here, so a bad override fails before anything runs) and, for
 * a retraining, its genotype file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deriveGenotype, randomGenotype, readAlphas, readGenotype, writeGenotype, type Genotype } from '@pvnas/nas';
import { commandLineOverrides, mergeConfig, resolveConfig } from '../config/load';
import { ABLATION_RETRAIN, type AblationConfig, type DataConfig } from '../config/schema';
import type { GenotypeSource, Job } from './plan';
import { spatialOnly } from './variants';

export interface AblationDirs {
  /** The ablation folder. */
  root: string;
  /** Its run folders. */
  runs: string;
  configs: string;
  genotypes: string;
  logs: string;
}

export function ablationDirs(root: string): AblationDirs {
  return { root, runs: path.join(root, 'runs'), configs: path.join(root, 'configs'), genotypes: path.join(root, 'genotypes'), logs: path.join(root, 'logs') };
}

const PATH_KEYS = new Set(['csv', 'root', 'classesFile', 'classesFromCsv', 'list', 'labels', 'annotations', 'splitsDir', 'cache']);

/** `data` with its file paths made absolute against `baseDir` (run configs live in another folder). */
export function absoluteData(data: DataConfig, baseDir: string): DataConfig {
  const fix = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, PATH_KEYS.has(k) && typeof x === 'string' ? path.resolve(baseDir, x) : fix(x)]));
  };
  return fix(data) as DataConfig;
}

/** Keys every run of the ablation gets before the user's overrides: its folder, data and loader threads. */
function base(c: AblationConfig, id: string, dirs: AblationDirs, workers: number): Record<string, unknown> {
  return { name: id, runsDir: dirs.runs, workers, ...(c.data && { data: c.data }) };
}

const user = (o: Record<string, unknown>) => commandLineOverrides([], o);

/** The resolved config of a search run. */
export function searchRunConfig(c: AblationConfig, job: Extract<Job, { kind: 'search' }>, dirs: AblationDirs, workers: number): Record<string, unknown> {
  const schedule = job.schedule === 'cosine' ? { kind: 'cosine', minimum: c.cosineMinimum } : { kind: 'step' };
  // a strategy's search: the same budget in minutes for all; the candidate strategies draw until it runs out
  const strategy = job.strategy && {
    strategy: job.strategy,
    timeBudgetMin: c.strategyMinutes,
    trainingFree: { candidates: 100_000 },
    evolution: { candidates: 100_000 },
  };
  const flags = mergeConfig(mergeConfig(base(c, job.id, dirs, workers), user(c.search)), { seed: job.seed, optim: { weightLr: schedule }, ...strategy });
  return resolveConfig('search', 'kinetics', { flags });
}

/** The resolved config of a retraining of `genotypeFile`. */
export function retrainRunConfig(c: AblationConfig, id: string, genotypeFile: string, dirs: AblationDirs, workers: number): Record<string, unknown> {
  const flags = mergeConfig(mergeConfig(mergeConfig(base(c, id, dirs, workers), ABLATION_RETRAIN), user(c.retrain)), { genotype: genotypeFile });
  return resolveConfig('retrain', c.dataset, { flags });
}

/** The resolved config of the 30-view evaluation (in order and with shuffled frames) of a retraining. */
export function evaluateRunConfig(c: AblationConfig, id: string, retrainDir: string, dirs: AblationDirs, workers: number): Record<string, unknown> {
  const flags = mergeConfig(mergeConfig(base(c, id, dirs, workers), user(c.evaluate)), { model: retrainDir, shuffleFrames: true });
  return resolveConfig('evaluate', c.dataset, { flags });
}

/** The genotype of a retraining, from its finished search (final or an epoch's snapshot), or drawn at random. */
export function materialiseGenotype(source: GenotypeSource, c: AblationConfig, dirs: AblationDirs): Genotype {
  if (source.from === 'random') return randomGenotype(source.seed, c.minConvOps);
  const run = path.join(dirs.runs, source.search);
  const final = path.join(run, 'genotype.json');
  if (!fs.existsSync(final)) throw new Error(`search ${run} has no genotype.json: it has not finished (see ${path.join(dirs.logs, `${source.search}.log`)})`);
  const searched = readGenotype(final);
  if (source.from === 'spatial-only') return spatialOnly(searched);
  if (source.epoch === undefined) return searched;
  const snapshot = path.join(run, 'alphas', `epoch-${String(source.epoch).padStart(3, '0')}.json`);
  return deriveGenotype(readAlphas(snapshot), { run: source.search, epoch: source.epoch });
}

export function writeRunConfig(dirs: AblationDirs, id: string, config: Record<string, unknown>): string {
  const file = path.join(dirs.configs, `${id}.json`);
  fs.mkdirSync(dirs.configs, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  return file;
}

export function writeVariantGenotype(dirs: AblationDirs, variant: string, g: Genotype): string {
  const file = path.join(dirs.genotypes, `${variant}.json`);
  fs.mkdirSync(dirs.genotypes, { recursive: true });
  writeGenotype(file, g);
  return file;
}
