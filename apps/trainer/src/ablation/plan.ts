/**
 * The ablation's runs and their order (a pure function of its config). Every run is an ordinary `pvnas`
 * run folder under `<ablation>/runs/<id>`, so each can be opened, resumed and plotted on its own.
 *
 *   search-<schedule>-s<seed>   step and cosine schedules, one search per seed           (paper 3.3, Fig. 4)
 *   search-strategy-<name>      each strategy of `strategies`, the same wall-clock budget (issue 16's table)
 *   retrain-searched-s<seed>    each step search's genotype                             (Tab. 3)
 *   retrain-random-r<k>         random genotypes, >= minConvOps convolutions a cell      (Tab. 3)
 *   retrain-early-e<epoch>      the first seed's genotype from an earlier alpha snapshot (Tab. 3, stop early)
 *   retrain-2d                  the first seed's genotype with spatial cells only        (2D baseline)
 *   retrain-strategy-<name>     each strategy's genotype
 *   eval-<variant>              30 views in order and with shuffled frames               (time)
 */
import type { SearchStrategy } from '@pvnas/nas';
import type { AblationConfig } from '../config/schema';
import { stopEarlyEpochs } from './variants';

export const SCHEDULES = ['step', 'cosine'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** Where a retraining's genotype comes from. */
export type GenotypeSource = { from: 'search'; search: string; epoch?: number } | { from: 'random'; seed: number } | { from: 'spatial-only'; search: string };

export type Job =
  | { id: string; kind: 'search'; after: []; schedule: Schedule; seed: number; strategy?: SearchStrategy }
  | { id: string; kind: 'retrain'; after: string[]; variant: string; genotype: GenotypeSource }
  | { id: string; kind: 'evaluate'; after: [string]; variant: string; retrain: string };

export const searchId = (schedule: Schedule, seed: number): string => `search-${schedule}-s${seed}`;
export const strategySearchId = (strategy: SearchStrategy): string => `search-strategy-${strategy}`;

/** Variants of the accuracy table, in its row order, with the retrain of each. */
export interface Variant {
  variant: string;
  group: 'searched' | 'random' | 'early' | '2d' | 'strategy';
  label: string;
  genotype: GenotypeSource;
}

export function variants(c: AblationConfig, searchEpochs: number): Variant[] {
  const first = c.seeds[0]!;
  const out: Variant[] = [];
  for (let k = 1; k <= c.randomGenotypes; k++)
    out.push({ variant: `random-r${k}`, group: 'random', label: `random ${k}`, genotype: { from: 'random', seed: k } });
  for (const seed of c.seeds)
    out.push({
      variant: `searched-s${seed}`,
      group: 'searched',
      label: `searched, seed ${seed}`,
      genotype: { from: 'search', search: searchId('step', seed) },
    });
  const early = [...new Set(stopEarlyEpochs(searchEpochs, c.stopEarly))].filter((e) => e < searchEpochs);
  for (const epoch of early)
    out.push({
      variant: `early-e${epoch}`,
      group: 'early',
      label: `stopped at epoch ${epoch}/${searchEpochs}`,
      genotype: { from: 'search', search: searchId('step', first), epoch },
    });
  out.push({ variant: '2d', group: '2d', label: '2D (spatial cells only)', genotype: { from: 'spatial-only', search: searchId('step', first) } });
  for (const strategy of c.strategies)
    out.push({
      variant: `strategy-${strategy}`,
      group: 'strategy',
      label: `${strategy} (${c.strategyMinutes} min)`,
      genotype: { from: 'search', search: strategySearchId(strategy) },
    });
  return out;
}

/** Every run, dependencies before dependants; searches first (the longest), then the runs they unblock. */
export function planAblation(c: AblationConfig, searchEpochs: number): Job[] {
  const jobs: Job[] = [];
  for (const seed of c.seeds) for (const schedule of SCHEDULES) jobs.push({ id: searchId(schedule, seed), kind: 'search', after: [], schedule, seed });
  for (const strategy of c.strategies) jobs.push({ id: strategySearchId(strategy), kind: 'search', after: [], schedule: 'step', seed: c.seeds[0]!, strategy });
  for (const v of variants(c, searchEpochs)) {
    const after = v.genotype.from === 'random' ? [] : [v.genotype.search];
    jobs.push({ id: `retrain-${v.variant}`, kind: 'retrain', after, variant: v.variant, genotype: v.genotype });
    jobs.push({ id: `eval-${v.variant}`, kind: 'evaluate', after: [`retrain-${v.variant}`], variant: v.variant, retrain: `retrain-${v.variant}` });
  }
  return jobs;
}
