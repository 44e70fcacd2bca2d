/**
 * The one-level search as a trainer: the search network, Adam on the alphas, SGD on the weights, the
 * weight LR schedule, and what a checkpoint must hold to continue exactly (weights, BN statistics,
 * alphas, momentum buffers, Adam moments and step count). Data parallel when a process group is joined
 * (distributed/process-group.ts): `syncReplicas` gives every rank rank 0's weights and alphas, each step averages
 * the gradients over the ranks, and `averageBuffers` evens out the BN running statistics (computed per process).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { EVAL } from '../layers/context';
import { alphasOf, loadAlphasInto } from '../search-space/alphas-io';
import type { Alphas } from '../search-space/genotype';
import { SearchNetwork, type SearchNetworkConfig } from '../search-space/search-network';
import { learningRate, lrScheduleSchema } from './lr-schedule';
import { ONE_LEVEL_MODES, searchStep } from '../search/one-level';
import { Adam, Sgd } from './optimizers';
import { assignParams, paramTensors } from './checkpoint';
import type { StepAt, StepOutcome } from './epoch-loop';
import { CELL_TYPES, type CellType } from '../search-space/cell-types';
import { averageStatistics, replicaSeed, syncParams } from '../distributed/process-group';
import { argmaxPath, gumbelTau, samplingSchema, samplingStep, type SamplingConfig } from '../search/sampling';
import type { SupernetStrategy } from '../search/strategies';
import { costTerm, expectedGflopsOf, expectedMsOf, type AlphaCost, type Budget } from '../search/budget';
import type { LatencyTable } from '../search/latency';

/** The seed of step `step`'s sampled path: the same on every rank (they must run the same path). */
const pathSeed = (seed: number, step: number): number => (seed * 7919 + step * 104729 + 1) % 2147483647;

/** Optimisation settings of the search (paper 4.2 / Alg. 1); the defaults and where they come from: docs/architecture.md, Defaults. */
export const searchOptimSchema = z.strictObject({
  weightLr: lrScheduleSchema.default(lrScheduleSchema.parse({})),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(1e-4),
  alphaLr: z.number().positive().default(1e-3),
  alphaBetas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0, 0.999]),
  alphaWeightDecay: z.number().min(0).default(0),
  /** Clip the weight gradients' global norm (DARTS: 5); null = off. */
  gradClip: z.number().positive().nullable().default(null),
  /** How the alpha and weight steps share a batch (search/one-level.ts): alternating (two passes) or simultaneous (one). */
  oneLevel: z.enum(ONE_LEVEL_MODES).default('alternating'),
  /** Recompute activations block by block in the backward pass (less memory, ~1.3x the time). */
  recompute: z.boolean().default(true),
});
export type SearchOptim = z.infer<typeof searchOptimSchema>;

export type AlphaSoftmax = Record<CellType, number[][]>;

export class SearchTrainer {
  readonly net: SearchNetwork;
  private readonly alphaOpt: Adam;
  private readonly weightOpt: Sgd;
  private readonly alphaCost?: AlphaCost;
  private readonly expected: Partial<Record<'gflops' | 'ms', (alphas: Record<CellType, tf.Tensor>) => tf.Scalar>>;

  constructor(
    readonly network: SearchNetworkConfig,
    readonly optim: SearchOptim,
    readonly epochs: number,
    readonly options: {
      /** BN on running statistics while training (layers/context.ts `normEval`). */
      normEval?: boolean;
      /** How the supernet is searched (search/strategies.ts): darts (default) or sampling, with its settings. */
      strategy?: SupernetStrategy;
      sampling?: SamplingConfig;
      /** A cost budget (search/budget.ts): its term joins the alphas' gradients while the expected cost exceeds it. */
      budget?: Budget;
      /** The target network's latency table, for a budget in ms (search/latency.ts). */
      latency?: LatencyTable;
    } = {},
  ) {
    const b = options.budget;
    this.alphaCost = b && costTerm(b, options.latency);
    this.expected = {
      ...(b?.maxGflops && { gflops: expectedGflopsOf(b).expected }),
      ...(b?.maxMs && options.latency && { ms: expectedMsOf(options.latency) }),
    };
    this.net = new SearchNetwork(network);
    this.alphaOpt = new Adam({ lr: optim.alphaLr, beta1: optim.alphaBetas[0], beta2: optim.alphaBetas[1], eps: 1e-8, weightDecay: optim.alphaWeightDecay });
    this.weightOpt = new Sgd({ lr: optim.weightLr.initial, momentum: optim.momentum, weightDecay: optim.weightDecay });
  }

  lrs(epoch: number): { weights: number; alphas: number } {
    return { weights: learningRate(this.optim.weightLr, epoch, this.epochs), alphas: this.optim.alphaLr };
  }

