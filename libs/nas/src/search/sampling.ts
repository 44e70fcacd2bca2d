/**
 * The `sampling` strategy (GDAS, Dong & Yang 2019; the FP-NAS family): each step draws one op per edge from
 * softmax((alpha + Gumbel noise) / tau) and runs only that path, so a step holds one network's activations, not the
 * supernet's. The alphas learn through the straight-through estimator: an edge's output is its op's output times a
 * gate p_c - stop_gradient(p_c) + 1, which is 1 in value and has p_c's gradient (p_c: the drawn op's probability).
 *
 * Why straight-through Gumbel and not a score-function (REINFORCE) estimator: it differentiates the loss of the very
 * path that ran, in the same backward pass as the weights, with a variance low enough for one sample a step; a
 * score-function estimator needs a baseline and many samples per step to be usable (docs/decisions.md).
 *
 * One-level as the rest of PV-NAS: one forward/backward pass on a training batch gives the gradients of the alphas and
 * of the weights the path used (as PyTorch's SGD leaves parameters without a gradient untouched, the other ops'
 * weights do not move: no momentum, no decay). tau anneals linearly from `tauMax` to `tauMin` over the search (GDAS:
 * 10 to 0.1). The noise comes from the step's seed, so a resumed run draws the same paths.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { averageGradients, meanOverRanks, processGroup } from '../distributed/process-group';
import { uniformNoise } from '../layers/noise';
import { CELL_TYPES, type CellType } from '../search-space/cell-types';
import { lossAndGradients, type SampledPath, type SearchNetwork } from '../search-space/search-network';
import { readScalars } from '../train/loss';
import { Adam, clipGlobalNorm, Sgd } from '../train/optimizers';
import type { AlphaCost } from './budget';
import { withAlphaCost, type SearchStepResult } from './one-level';

export const samplingSchema = z.strictObject({
  /** Gumbel-softmax temperature at the start and at the end of the search, annealed linearly (GDAS: 10 and 0.1). */
  tauMax: z.number().positive().default(10),
  tauMin: z.number().positive().default(0.1),
});
export type SamplingConfig = z.infer<typeof samplingSchema>;

/** The temperature `epochFraction` of `epochs` into the search. */
export function gumbelTau(c: SamplingConfig, epochFraction: number, epochs: number): number {
  const t = epochs > 0 ? Math.min(1, Math.max(0, epochFraction / epochs)) : 1;
  return c.tauMax - (c.tauMax - c.tauMin) * t;
}

/**
 * Draws a path: per cell type, Gumbel noise from `seed`, and the op of largest (alpha + noise) on every edge. The
 * caller disposes the constants it holds (noise, masks, the drawn ops' probabilities) after the step.
 */
export function samplePath(net: SearchNetwork, seed: number, tau: number): { path: SampledPath; dispose: () => void } {
  const noise = {} as Record<CellType, tf.Tensor2D>;
  const masks = {} as Record<CellType, tf.Tensor2D>;
  const chosenProb = {} as Record<CellType, tf.Tensor1D>;
  const ops = {} as Record<CellType, number[]>;
  CELL_TYPES.forEach((type, k) => {
    const alpha = net.alphas[type] as tf.Tensor2D;
    const [edges, numOps] = alpha.shape;
    noise[type] = tf.tidy(() => {
      const u = tf.minimum(tf.maximum(uniformNoise([edges, numOps], seed * 4 + k), 1e-10), 1 - 1e-7);
      return tf.neg(tf.log(tf.neg(tf.log(u)))) as tf.Tensor2D;
    });
    const probs = tf.tidy(() => tf.softmax(tf.div(tf.add(alpha, noise[type]), tau)) as tf.Tensor2D);
    ops[type] = tf.tidy(() => tf.argMax(probs, 1).arraySync() as number[]);
    masks[type] = tf.tidy(() => tf.oneHot(tf.tensor1d(ops[type], 'int32'), numOps, 1, 0, 'float32') as tf.Tensor2D);
    chosenProb[type] = tf.tidy(() => tf.sum(tf.mul(probs, masks[type]), 1) as tf.Tensor1D); // a constant: no gradient
    probs.dispose();
  });
  const path: SampledPath = {
    ops,
    gates: (type, alpha) =>
      tf.tidy(() => {
        const p = tf.sum(tf.mul(tf.softmax(tf.div(tf.add(alpha, noise[type]), tau)), masks[type]), 1);
        return tf.add(tf.sub(p, chosenProb[type]), 1) as tf.Tensor1D;
      }),
  };
  return { path, dispose: () => tf.dispose([...Object.values(noise), ...Object.values(masks), ...Object.values(chosenProb)]) };
}

/**
 * The supernet's most likely architecture: every edge its largest-alpha op, gates of 1 (no gradient). What a
 * sampling search validates: its weights were trained one path at a time, never as the softmax mixture darts uses.
 */
export function argmaxPath(net: SearchNetwork): SampledPath {
  const ops = Object.fromEntries(CELL_TYPES.map((t) => [t, tf.tidy(() => tf.argMax(net.alphas[t], 1).arraySync() as number[])])) as Record<CellType, number[]>;
  return { ops, gates: (type) => tf.ones([ops[type].length]) as tf.Tensor1D };
}

export interface SamplingStepOptions {
  tau: number;
  /** Seeds the path's Gumbel noise: the same on every rank (data parallel: every replica runs the same path). */
  pathSeed: number;
  /** Seeds the dropout mask (per step and rank: replicaSeed). */
  dropoutSeed?: number;
  recompute: boolean;
  gradClip?: number;
  normEval?: boolean;
  /** A cost budget's term (search/budget.ts), added to the alphas' gradients. */
  alphaCost?: AlphaCost;
}

/** One step of the sampling strategy: draw a path, one pass, Adam on the alphas, SGD on the path's weights. */
export function samplingStep(
  net: SearchNetwork,
  x: tf.Tensor5D,
  labels: tf.Tensor1D,
  alphaOpt: Adam,
  weightOpt: Sgd,
  o: SamplingStepOptions,
): SearchStepResult {
  const { path, dispose } = samplePath(net, o.pathSeed, o.tau);
  try {
    const alphas = net.alphaList();
    const weights = net.pathWeights(path);
    const r = lossAndGradients(net, x, labels, [...alphas, ...weights], { recompute: o.recompute, dropoutSeed: o.dropoutSeed, normEval: o.normEval, path });
    const grads = averageGradients(r.grads);
    const cost = withAlphaCost(net, grads.slice(0, alphas.length), o.alphaCost);
    alphaOpt.step(alphas, cost.grads);
    tf.dispose(cost.grads);
    let wGrads = grads.slice(alphas.length);
    let norm: tf.Scalar | undefined;
    if (o.gradClip !== undefined) ({ grads: wGrads, norm } = clipGlobalNorm(wGrads, o.gradClip));
    weightOpt.step(weights, wGrads);
    tf.dispose(wGrads);
    const m = readScalars({
      ...meanOverRanks({ alphaLoss: r.loss, weightLoss: tf.clone(r.loss), correct: r.correct }),
      gradNorm: norm,
      expectedGflops: cost.expectedGflops,
      expectedMs: cost.expectedMs,
    });
    return { ...m, correct: Math.round(m.correct * processGroup().worldSize) };
  } finally {
    dispose();
  }
}
