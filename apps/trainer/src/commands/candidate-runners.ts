/**
 * The candidate strategies' runners (search-candidates.ts `CandidateRunner`):
 *
 *   training-free  random architectures scored at initialisation: NTK condition number on the first clips of the
 *                  training split, linear regions of a thin copy over random inputs; TE-NAS's rank sum.
 *   evolution      regularized evolution (libs/nas/src/search/evolution.ts); each candidate trained briefly.
 *   random         random architectures (random search, Li & Talwalkar's baseline), trained the same way.
 *
 * Trained candidates: `evolution.trainEpochs` epochs of SGD (cosine from the search's weight LR) on the training
 * split minus a held-out share (`evolution.heldOut`, by a hash of each video id, the same for every candidate), then
 * scored by single-view top-1 on the held-out videos: the fitness. Each candidate is the derived network of the
 * searched layout (the four cells, the search's channels and stem) with its own seeded initialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '@pvnas/base';
import {
  CELL_TYPES,
  EVAL,
  RetrainTrainer,
  candidateGenotype,
  combinedRanks,
  proposeEvolution,
  regionInputs,
  retrainOptimSchema,
  scoreAtInit,
  type Genotype,
} from '@pvnas/nas';
import type { SearchConfig } from '../config/schema';
import type { CandidateRunner, Scored } from './search-candidates';
import { trainLoader, type Session } from './session';
import { singleViewAccuracy, singleViewLoader } from './view-scores';

/** The first `n` clips of the training split's first epoch (seeded: the same on every resume). */
async function firstClips(s: Session<SearchConfig>, n: number): Promise<tf.Tensor5D> {
  for await (const b of s.batches.epoch(0, 0)) {
    if (b.shape[0] < n)
      throw new Error(`trainingFree.batch is ${n} clips but a training batch holds ${b.shape[0]}: raise batchSize or lower trainingFree.batch`);
    const [, T, H, W, C] = b.shape;
    return tf.tensor5d(b.data.subarray(0, n * T * H * W * C), [n, T, H, W, C]);
  }
  throw new Error('the training split gave no batch');
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'singular' : v.toPrecision(4));

export async function trainingFreeRunner(s: Session<SearchConfig>): Promise<CandidateRunner> {
  const c = s.config;
  const t = c.trainingFree;
  const x = await firstClips(s, t.batch);
  const inputs = regionInputs(t, c.seed);
  await s.loader.close();
  const sums = (scored: readonly Scored[]) =>
    combinedRanks(scored.map((d) => ({ ntkCondition: d.scores.ntkCondition ?? Infinity, linearRegions: d.scores.linearRegions ?? 0 })));
  return {
    describe: `${t.candidates} random architectures scored at initialisation (NTK on ${t.batch} training clips, linear regions over ${t.regionSamples} random inputs)`,
    propose: (index) => ({ genotype: candidateGenotype(c.seed, index) }),
    score: async (genotype, index) => {
      const net = { channels: c.channels, classes: s.train.classes.length, stemStride: c.stemStride, seed: c.seed + index, temporalStride: c.temporalStride };
      const r = scoreAtInit(genotype, net, x, inputs, t.regionChannels);
      return { ntkCondition: Number.isFinite(r.ntkCondition) ? r.ntkCondition : null, linearRegions: r.linearRegions };
    },
    order: (scored) => {
      const sum = sums(scored);
      return scored.map((_, i) => i).sort((a, b) => sum[a] - sum[b] || a - b);
    },
    columns: [
      { title: 'NTK condition', value: (d) => fmt(d.scores.ntkCondition) },
      { title: 'linear regions', value: (d) => String(d.scores.linearRegions) },
    ],
    ranking: 'ranked by the sum of the ranks by NTK condition number (low first) and by linear regions (high first)',
    close: async () => tf.dispose([x, inputs]),
  };
}

/** The training split's held-out videos: those whose id hashes below `share` (the same for every candidate and run). */
function isHeldOut(id: string, share: number, seed: number): boolean {
  return deriveSeed(seed, 'held-out', id) / 2 ** 32 < share;
}

