/**
 * Defaults per command and dataset, before a config file and CLI flags override them. Full-size values are
 * the paper's (section 4.2, with PySlowFast's conventions where it is silent); the `sample` presets shrink the
 * network and clips so the bundled sample set runs in minutes on 2 CPU cores (docs/decisions.md: the default
 * search learns in under 10 minutes).
 *
 * Batch sizes are global (all processes together). The paper trains on 32 GPUs: search with 32 clips per
 * GPU, retraining with 8 clips per GPU at a learning rate of 0.01 per GPU. One process here stands for one of
 * those GPUs, so the presets use one GPU's batch, and the learning rate follows the linear scaling rule
 * (Goyal et al.; PySlowFast's BASE_LR is per global batch the same way):
 *
 *   retraining   lr = 0.01 x batch / 8      (paper: 0.01 per GPU of 8 clips; 32 GPUs: batch 256, lr 0.32)
 *   search       lr = 0.1 x batch / 32      (the search LR 0.1 read per GPU of 32 clips, like the retraining one)
 *
 * The rule sets the learning rate only when none is given: a config or flag that sets `optim.lr.initial`
 * (retrain) or `optim.weightLr.initial` (search) wins.
 */
import type { Dataset } from './schema';

export type Command = 'search' | 'retrain' | 'evaluate';

/** The paper's batch per GPU and learning rate per GPU, i.e. the linear scaling rule's reference point. */
export const LR_RULE = {
  search: { lr: 0.1, batch: 32 },
  retrain: { lr: 0.01, batch: 8 },
} as const;

/** The learning rate of the linear scaling rule for a global batch. */
export function scaledLr(command: 'search' | 'retrain', batch: number): number {
  const r = LR_RULE[command];
  return (r.lr * batch) / r.batch;
}

const paperClips = {
  search: { jitter: [128, 164], crop: 112 },
  retrain: { jitter: [256, 320], crop: 224 },
  ucf101: { jitter: [128, 256], crop: 112 },
} as const;

/**
 * Clips of the sample set: 64x48 videos cached at short side 48, 32-pixel crops. Its classes are mirror pairs
 * (moving left / right, clockwise / counter-clockwise), so a flip would change the label: flipP 0, as SSv2.
 */
const sampleClips = { jitter: [40, 48], crop: 32, flipP: 0 } as const;

/** The preset of `command` for `dataset` (or the bundled sample set); `batch` is the run's global batch. */
export function preset(command: Command, dataset: Dataset, sample: boolean, batch?: number): Record<string, unknown> {
  const flipP = dataset === 'ssv2' ? 0 : 0.5;
  if (command === 'search') {
    if (sample) {
      return {
        data: { source: 'sample', layout: 'kinetics' },
        epochs: 9,
        batchSize: 16,
        channels: 8,
        checkpointEvery: 20,
        logEvery: 1,
        alphasEvery: 1,
        clips: sampleClips,
        // 384 clips and 216 steps instead of the paper's ~10^5: the step schedule keeps its shape (a high rate
        // most of the way, x0.1 for the last two epochs), alphas 10x faster so they move visibly; one pass per step
        // (simultaneous one-level) doubles the steps that fit in the time budget (docs/decisions.md)
        optim: { weightLr: { kind: 'step', initial: 0.05, gamma: 0.1, stepEpochs: 7 }, gradClip: 5, alphaLr: 0.01, oneLevel: 'simultaneous', recompute: false },
      };
    }
    const b = batch ?? LR_RULE.search.batch;
    return {
      epochs: 80,
      batchSize: LR_RULE.search.batch,
      channels: 64,
      clips: { ...paperClips.search, flipP },
      optim: { weightLr: { initial: scaledLr('search', b) } },
    };
  }
  if (command === 'retrain') {
    if (sample) {
      return {
        data: { source: 'sample', layout: dataset === 'ssv2' ? 'ssv2' : 'kinetics' },
        epochs: 30,
        batchSize: 16,
        repeats: 1,
        channels: 8,
        stemStride: 2,
        dropout: 0,
        checkpointEvery: 100,
        logEvery: 1,
        validateEvery: 1,
        clips: sampleClips,
        optim: { lr: { kind: 'cosine', initial: 0.02, minimum: 0, warmupEpochs: 2, warmupStart: 0.002 }, dropPath: 0 },
      };
    }
    const ucf = dataset === 'ucf101';
    const b = batch ?? LR_RULE.retrain.batch;
    const lr = scaledLr('retrain', b);
    return {
      // UCF-101: 128 epochs with 16 of warm-up and drop-path 0.1 (the paper's UCF-101 setting); Kinetics and SSv2: 196 with 36
      epochs: ucf ? 128 : 196,
      batchSize: LR_RULE.retrain.batch,
      repeats: 1,
      channels: 64,
      clips: { ...(ucf ? paperClips.ucf101 : paperClips.retrain), flipP },
      optim: { lr: { kind: 'cosine', initial: lr, minimum: 0, warmupEpochs: ucf ? 16 : 36, warmupStart: lr / 10 }, dropPath: ucf ? 0.1 : 0 },
    };
  }
  return sample ? { data: { source: 'sample', layout: dataset === 'ssv2' ? 'ssv2' : 'kinetics' } } : {};
}
