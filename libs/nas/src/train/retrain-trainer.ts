/**
 * Retraining a derived network from scratch (paper 4.2): SGD with momentum 0.9 and weight decay 1e-4,
 * cosine LR with a linear warm-up evaluated every step, drop-path ramped by epoch (DARTS), dropout before
 * the classifier, optional gradient clipping. Checkpoints hold weights, BN statistics and momentum buffers.
 * Data parallel when a process group is joined, as SearchTrainer: gradients averaged over the ranks before each
 * update, BN statistics per process (averaged before validation and checkpoints), metrics averaged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DerivedNetwork, dropPathProb, type DerivedNetworkConfig } from '../derived/derived-network';
import { EVAL, TRAIN } from '../layers/context';
import type { Genotype } from '../search-space/genotype';
import { learningRate, lrScheduleSchema } from './lr-schedule';
import { clipGlobalNorm, Sgd } from './optimizers';
import { assignParams, paramTensors } from './checkpoint';
import type { StepAt, StepOutcome } from './epoch-loop';
import { gradients } from '../backend/backprop';
import { correctCount, crossEntropy, readScalars } from './loss';
import { averageGradients, averageStatistics, meanOverRanks, processGroup, replicaSeed, syncParams } from '../distributed/process-group';

export const retrainOptimSchema = z.strictObject({
  /** Paper: cosine from 0.01 per 8 clips (scale with the batch: the trainer's presets do), 36 warm-up epochs of 196. */
  lr: lrScheduleSchema.default(lrScheduleSchema.parse({ kind: 'cosine', initial: 0.01, minimum: 0, warmupEpochs: 36, warmupStart: 0.001 })),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(1e-4),
  /** Largest drop-path probability, reached at the last epoch (DARTS ramps it linearly); paper: 0.1 on UCF-101 only. */
  dropPath: z.number().min(0).max(0.9).default(0),
  /** Clip the gradients' global norm; null = off (neither the paper nor PySlowFast clips). */
  gradClip: z.number().positive().nullable().default(null),
});
export type RetrainOptim = z.infer<typeof retrainOptimSchema>;

export class RetrainTrainer {
  readonly net: DerivedNetwork;
  private readonly opt: Sgd;

  constructor(
    genotype: Genotype,
    readonly network: DerivedNetworkConfig,
    readonly optim: RetrainOptim,
    readonly epochs: number,
    /** BN on running statistics while training (layers/context.ts `normEval`). */
    readonly options: { normEval?: boolean } = {},
  ) {
    this.net = new DerivedNetwork(genotype, network);
    this.opt = new Sgd({ lr: optim.lr.initial, momentum: optim.momentum, weightDecay: optim.weightDecay });
  }

  lr(epochFraction: number): number {
    return learningRate(this.optim.lr, epochFraction, this.epochs);
  }

  dropPath(epoch: number): number {
    return dropPathProb(this.optim.dropPath, epoch, this.epochs);
  }

  step(x: tf.Tensor5D, labels: tf.Tensor1D, at: StepAt): StepOutcome {
    this.opt.config.lr = this.lr(at.epochFraction);
    const vars = this.net.params.trainable();
    const seed = replicaSeed(this.network.seed, at.step);
    let correct: tf.Scalar | undefined;
    const { value, grads } = gradients(() => {
      const logits = this.net.forward(x, this.options.normEval ? { ...TRAIN, normEval: true } : TRAIN, { prob: this.dropPath(at.epoch), seed });
      correct = tf.keep(correctCount(logits, labels));
      return crossEntropy(logits, labels);
    }, vars);
    let list = averageGradients(grads.map((g, i) => g ?? tf.zerosLike(vars[i])));
    let norm: tf.Scalar | undefined;
    if (this.optim.gradClip !== null) ({ grads: list, norm } = clipGlobalNorm(list, this.optim.gradClip));
    this.opt.step(vars, list);
    tf.dispose(list);
    // the step's one host read: its metrics (averaged over the ranks), after the update
    const m = readScalars({ ...meanOverRanks({ loss: value as tf.Scalar, correct: correct! }), gradNorm: norm });
    return { ...m, correct: Math.round(m.correct * processGroup().worldSize) };
  }

  /** Every rank takes rank 0's weights and BN statistics (a new run's start; a no-op alone). */
  syncReplicas(): void {
    syncParams(this.net.params.list());
  }

  /** BN running statistics set to their mean over the ranks (before validation and checkpoints; a no-op alone). */
  averageBuffers(): void {
    averageStatistics(this.net.params.list());
  }

  /** Eval logits [N, classes] of a batch (running BN statistics, no dropping). */
  logits(x: tf.Tensor5D): tf.Tensor2D {
    return this.net.forward(x, EVAL);
  }

  checkpointTensors(): Record<string, tf.Tensor> {
    const names = new Map(this.net.params.list().map((p) => [p.variable, p.name]));
    return { ...paramTensors(this.net.params.list()), ...this.opt.stateTensors(names) };
  }

  restore(tensors: Record<string, tf.Tensor>, where: string): void {
    assignParams(this.net.params.list(), tensors, where);
    this.opt.loadState(new Map(this.net.params.list().map((p) => [p.name, p.variable])), tensors);
  }

  dispose(): void {
    this.opt.dispose();
    this.net.dispose();
  }
}
