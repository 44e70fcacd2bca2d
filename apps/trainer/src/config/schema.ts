/**
 * The one schema of every trainer config (search, retrain, evaluate), defaults in one place. Objects are
 * strict: an unknown key is an error naming it, never silently ignored. Paper values are the defaults;
 * the bundled sample set gets its own small preset (presets.ts) so a laptop run takes minutes.
 */
import { z } from 'zod';
import { manifestSpecSchema } from '@pvnas/ingest';
import {
  backendRequestSchema,
  budgetSchema,
  deviceRequestSchema,
  evolutionSchema,
  retrainOptimSchema,
  samplingSchema,
  searchOptimSchema,
  SEARCH_STRATEGIES,
  trainingFreeSchema,
} from '@pvnas/nas';

export const DATASETS = ['kinetics', 'ssv2', 'ucf101'] as const;
export type Dataset = (typeof DATASETS)[number];

/** Where clips come from: the bundled sample set (generated and cached on first use), or a dataset. */
export const dataSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('sample'),
    /** Which layout of the sample set to read (the same clips; SSv2's JSON or Kinetics' CSV manifests). */
    layout: z.enum(['kinetics', 'ssv2']),
  }),
  z.strictObject({
    source: z.literal('manifest'),
    /** Manifest of the training videos (any format of libs/ingest: kinetics, ssv2, ucf101, list, folders). */
    train: manifestSpecSchema,
    /** Validation videos; must share the training classes. */
    val: manifestSpecSchema.optional(),
    /**
     * An LMDB frame cache (nx run ingest:<dataset>) holding these videos, or a list of caches read as one (the
     * shards of a `--shard i/n` build; same settings required; each video from the first cache holding it);
     * decoded from the files when absent.
     */
    cache: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  }),
]);
export type DataConfig = z.infer<typeof dataSchema>;

const jitter = z.tuple([z.number().int().min(8), z.number().int().min(8)]).refine(([a, b]) => a <= b, { message: 'jitter is [min, max] with min <= max' });

export const clipsSchema = z
  .strictObject({
    frames: z.number().int().min(1).default(8),
    /** Temporal window in frames at 30 fps that the frames span (paper: 64). */
    window: z.number().int().min(1).default(64),
    jitter: jitter,
    crop: z.number().int().min(8),
    /** Horizontal flip probability (0 for SSv2 and the sample set: their labels say left/right). */
    flipP: z.number().min(0).max(1),
    /**
     * Time-reversal augmentation (data/time-reversal.ts): a clip of a class in `pairs` is played backwards and
     * relabelled as its partner with probability `p`. Off unless given.
     */
    timeReversal: z.strictObject({ p: z.number().min(0).max(1), pairs: z.array(z.tuple([z.string().min(1), z.string().min(1)])).min(1) }).optional(),
    /** Train on a frame cache whose short side is below jitter[0] (frames upsampled); refused unless set. */
    allowUpsampling: z.boolean().default(false),
  })
  .refine((c) => c.crop <= c.jitter[0], { message: 'crop must be <= jitter[0] (the smallest short side)', path: ['crop'] });

const common = {
  /** Run folder name under `runsDir` (default: <command>-<date>-<time>). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore')
    .optional(),
  runsDir: z.string().min(1).default('runs'),
  seed: z.number().int().min(0).default(0),
  backend: backendRequestSchema.default('auto'),
  /** Where the torch backend computes: auto (cuda when the addon has CUDA and a GPU is visible, else cpu), cpu, cuda, cuda:N. */
  device: deviceRequestSchema,
  /** Loader worker threads (default: the machine's cores). */
  workers: z.number().int().min(1).optional(),
  data: dataSchema,
  batchSize: z.number().int().min(1),
  /** Checkpoint every this many steps (0: only at epoch ends). */
  checkpointEvery: z.number().int().min(0).default(100),
  /** A metrics.jsonl step record every this many steps (epoch records always). */
  logEvery: z.number().int().min(1).default(10),
};

/** What search and retraining both train: epochs of clips through a network with a stem and dropout. */
const training = {
  ...common,
  epochs: z.number().int().min(1),
  /** Initial channels (paper: search 64; PV-NAS-L 64, PV-NAS-M 100). */
  channels: z.number().int().min(2),
  /** Dropout before the classifier. */
  dropout: z.number().min(0).max(0.95).default(0.4),
  /** Temporal stride of T-RC's reducing edges (1 by default; docs/decisions.md, "Search"): 2 halves the frames after it. */
  temporalStride: z.number().int().min(1).max(8).default(1),
  clips: clipsSchema,
};

/** Spatial stride of the stem (libs/nas layers/stem.ts): 1, 2, or 4 (two stride-2 convs). */
const stemStride = z.union([z.literal(1), z.literal(2), z.literal(4)]);