  /**
   * One search step: darts, Adam on the alphas then SGD on the weights with the updated alphas (one-level.ts);
   * sampling, one drawn path, both updates from one pass (sampling.ts).
   */
  step(x: tf.Tensor5D, labels: tf.Tensor1D, at: StepAt): StepOutcome {
    this.weightOpt.config.lr = this.lrs(at.epoch).weights;
    if (this.options.strategy === 'sampling') {
      const r = samplingStep(this.net, x, labels, this.alphaOpt, this.weightOpt, {
        tau: gumbelTau(this.options.sampling ?? samplingSchema.parse({}), at.epochFraction, this.epochs),
        pathSeed: pathSeed(this.network.seed, at.step),
        dropoutSeed: replicaSeed(this.network.seed, at.step),
        recompute: this.optim.recompute,
        gradClip: this.optim.gradClip ?? undefined,
        normEval: this.options.normEval,
        alphaCost: this.alphaCost,
      });
      return { loss: r.weightLoss, alphaLoss: r.alphaLoss, correct: r.correct, gradNorm: r.gradNorm };
    }
    const r = searchStep(this.net, x, labels, this.alphaOpt, this.weightOpt, {
      mode: this.optim.oneLevel,
      recompute: this.optim.recompute,
      gradClip: this.optim.gradClip ?? undefined,
      dropoutSeed: replicaSeed(this.network.seed, at.step),
      normEval: this.options.normEval,
      alphaCost: this.alphaCost,
    });
    return { loss: r.weightLoss, alphaLoss: r.alphaLoss, correct: r.correct, gradNorm: r.gradNorm };
  }

  /** Every rank takes rank 0's weights, alphas and BN statistics (a new run's start; a no-op alone). */
  syncReplicas(): void {
    syncParams(this.net.params.list());
  }

  /** BN running statistics set to their mean over the ranks (before validation and checkpoints; a no-op alone). */
  averageBuffers(): void {
    averageStatistics(this.net.params.list());
  }

  /**
   * Eval logits [N, classes] of a batch (running BN statistics, no dropout), for validation: of the supernet (darts),
   * or of its most likely path (sampling, which trains one path at a time).
   */
  logits(x: tf.Tensor5D): tf.Tensor2D {
    return this.net.forward(x, EVAL, undefined, 0, this.options.strategy === 'sampling' ? argmaxPath(this.net) : undefined);
  }

  /** The derived network's expected GFLOPs and ms per clip under softmax(alpha) at the budget's target, for the budgets set. */
  expectedCost(): { expectedGflops?: number; expectedMs?: number } {
    const read = (f?: (alphas: Record<CellType, tf.Tensor>) => tf.Scalar): number | undefined => {
      if (!f) return undefined;
      const e = f(this.net.alphas);
      const v = e.dataSync()[0];
      e.dispose();
      return v;
    };
    const [gflops, ms] = [read(this.expected.gflops), read(this.expected.ms)];
    return { ...(gflops !== undefined && { expectedGflops: gflops }), ...(ms !== undefined && { expectedMs: ms }) };
  }

  /** softmax over ops of every edge, per category. */
  alphaSoftmax(): AlphaSoftmax {
    return Object.fromEntries(CELL_TYPES.map((t) => [t, tf.tidy(() => tf.softmax(this.net.alphas[t]).arraySync() as number[][])])) as AlphaSoftmax;
  }

  alphas(source?: Alphas['source']): Alphas {
    return alphasOf(this.net, source);
  }

  private names(): Map<tf.Variable, string> {
    return new Map(this.net.params.list().map((p) => [p.variable, p.name]));
  }

  checkpointTensors(): Record<string, tf.Tensor> {
    const names = this.names();
    return { ...paramTensors(this.net.params.list()), ...this.weightOpt.stateTensors(names), ...this.alphaOpt.stateTensors(names) };
  }

  checkpointState(): { adamSteps: number } {
    return { adamSteps: this.alphaOpt.steps };
  }

  restore(tensors: Record<string, tf.Tensor>, state: Record<string, unknown>, where: string): void {
    assignParams(this.net.params.list(), tensors, where);
    const byName = new Map(this.net.params.list().map((p) => [p.name, p.variable]));
    this.weightOpt.loadState(byName, tensors);
    this.alphaOpt.loadState(byName, tensors, z.object({ adamSteps: z.number().int().min(0) }).parse(state).adamSteps);
  }

  /** For tests and for starting from a given alphas file. */
  setAlphas(a: Alphas): void {
    loadAlphasInto(this.net, a);
  }

  dispose(): void {
    this.alphaOpt.dispose();
    this.weightOpt.dispose();
    this.net.dispose();
  }
}
