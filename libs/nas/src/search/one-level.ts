/**
 * One-level search step (paper eq. 8-9, Alg. 1): alphas and weights both descend the training loss of the
 * same batch.
 *
 *   alternating    an Adam step on the alphas with the weights fixed, then an SGD step on the weights with
 *                  the updated alphas: two forward/backward passes (Alg. 1 read step by step; the default).
 *   simultaneous   one forward/backward pass gives both gradients, then both steps: half the cost; the
 *                  weight step sees the alphas of before their step, a difference of one alpha step.
 *
 * Data parallel (a process group joined): each gradient is averaged over the ranks before its update, as DDP's
 * all-reduce between backward and step, so every replica makes the same update; the metrics are averaged too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lossAndGradients, type SearchNetwork } from '../search-space/search-network';
import { averageGradients, meanOverRanks, processGroup } from '../distributed/process-group';
import { readScalars } from '../train/loss';
import { Adam, clipGlobalNorm, Sgd } from '../train/optimizers';
import type { AlphaCost } from './budget';

export const ONE_LEVEL_MODES = ['alternating', 'simultaneous'] as const;
export type OneLevelMode = (typeof ONE_LEVEL_MODES)[number];

export interface SearchStepOptions {
  mode: OneLevelMode;
  /** Recompute block by block in the backward pass (memory of one block instead of the whole network). */
  recompute: boolean;
  /** Clip the weight gradients' global norm (DARTS: 5); undefined = no clipping. */
  gradClip?: number;
  dropoutSeed?: number;
  /** BN on running statistics (layers/context.ts `normEval`). */
  normEval?: boolean;
  /** A cost budget's term (search/budget.ts): its gradients are added to the alphas' before their step. */
  alphaCost?: AlphaCost;
}

export interface SearchStepResult {
  alphaLoss: number;
  weightLoss: number;
  /** Clips of the batch (of all the ranks' batches) the weight step's forward pass classified right (top-1). */
  correct: number;
  gradNorm?: number;
  /** The derived network's expected GFLOPs and ms per clip under softmax(alpha), with a cost budget. */
  expectedGflops?: number;
  expectedMs?: number;
}

/** The alphas' gradients plus the cost term's (disposing both); the term's expectations, when a budget is set. */
export function withAlphaCost(
  net: SearchNetwork,
  grads: tf.Tensor[],
  cost: AlphaCost | undefined,
): { grads: tf.Tensor[]; expectedGflops?: tf.Scalar; expectedMs?: tf.Scalar } {
  if (!cost) return { grads };
  const { grads: extra, ...expected } = cost(net.alphas);
  const sum = grads.map((g, i) => tf.add(g, extra[i]));
  tf.dispose([...grads, ...extra]);
  return { grads: sum, ...expected };
}

export function searchStep(net: SearchNetwork, x: tf.Tensor5D, labels: tf.Tensor1D, alphaOpt: Adam, weightOpt: Sgd, o: SearchStepOptions): SearchStepResult {
  const alphas = net.alphaList();
  const weights = net.weights();
  const pass = (vars: tf.Variable[]) => lossAndGradients(net, x, labels, vars, { recompute: o.recompute, dropoutSeed: o.dropoutSeed, normEval: o.normEval });
  let a: { loss: tf.Scalar; grads: tf.Tensor[] };
  let w: { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] };
  let cost: ReturnType<typeof withAlphaCost>;
  if (o.mode === 'simultaneous') {
    const both = pass([...alphas, ...weights]);
    const grads = averageGradients(both.grads);
    cost = withAlphaCost(net, grads.slice(0, alphas.length), o.alphaCost);
    a = { loss: tf.clone(both.loss), grads: cost.grads };
    w = { ...both, grads: grads.slice(alphas.length) };
    alphaOpt.step(alphas, a.grads);
  } else {
    const first = pass(alphas);
    first.correct.dispose();
    cost = withAlphaCost(net, averageGradients(first.grads), o.alphaCost);
    a = { loss: first.loss, grads: cost.grads };
    alphaOpt.step(alphas, a.grads);
    w = pass(weights);
    w = { ...w, grads: averageGradients(w.grads) };
  }
  tf.dispose(a.grads);
  let grads = w.grads;
  let norm: tf.Scalar | undefined;
  if (o.gradClip !== undefined) ({ grads, norm } = clipGlobalNorm(grads, o.gradClip));
  weightOpt.step(weights, grads);
  tf.dispose(grads);
  // the step's one host read: its metrics (averaged over the ranks), after the updates
  const m = readScalars({
    ...meanOverRanks({ alphaLoss: a.loss, weightLoss: w.loss, correct: w.correct }),
    gradNorm: norm,
    expectedGflops: cost.expectedGflops,
  });
  return { ...m, correct: Math.round(m.correct * processGroup().worldSize) };
}