export const searchConfigSchema = z.strictObject({
  ...training,
  /** 2: the search's 112-pixel crops reach the cells at 56, where retraining's 224 crops arrive with stride 4. */
  stemStride: stemStride.default(2),
  optim: searchOptimSchema.prefault({}),
  /**
   * How the space is searched (libs/nas/src/search/strategies.ts): darts (the paper's, every op), sampling (one path a
   * step), training-free (random architectures ranked at initialisation), evolution and random (candidates trained
   * briefly).
   */
  strategy: z.enum(SEARCH_STRATEGIES).default('darts'),
  /** The sampling strategy's Gumbel-softmax temperature (GDAS: 10 annealed to 0.1). */
  sampling: samplingSchema.prefault({}),
  /** The training-free strategy's candidates and scoring batch. */
  trainingFree: trainingFreeSchema.prefault({}),
  /** The evolution and random strategies' candidates, population, tournament and brief training. */
  evolution: evolutionSchema.prefault({}),
  /** A GFLOPs budget for the derived network the search is for (libs/nas/src/search/budget.ts), every strategy. */
  budget: budgetSchema.prefault({}),
  /**
   * Wall-clock minutes the search may run (null: no limit): a supernet search ends at the end of the epoch in which
   * they run out, a candidate search after the candidate; either way it ends `done`, with the genotype it has.
   */
  timeBudgetMin: z.number().positive().nullable().default(null),
  /** Alpha softmax in a step record every this many steps (a multiple of logEvery; 8.4 KB each). */
  alphasEvery: z.number().int().min(1).default(100),
  /** The supernet's single-view validation accuracy every this many epochs, when a validation split exists (0: never). */
  validateEvery: z.number().int().min(0).default(1),
});
export type SearchConfig = z.infer<typeof searchConfigSchema>;

export const retrainConfigSchema = z.strictObject({
  ...training,
  /** 4: the paper's regime (PV-NAS-L 22 GFLOPs at 8x224x224 needs the cells to start at 56). */
  stemStride: stemStride.default(4),
  /** Genotype file to retrain; default: the newest search run's genotype.json, else the bundled one. */
  genotype: z.string().min(1).optional(),
  /** Normal cells per stage (K): PV-NAS-L 1, PV-NAS-M 2. */
  repeats: z.number().int().min(1),
  optim: retrainOptimSchema.prefault({}),
  /** Single-view validation accuracy every this many epochs (0: never; PySlowFast's EVAL_PERIOD is 10). */
  validateEvery: z.number().int().min(0).default(10),
});
export type RetrainConfig = z.infer<typeof retrainConfigSchema>;

export const evaluateConfigSchema = z.strictObject({
  name: common.name,
  runsDir: common.runsDir,
  seed: common.seed,
  backend: common.backend,
  device: common.device,
  workers: common.workers,
  /** A retrain run folder (its final model) or a saved model folder; default: the newest retrain run. */
  model: z.string().min(1).optional(),
  data: dataSchema,
  batchSize: z.number().int().min(1).default(4),
  /** Temporal clips per video; each gives 3 spatial crops (10 x 3 = 30 views). */
  clipsPerVideo: z.number().int().min(1).default(10),
  /** Test crop size (default: the model's training crop). */
  crop: z.number().int().min(8).optional(),
  /** Shuffle the frames of every clip (seeded): how much the model relies on their order. */
  shuffleFrames: z.boolean().default(false),
  /** Evaluate on a frame cache whose short side is below the test crop (frames upsampled); refused unless set. */
  allowUpsampling: z.boolean().default(false),
});
export type EvaluateConfig = z.infer<typeof evaluateConfigSchema>;

const overrides = z.record(z.string(), z.unknown());

/**
 * `pvnas ablation` (ablation/): the paper's claims at small scale. Its budget is the sample presets with the
 * overrides below (stated in the report's table headers); `search`, `retrain` and `evaluate` take any key of
 * those configs, dotted or nested, and apply to every run of that kind.
 */
export const ablationConfigSchema = z.strictObject({
  /** Folder under runsDir (default: ablation-<hash of this config>, so the same command continues the same ablation). */
  name: common.name,
  runsDir: common.runsDir,
  /** Dataset presets of the retraining and evaluation (layout of the sample set). */
  dataset: z.enum(DATASETS).default('kinetics'),
  /** Training (and validation) data of every run; default the bundled sample set. */
  data: dataSchema.optional(),
  /** One search per schedule and seed; the first seed's step search also gives the stop-early and 2D genotypes. */
  seeds: z.array(z.number().int().min(0)).min(1).default([1, 2, 3]),
  /** Random genotypes (seeds 1..N), each cell with >= minConvOps convolutions. */
  randomGenotypes: z.number().int().min(0).default(5),
  minConvOps: z.number().int().min(0).max(8).default(4),
  /** Fractions of the search whose alpha snapshots give stop-early genotypes. */
  stopEarly: z.array(z.number().gt(0).lt(1)).default([0.25, 0.5, 0.75]),
  /** Runs at once (default: 2 when the machine has 2 cores or more); each gets cores / jobs threads. */
  jobs: z.number().int().min(1).optional(),
  /** The cosine schedule's final learning rate (its first is the step schedule's). */
  cosineMinimum: z.number().nonnegative().default(1e-4),
  /**
   * Search strategies to compare (the strategies table): each searches once (the first seed) under the same wall-clock
   * budget, `strategyMinutes`, and its genotype is retrained and evaluated as the others. Default: none.
   */
  strategies: z.array(z.enum(SEARCH_STRATEGIES)).default([]),
  strategyMinutes: z.number().positive().default(3),
  search: overrides.default({}),
  /** Over ABLATION_RETRAIN (below), key by key. */
  retrain: overrides.default({}),
  evaluate: overrides.default({}),
});

/**
 * The ablation's retraining budget over the retrain preset: 12 epochs (the 30-epoch sample retraining was at
 * 85-89% single-view validation accuracy from epoch 12 on), no per-epoch validation (the 30-view evaluation
 * follows each run).
 */
export const ABLATION_RETRAIN = { epochs: 12, validateEvery: 0, checkpointEvery: 50 } as const;
export type AblationConfig = z.infer<typeof ablationConfigSchema>;