export async function trainedRunner(s: Session<SearchConfig>, kind: 'evolution' | 'random', log: (line: string) => void): Promise<CandidateRunner> {
  const c = s.config;
  const e = c.evolution;
  await s.loader.close();
  const held = s.train.records.filter((r) => isHeldOut(r.id, e.heldOut, c.seed));
  const fit = s.train.records.filter((r) => !isHeldOut(r.id, e.heldOut, c.seed));
  if (held.length === 0 || fit.length < c.batchSize)
    throw new Error(
      `${kind}: the training split's ${s.train.records.length} videos give ${fit.length} to train candidates on and ${held.length} to score them (evolution.heldOut ${e.heldOut}); it needs at least a batch (${c.batchSize}) and one video`,
    );
  const workers = c.workers ?? 2;
  const fitLoader = trainLoader(fit, s.train.cacheDir, c, { batchSize: c.batchSize, workers });
  const heldLoader = singleViewLoader({
    split: { ...s.train, records: held },
    crop: c.clips.crop,
    frames: c.clips.frames,
    window: c.clips.window,
    batchSize: c.batchSize,
    workers,
  });
  log(`${kind}: candidates train on ${fit.length} videos and are scored on ${held.length} held out`);
  const optim = retrainOptimSchema.parse({
    lr: { kind: 'cosine', initial: c.optim.weightLr.initial, minimum: 0 },
    momentum: c.optim.momentum,
    weightDecay: c.optim.weightDecay,
  });
  const score = async (genotype: Genotype, index: number) => {
    const network = {
      channels: c.channels,
      classes: s.train.classes.length,
      layout: [...CELL_TYPES],
      stemStride: c.stemStride,
      dropout: c.dropout,
      seed: deriveSeed(c.seed, 'candidate', index),
      temporalStride: c.temporalStride,
    };
    const trainer = new RetrainTrainer(genotype, network, optim, e.trainEpochs);
    try {
      const batches = fitLoader.batchesPerEpoch();
      let step = 0;
      let loss = 0;
      for (let epoch = 0; epoch < e.trainEpochs; epoch++) {
        let batch = 0;
        for await (const b of fitLoader.epoch(epoch, 0)) {
          const at = { epoch, step, epochFraction: epoch + batch / batches };
          loss = tf.tidy(() => trainer.step(tf.tensor5d(b.data, b.shape), tf.tensor1d(b.labels, 'int32'), at).loss);
          step++;
          batch++;
        }
      }
      const v = await singleViewAccuracy(heldLoader, (x) => trainer.net.forward(x, EVAL));
      return { heldOutAcc: v.acc, trainLoss: loss };
    } finally {
      trainer.dispose();
    }
  };
  const order = (scored: readonly Scored[]) =>
    scored
      .map((_, i) => i)
      .sort(
        (a, b) =>
          (scored[b].scores.heldOutAcc ?? 0) - (scored[a].scores.heldOutAcc ?? 0) ||
          (scored[a].scores.trainLoss ?? 0) - (scored[b].scores.trainLoss ?? 0) ||
          a - b,
      );
  return {
    describe:
      kind === 'evolution'
        ? `regularized evolution of ${e.candidates} architectures (population ${e.population}, tournaments of ${e.sample}), each trained ${e.trainEpochs} epoch(s)`
        : `${e.candidates} random architectures, each trained ${e.trainEpochs} epoch(s)`,
    propose: (index, scored) =>
      kind === 'evolution'
        ? proposeEvolution(
            scored.map((d) => ({ genotype: d.genotype, fitness: d.scores.heldOutAcc ?? 0 })),
            index,
            e,
            c.seed,
          )
        : { genotype: candidateGenotype(c.seed, index) },
    score,
    order,
    columns: [
      { title: 'held-out top-1', value: (d) => `${(100 * (d.scores.heldOutAcc ?? 0)).toFixed(1)}%` },
      { title: 'train loss', value: (d) => (d.scores.trainLoss ?? 0).toFixed(3) },
    ],
    ranking: `ranked by single-view top-1 on the ${held.length} held-out videos after ${e.trainEpochs} epoch(s) of training (ties: lower training loss)`,
    close: async () => {
      await fitLoader.close();
      await heldLoader.close();
    },
  };
}
