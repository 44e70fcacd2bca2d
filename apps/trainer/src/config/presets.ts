/**
 * Defaults per command and dataset, before a config file and CLI flags override them. Full-size values are
 * the paper's (section 4.2); the `sample` presets shrink the network and clips so the bundled sample set
 * runs in minutes on 2 CPU cores (the issue's budget: search under 10 minutes).
 *
 * The sample set's classes come in mirror pairs (moving left / right, clockwise / counter-clockwise), so
 * flipping would swap labels: its presets use flipP 0, like SSv2's. Its classes also come in time-reversed
 * pairs, which the presets use for time-reversal augmentation (data/time-reversal.ts).
 */
import type { Dataset } from './schema';

export type Command = 'search' | 'retrain' | 'evaluate';

const paperClips = {
  search: { jitter: [128, 164], crop: 112 },
  retrain: { jitter: [256, 320], crop: 224 },
  ucf101: { jitter: [128, 256], crop: 112 },
} as const;

/** Clips of the sample set: 160x120 videos cached at short side 128. */
const sampleClips = { jitter: [64, 80], crop: 56, flipP: 0, timeReversal: 0.5 } as const;

export function preset(command: Command, dataset: Dataset, sample: boolean): Record<string, unknown> {
  const flipP = dataset === 'ssv2' ? 0 : 0.5;
  if (command === 'search') {
    return sample
      ? {
          data: { source: 'sample', layout: 'kinetics' },
          epochs: 8,
          batchSize: 8,
          channels: 8,
          checkpointEvery: 10,
          logEvery: 1,
          alphasEvery: 1,
          clips: sampleClips,
          // batch 8 instead of the paper's larger batches: half the weight LR and DARTS' gradient clipping keep
          // the first epochs stable; alphas 10x faster so that 96 steps move them visibly (the paper's 1e-3
          // runs for ~10^5 steps on Kinetics)
          optim: { weightLr: { kind: 'step', initial: 0.05, gamma: 0.1, stepEpochs: 6 }, gradClip: 5, alphaLr: 0.01 },
        }
      : { epochs: 80, batchSize: 16, channels: 64, clips: { ...paperClips.search, flipP } };
  }
  if (command === 'retrain') {
    return sample
      ? {
          data: { source: 'sample', layout: dataset === 'ssv2' ? 'ssv2' : 'kinetics' },
          // 96 training clips: no dropout or drop-path, a gentle LR and many epochs (about 9 minutes on 2
          // cores); with time-reversal augmentation the network must learn motion to fit them
          epochs: 120,
          batchSize: 8,
          repeats: 1,
          channels: 8,
          dropout: 0,
          checkpointEvery: 60,
          logEvery: 1,
          validateEvery: 5,
          clips: sampleClips,
          optim: { lr: { kind: 'cosine', initial: 0.01, minimum: 0, warmupEpochs: 2, warmupStart: 0.001 }, dropPath: 0 },
        }
      : {
          epochs: 196,
          batchSize: 16,
          repeats: 1,
          channels: 64,
          clips: { ...(dataset === 'ucf101' ? paperClips.ucf101 : paperClips.retrain), flipP },
          optim: { lr: { kind: 'cosine', initial: 0.1, minimum: 0, warmupEpochs: 36, warmupStart: 0.01 }, dropPath: 0.1 },
        };
  }
  return sample ? { data: { source: 'sample', layout: dataset === 'ssv2' ? 'ssv2' : 'kinetics' } } : {};
}
